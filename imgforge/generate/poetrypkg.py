"""Whether a project that declares a build system has a package to build, or uses its tool (Poetry, Hatch, PDM)
only for its dependencies: an application whose code is `app.py` beside a `[project]` named otherwise."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from imgforge.generate.facts import dig, parse_toml, read_text


def _pyproject(root: Path) -> dict[str, object]:
    try:
        return parse_toml(read_text(root / "pyproject.toml"))
    except ValueError:
        return {}


def _named_module(root: Path, name: str) -> bool:
    """Whether a module or package named after the project (dashes and dots as underscores) is in the root or src/."""
    module = canonicalize_name(name).replace("-", "_").replace(".", "_")
    candidates = (root / module, root / f"{module}.py", root / "src" / module, root / "src" / f"{module}.py")
    return any(p.exists() for p in candidates)


def without_package(root: Path) -> bool:
    """True when pyproject's build backend has nothing to build (Poetry, Hatch or PDM; see each below)."""
    return poetry_without_package(root) or hatch_without_package(root) or pdm_without_package(root)


# Hatch settings that choose the wheel's files themselves, instead of its default of a module named after the project.
_HATCH_SELECTION = ("packages", "include", "only-include", "force-include", "sources", "bypass-selection")


def hatch_without_package(root: Path) -> bool:
    """True when the backend is hatchling, no Hatch setting selects the wheel's files and no module is named after
    the project: hatchling's build_wheel then stops at 'Unable to determine which files to ship inside the wheel'
    (litestar-org/litestar-hello-world: app.py, [project] name litestar-hello-world)."""
    data = _pyproject(root)
    backend = dig(data, "build-system", "build-backend")
    name = dig(data, "project", "name")
    if backend != "hatchling.build" or not isinstance(name, str) or not name:
        return False
    for table in (dig(data, "tool", "hatch", "build"), dig(data, "tool", "hatch", "build", "targets", "wheel")):
        if isinstance(table, dict) and any(key in table for key in _HATCH_SELECTION):
            return False
    return not _named_module(root, name)


def pdm_without_package(root: Path) -> bool:
    """True when PDM's settings say the project is an application, not a library to build: `distribution = false`
    (or the older `package-type = "application"`) under [tool.pdm]."""
    pdm = dig(_pyproject(root), "tool", "pdm")
    return isinstance(pdm, dict) and (pdm.get("distribution") is False or pdm.get("package-type") == "application")


def poetry_without_package(root: Path) -> bool:
    """True when pyproject's build backend is poetry-core but there is nothing for it to build: `package-mode =
    false`, or no `packages` and no module named after the project (in the root or src/), which `poetry install`
    only warns about and poetry-core's build_wheel fails on (fly.io's hello-flask-poetry)."""
    data = _pyproject(root)
    backend = dig(data, "build-system", "build-backend")
    if not isinstance(backend, str) or not backend.startswith("poetry.core"):
        return False
    poetry = dig(data, "tool", "poetry")
    if not isinstance(poetry, dict):
        return False
    if poetry.get("package-mode") is False:
        return True
    if poetry.get("packages"):
        return False
    name = dig(data, "project", "name") or poetry.get("name")
    if not isinstance(name, str) or not name:
        return False
    # poetry-core's module name: the canonical name with dashes (and dots) as underscores.
    return not _named_module(root, name)
