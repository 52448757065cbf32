"""Generation: a project (settings + recipe) in, `Dockerfile` and `.dockerignore` text out."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from imgforge.errors import UsageError
from imgforge.generate.detect import detect_stack
from imgforge.generate.dockerignore import HEADER, render_dockerignore
from imgforge.generate.native import python_system_packages
from imgforge.generate.nodestart import package_json
from imgforge.generate.owndockerfile import RECIPE as OWN_RECIPE
from imgforge.generate.runtimes import fill
from imgforge.generate.wheels import missing
from imgforge.project import Project, load_project
from imgforge.recipes.model import with_images
from imgforge.settings import BasesSettings

DOCKERFILE = "Dockerfile"
DOCKERIGNORE = ".dockerignore"
# The generated Dockerfile's name in a project that has a Dockerfile of its own.
BESIDE_OWN = "Dockerfile.imgforge"


def _own(path: Path) -> bool:
    """Whether `path` is there and imgforge did not write it (a symlink or folder counts as the project's)."""
    if not os.path.lexists(path):
        return False
    try:
        with path.open("rb") as handle:
            return not handle.read(len(HEADER)).startswith(HEADER.encode())
    except OSError:
        return True


@dataclass(frozen=True)
class Targets:
    """The names generation writes in the project folder."""

    dockerfile: str = DOCKERFILE
    dockerignore: str = DOCKERIGNORE


def targets(root: Path) -> Targets:
    """Where generation writes, so that nothing of the project's is overwritten: `Dockerfile` and `.dockerignore`;
    in a project with a Dockerfile of its own, `Dockerfile.imgforge`; in one with its own Dockerfile or .dockerignore,
    the ignore file beside the generated Dockerfile (`<name>.dockerignore`, which BuildKit reads instead of
    .dockerignore for that Dockerfile)."""
    dockerfile = BESIDE_OWN if _own(root / DOCKERFILE) else DOCKERFILE
    if dockerfile == DOCKERFILE and not _own(root / DOCKERIGNORE):
        return Targets()
    return Targets(dockerfile, f"{dockerfile}.dockerignore")


@dataclass(frozen=True)
class GeneratedFiles:
    """The generated files' text and the names they are written under (`targets`)."""

    dockerfile: str
    dockerignore: str
    warnings: tuple[str, ...] = ()
    names: Targets = Targets()

    def by_name(self) -> dict[str, str]:
        """File name -> text."""
        return {self.names.dockerfile: self.dockerfile, self.names.dockerignore: self.dockerignore}


def resolve(project: Project, chosen: dict[str, str] | None = None) -> Project:
    """`project` with its recipe's `{python}`-style image placeholders set to the versions its files allow
    (recorded in `chosen`); with `bases.registry` set, catalog bases taken from that registry, pinned by digest."""
    # Deferred: the registry client (requests) and the engine client load only when a project is generated, not
    # when `plan` imports the pure modules of this package (recipe loading, runtime selection).
    from imgforge.build.registry_cache import registry_base

    chosen = {} if chosen is None else chosen
    where = project.section("bases", BasesSettings)

    def image(text: str) -> str:
        filled = fill(text, project.root, chosen)
        return registry_base(filled, where.registry, where.pin) if where.registry else filled

    return replace(project, recipe=with_images(project.recipe, image))


def _check_script(project: Project) -> None:
    """Stop when the start command runs a script the project does not have (the recipe's default `python3 app.py`
    or `node server.js` when init found no start command): the image would build and then fail to start. A Node
    project with a build script may make its script then (dist/server.js), so only one without is stopped."""
    words = project.recipe.runtime.entrypoint
    python = words[:1] in (["python"], ["python3"]) and words[1:2] != [] and words[1].endswith(".py")
    node = words[:1] == ["node"] and words[1:2] != [] and words[1].endswith((".js", ".mjs", ".cjs"))
    # The runtime's working folder inside the tree the artifacts make: a workspace member's (/app/apps/api) is
    # its folder of the project.
    workdir = PurePosixPath(project.recipe.runtime.workdir)
    tops = [PurePosixPath(a.to) for a in project.recipe.runtime.artifacts if workdir.is_relative_to(a.to)]
    folder = project.root / workdir.relative_to(max(tops, key=lambda p: len(p.parts))) if tops else project.root
    scripts = package_json(folder).get("scripts") if node else None
    if not (python or node) or (isinstance(scripts, dict) and "build" in scripts):
        return
    script = words[1]
    if not (folder / script).is_file():
        raise UsageError(f"the start command runs {script}, which the project does not have (init found no "
                         "start command in it); set overrides.runtime.entrypoint in imgforge.yaml")


def _with_system_packages(project: Project, from_source: list[str]) -> Project:
    """A Python project's recipe with the Debian packages its dependencies need (native.py) added to the builders
    that install dependencies and to the runtime."""
    need = python_system_packages(project.root, from_source)
    if not need.build and not need.runtime:
        return project
    recipe = project.recipe
    # Each once: init may have written some of them into imgforge.yaml (pins it found without a wheel).
    builders = [b.model_copy(update={"system_packages": list(dict.fromkeys([*b.system_packages, *need.build]))})
                if need.build and (b.dependencies.install or b.dependencies.variants) else b for b in recipe.builders]
    runtime = recipe.runtime.model_copy(update={"system_packages": list(dict.fromkeys(
        [*recipe.runtime.system_packages, *need.runtime]))})
    return replace(project, recipe=recipe.model_copy(update={"builders": builders, "runtime": runtime}))


def generate(project: Project) -> GeneratedFiles:
    """Render the project's Dockerfile and .dockerignore (deterministic)."""
    # Deferred for `plan`'s start-up, as in `resolve`: the renderer imports the build and registry modules.
    from imgforge.generate.dockerfile import render_dockerfile, variant

    if project.recipe.name == OWN_RECIPE:
        raise UsageError(f"recipe {OWN_RECIPE!r} generates nothing: it builds the project's own Dockerfile as "
                         f"written (`dockerfile:` in {project.settings_file}); pass --recipe NAME to `imgforge init "
                         "--force` for a generated one")
    _check_script(project)
    chosen: dict[str, str] = {}
    project = resolve(project, chosen)
    warnings = tuple(f"builder {b.name!r}: {v.warning}" for b in project.recipe.builders
                     if (v := variant(project.root, b)) is not None and v.warning)
    gaps = missing(project.root, chosen["python"]) if "python" in chosen else []
    if gaps:
        names = ", ".join(f"{p.name} {p.version} ({p.span()})" for p in gaps[:5]) + (", …" if len(gaps) > 5 else "")
        warnings += (f"the lockfile's {names} have no wheel for Python {chosen['python']}, the version the project "
                     "and the catalog allow: pip builds them from source (the builder gets a compiler and the "
                     "Python headers), which needs their support for that Python; a newer lock "
                     "(uv lock --upgrade-package NAME) has wheels",)
    if "python" in project.recipe.runtime.image:
        project = _with_system_packages(project, [p.name for p in gaps])
    return GeneratedFiles(dockerfile=render_dockerfile(project),
                          dockerignore=render_dockerignore(project.recipe, project.image_name), warnings=warnings,
                          names=targets(project.root))


def stale_files(project: Project, files: GeneratedFiles) -> list[str]:
    """Names of the generated files whose copy in the project differs (or is missing)."""
    stale = []
    for name, text in files.by_name().items():
        target = project.root / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_files(project: Project, files: GeneratedFiles) -> list[str]:
    """Write the files that changed; return their names."""
    changed = stale_files(project, files)
    for name in changed:
        try:
            (project.root / name).write_text(files.by_name()[name], encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"writing {project.root / name}: {exc}") from exc
    return changed


__all__ = ["GeneratedFiles", "Targets", "targets", "generate", "resolve", "load_project", "detect_stack",
           "stale_files", "write_files"]
