"""Whether a Poetry project is a package Poetry can build, or uses Poetry only for its dependencies."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from imgforge.generate.facts import dig, parse_toml, read_text


def poetry_without_package(root: Path) -> bool:
    """True when pyproject's build backend is poetry-core but there is nothing for it to build: `package-mode =
    false`, or no `packages` and no module named after the project (in the root or src/), which `poetry install`
    only warns about and poetry-core's build_wheel fails on (fly.io's hello-flask-poetry)."""
    try:
        data = parse_toml(read_text(root / "pyproject.toml"))
    except ValueError:
        return False
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
    module = canonicalize_name(name).replace("-", "_").replace(".", "_")
    candidates = (root / module, root / f"{module}.py", root / "src" / module, root / "src" / f"{module}.py")
    return not any(p.exists() for p in candidates)
