"""A project: its settings (`imgforge.yaml`: recipe, recipes_path, image, version, overrides, labels)
and the recipe they resolve to, validated after the overrides are merged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imgforge.errors import UsageError
from imgforge.gitinfo import latest_version
from imgforge.recipes import Overrides, Recipe, load_recipe
from imgforge.settings import (
    SETTINGS_FILE,
    line_of,
    load_raw,
    parse_yaml,
    section_of,
    settings_path,
    validation_error,
)
from imgforge.smallfile import inside, read_regular

# The top-level keys of imgforge.yaml that this module validates; other stages own the rest.
PROJECT_KEYS = ("recipe", "recipes_path", "image", "version", "overrides", "labels", "dockerfile")

M = TypeVar("M", bound=BaseModel)
MAX_VERSION_FILE = 4096  # a VERSION file holds one version


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImageSettings(_Strict):
    """The image's repository name (no tag) and the OCI annotations that describe it."""

    name: str | None = Field(default=None, pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*$")
    description: str | None = None
    source: str | None = Field(default=None, description="Source repository URL (org.opencontainers.image.source).")
    licenses: str | None = Field(default=None, description="SPDX expression (org.opencontainers.image.licenses).")


class VersionSettings(_Strict):
    """Where the image version comes from: a git tag, a file in the project, or a fixed value."""

    source: Literal["git", "file", "fixed"] = "file"
    file: str = "VERSION"
    value: str | None = None


class ProjectSettings(_Strict):
    """The project's own keys of imgforge.yaml."""

    recipe: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    recipes_path: str | None = None
    image: ImageSettings = Field(default_factory=ImageSettings)
    version: VersionSettings = Field(default_factory=VersionSettings)
    overrides: dict[str, Any] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    dockerfile: str | None = Field(default=None, min_length=1,
                                   description="The project's own Dockerfile (relative path), instead of the recipe's.")


def version_of(settings: VersionSettings, root: Path, what: str = "invalid settings: version.file") -> str | None:
    """The one rule for a project's version (push, pipeline and manifest alike): the `fixed` value, the `file`'s
    contents when it exists, else the latest `vX.Y.Z` git tag merged into HEAD; None when there is none.

    The file stays inside the project (`version_file`): its text is echoed when it is not a version."""
    if settings.source == "fixed" and settings.value:
        return settings.value
    if settings.source == "file" and (root / settings.file).is_file():
        return version_file(root, settings.file, what)
    return latest_version(root)


@dataclass(frozen=True)
class Project:
    """A project folder, its settings (the whole parsed file in `raw`) and its resolved, validated recipe."""

    root: Path
    settings_file: Path
    settings: ProjectSettings
    recipe: Recipe
    recipe_file: Path
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def section(self, name: str, model: type[M]) -> M:
        """Another stage's section of the settings, validated with `model` (no second read of the file)."""
        return section_of(self.raw, self.settings_file, name, model)

    def own_dockerfile(self) -> Path | None:
        """The project's own Dockerfile named by `dockerfile:`, checked to exist inside the project; None to use the
        recipe's."""
        own = self.settings.dockerfile
        if own is None:
            return None
        where = self._where("dockerfile")
        path = inside(self.root, own, f"invalid settings: {where}: dockerfile")
        if path is None or not path.is_file():
            raise UsageError(f"invalid settings: {where}: dockerfile: {own} does not exist")
        return path

    def _where(self, *key: str) -> str:
        line = line_of(self.raw, key)
        return f"{self.settings_file}:{line}" if line else str(self.settings_file)

    @property
    def image_name(self) -> str:
        """The repository name: `image.name`, else the folder name made reference-safe."""
        if self.settings.image.name:
            return self.settings.image.name
        return re.sub(r"[^a-z0-9]+", "-", self.root.resolve().name.lower()).strip("-") or "app"

    def version(self) -> str | None:
        """The version per `version.source` (see `version_of`); None when there is none."""
        return version_of(self.settings.version, self.root,
                          f"invalid settings: {self._where('version', 'file')}: version.file")

    def labels(self) -> dict[str, str]:
        """OCI labels fixed by the settings (version and revision come from build args)."""
        img = self.settings.image
        out = {"org.opencontainers.image.title": self.image_name}
        for key, value in (("description", img.description), ("source", img.source), ("licenses", img.licenses)):
            if value:
                out[f"org.opencontainers.image.{key}"] = value
        out.update(self.settings.labels)
        return out


def version_file(root: Path, rel: str, what: str) -> str | None:
    """The version written in the project's file `rel` (None when it is missing or empty), refused (a UsageError
    starting with `what`) unless the file is inside the project."""
    path = inside(root, rel, what)
    if path is None:
        return None
    try:
        return read_regular(path, what, MAX_VERSION_FILE).decode("utf-8").strip() or None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what}: {rel} is not UTF-8 text") from exc


