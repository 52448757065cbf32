"""Which projects a change touches: a changed file in the build context (after `.dockerignore`), the
settings, the recipe, the Dockerfile, or the definition of a base image the project builds from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgforge.errors import ImgforgeError
from imgforge.generate import targets
from imgforge.generate.dockerignore import render_dockerignore
from imgforge.generate.runtimes import fill
from imgforge.plan.catalog import uses
from imgforge.plan.dockerignore import DockerIgnore
from imgforge.project import Project, load_project
from imgforge.recipes.loader import BUILTIN_DIR
from imgforge.settings import load_raw

# Where the built-in recipes live in imgforge's own repository, for a checkout that holds them.
BUILTIN_IN_REPO = "imgforge/recipes/builtin"


@dataclass(frozen=True)
class Reason:
    """Why a project is affected: what kind of input changed, and which file or base."""

    kind: str  # context, settings, dockerfile, dockerignore, recipe, base, error, all
    what: str

    def to_json(self) -> dict[str, str]:
        """`{"kind", "what"}`."""
        return {"kind": self.kind, "what": self.what}


@dataclass(frozen=True)
class Inputs:
    """What one project's image depends on, as repository-relative paths and base references."""

    path: str  # the project folder, relative to the repository ("" for the top)
    image: str
    files: dict[str, str] = field(default_factory=dict)  # repository path -> reason kind
    ignore: DockerIgnore | None = None
    images: tuple[str, ...] = ()  # FROM images (recipe stages and the project's own Dockerfile)
    error: str | None = None

    def in_context(self, file: str) -> bool:
        """Whether a repository path is sent to the engine as part of this project's build context."""
        if self.path and not file.startswith(self.path + "/"):
            return False
        inner = file[len(self.path) + 1:] if self.path else file
        return self.ignore is None or not self.ignore.excludes(inner)

    def reasons(self, changed: Iterable[str], bases: frozenset[str]) -> list[Reason]:
        """Every reason a change (files, changed base references) touches this project."""
        if self.error is not None:
            return [Reason("error", self.error)]
        out: list[Reason] = []
        for file in changed:
            if file in self.files:
                out.append(Reason(self.files[file], file))
            elif self.in_context(file):
                out.append(Reason("context", file))
        seen: set[str] = set()
        for image in self.images:
            ref = uses(image, bases)
            if ref is not None and ref not in seen:
                seen.add(ref)
                out.append(Reason("base", ref))
        return out


def _rel(root: Path, path: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _recipe_path(root: Path, recipe_file: Path) -> str | None:
    """The recipe's repository path; a built-in one maps to where imgforge's own repository keeps it."""
    inside = _rel(root, recipe_file)
    if inside is not None:
        return inside
    try:
        return f"{BUILTIN_IN_REPO}/{recipe_file.resolve().relative_to(BUILTIN_DIR).as_posix()}"
    except ValueError:
        return None


def _dockerfile_images(file: Path) -> list[str]:
    # Deferred: importing the parser loads the whole linter package (~60 ms), for the rare project with its own
    # Dockerfile.
    from imgforge.lint.parser import parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [stage.image for stage in parse(text, str(file)).stages]


def _inputs_of(root: Path, project: Project, raw: dict[str, Any]) -> Inputs:
    path = _rel(root, project.root) or ""
    prefix = f"{path}/" if path else ""
    files = {f"{prefix}imgforge.yaml": "settings"}
    version = project.settings.version
    if version.source == "file":
        files[f"{prefix}{version.file}"] = "settings"
    recipe = _recipe_path(root, project.recipe_file)
    if recipe is not None:
        files[recipe] = "recipe"
    own = raw.get("dockerfile")
    names = targets(project.root)
    dockerfile = (project.root / str(own)) if own else project.root / names.dockerfile
    rel = _rel(root, dockerfile)
    if rel is not None:
        files[rel] = "dockerfile"
    files[f"{prefix}{names.dockerignore}"] = "dockerignore"
    # Kept out of the context by the generated .dockerignore, but read by the build (the npmrc and yarnrc secrets).
    files.update({f"{prefix}{name}": "settings" for name in (".npmrc", ".yarnrc.yml")})
    ignore_file = project.root / names.dockerignore
    # The pipeline writes the generated .dockerignore when the project has none: judge by that text.
    text = (ignore_file.read_text(encoding="utf-8") if ignore_file.is_file()
            else render_dockerignore(project.recipe, project.image_name))
    # Recipe images name a toolchain family (`imgforge/python:{python}`); the base used is the version the
    # project's own declarations select, as generation picks it.
    chosen: dict[str, str] = {}
    images = [fill(b.image, project.root, chosen) for b in project.recipe.builders]
    images.append(fill(project.recipe.runtime.image, project.root, chosen))
    if own:
        images = _dockerfile_images(dockerfile)
    return Inputs(path=path, image=project.image_name, files=files, ignore=DockerIgnore(text), images=tuple(images))


def project_inputs(root: Path, settings_file: Path) -> Inputs:
    """The inputs of the project whose settings are `settings_file`; a project that fails to load keeps its error."""
    folder = settings_file.parent
    path = _rel(root, folder) or ""
    try:
        project = load_project(folder)
        # A second parse only for the rare project that names its own Dockerfile.
        own = "dockerfile" in settings_file.read_text(encoding="utf-8")
        return _inputs_of(root, project, load_raw(settings_file) if own else {})
    except (ImgforgeError, OSError, UnicodeDecodeError) as err:
        return Inputs(path=path, image=folder.name, error=str(err))