def _present(root: Path, pattern: str) -> bool:
    return any(root.glob(pattern)) if set("*?[") & set(pattern) else (root / pattern).exists()


def _check_files(root: Path, recipe: Recipe, recipe_file: Path, settings_file: Path, raw: Any) -> None:
    """Files the recipe needs from the project must be there; the error names where they were asked for."""
    for i, builder in enumerate(recipe.builders):
        needed: list[tuple[str, str | None, str]] = [
            ("dependencies", "manifests", m) for m in builder.dependencies.manifests]
        needed += [("sources", None, src) for src in builder.sources if src not in (".", "./")]
        for key, sub, name in needed:
            if _present(root, name):
                continue
            loc = ("builders", i, key) + ((sub,) if sub else ())
            overridden = line_of(raw, ("overrides", *loc))
            where = f"{settings_file}:{overridden}" if overridden else _recipe_where(recipe_file, loc)
            raise UsageError(f"invalid project: {where}: {'.'.join(map(str, loc))}: "
                             f"{name} does not exist in {root}")


def _recipe_where(recipe_file: Path, loc: tuple[Any, ...]) -> str:
    try:
        line = line_of(parse_yaml(recipe_file.read_text(encoding="utf-8"), str(recipe_file)), loc)
    except (OSError, UsageError):
        line = None
    return f"{recipe_file}:{line}" if line else str(recipe_file)


def load_project(path: Path, recipes_dir: Path | None = None) -> Project:
    """Read `path/imgforge.yaml` (or the file `path`), resolve and validate its recipe with the overrides."""
    file = settings_path(Path(path))
    if not file.is_file():
        raise UsageError(f"loading project: {file} does not exist (run `imgforge init {file.parent}`)")
    root = file.parent
    raw = load_raw(file)
    mine = {k: raw[k] for k in PROJECT_KEYS if k in raw}
    try:
        settings = ProjectSettings.model_validate(mine)
    except ValidationError as exc:
        raise validation_error(exc, raw, str(file)) from exc
    dirs: list[Path] = []
    if settings.recipes_path:
        dirs.append((root / settings.recipes_path).resolve())
        if not dirs[-1].is_dir():
            line = _line(raw, "recipes_path")
            raise UsageError(f"invalid settings: {file}{line}: recipes_path: {settings.recipes_path} is not a folder")
    if recipes_dir is not None:
        dirs.append(Path(recipes_dir))
    overrides = Overrides(settings.overrides, str(file), raw, ("overrides",)) if settings.overrides else None
    try:
        recipe, recipe_file = load_recipe(settings.recipe, dirs, overrides)
    except UsageError as err:
        if "no such recipe" in str(err):
            raise UsageError(f"invalid settings: {file}{_line(raw, 'recipe')}: recipe: {err}") from err
        raise
    _check_files(root, recipe, recipe_file, file, raw)
    return Project(root=root, settings_file=file, settings=settings, recipe=recipe, recipe_file=recipe_file, raw=raw)


def _line(raw: Any, key: str) -> str:
    line = line_of(raw, (key,))
    return f":{line}" if line else ""


__all__ = ["Project", "ProjectSettings", "ImageSettings", "VersionSettings", "load_project", "SETTINGS_FILE"]
