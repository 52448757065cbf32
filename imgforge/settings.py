"""Project settings (`imgforge.yaml`) loaded with line numbers, so every error names file, key path and line.

Each stage owns the model of its own section and validates it with `load_section`;
the top-level keys are checked here so a typo in a section name is an error too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imgforge.errors import UsageError

SETTINGS_FILE = "imgforge.yaml"

# Top-level sections of imgforge.yaml: the project's own keys and one per stage that reads settings. Tags, push
# and verify take theirs from the command line only, so a `tags:` section is refused rather than silently unread.
KNOWN_SECTIONS = {
    "recipe", "recipes_path", "image", "version", "overrides", "labels", "dockerfile",
    "lint", "build", "scan", "manifest", "environments", "report", "bases",
}

M = TypeVar("M", bound=BaseModel)

# Settings documents pinned for the current run (resolved path -> parsed mapping); see `pinned`.
_PINNED: ContextVar[dict[Path, dict[str, Any]] | None] = ContextVar("imgforge_pinned_settings", default=None)


MAX_DEPTH = 64  # settings are a few levels deep; a deeper document is hostile (the composer recurses)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping key, refuses duplicate and non-string keys,
    and bounds nesting depth."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.MarkedYAMLError(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    lines: dict[Any, int] = {}
    # Duplicates are looked for among the keys written here; `<<` merge keys may be overridden, as YAML allows.
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(
                problem=f"key {key!r} is a {type(key).__name__}; settings keys are strings (quote it)",
                problem_mark=key_node.start_mark)
        if key in lines:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r} (first on line {lines[key]})", problem_mark=key_node.start_mark)
        lines[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(problem=f"merged key {key!r} is not a string", problem_mark=key_node.start_mark)
        lines.setdefault(key, key_node.start_mark.line + 1)
    mapping = loader.construct_mapping(node, deep=True)
    return _Mapping({str(k): v for k, v in mapping.items()}, lines)  # every key was checked to be a str above


class _Mapping(dict[str, Any]):
    """A dict that remembers the line of each key (`.lines`)."""

    def __init__(self, data: dict[str, Any], lines: dict[Any, int]) -> None:
        super().__init__(data)
        self.lines = lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML (safe), keeping key lines; syntax errors, duplicate or non-string keys and deep nesting name the
    source and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"reading {source}{line}: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"reading {source}: {exc}") from exc
    except RecursionError as exc:  # a deep flow collection can recurse in the parser before composing
        raise UsageError(f"reading {source}: nested too deeply") from exc


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key of `loc` found in data parsed by `parse_yaml`."""
    line = None
    node = data
    for part in loc:
        if isinstance(node, _Mapping) and part in node:
            line = node.lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    return line


def validation_error(exc: ValidationError, data: Any, source: str, prefix: tuple[Any, ...] = ()) -> UsageError:
    """Turn a pydantic error into one UsageError naming file, line and key path of each problem."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        line = line_of(data, loc)
        where = f"{source}:{line}" if line else source
        path = ".".join(str(p) for p in loc) or "(top level)"
        problems.append(f"{where}: {path}: {err['msg']}")
    return UsageError("invalid settings: " + "; ".join(problems))


def settings_path(path: Path) -> Path:
    """`path` itself when it is a file, else `path/imgforge.yaml`."""
    return path if path.is_file() or path.suffix in (".yaml", ".yml") else path / SETTINGS_FILE


@contextmanager
def pinned(file: Path, data: dict[str, Any]) -> Iterator[None]:
    """Within the block, `load_raw` of `file` returns `data` instead of reading the file again.

    A pipeline run reads imgforge.yaml once: every stage (and the library code it calls, which takes
    a project path) then sees the same document, even if the file changes on disk meanwhile.
    """
    current = dict(_PINNED.get() or {})
    current[file.resolve()] = data
    token = _PINNED.set(current)
    try:
        yield
    finally:
        _PINNED.reset(token)


def load_raw(path: Path) -> dict[str, Any]:
    """The whole settings mapping (empty when the file does not exist); unknown sections are errors."""
    file = settings_path(path)
    held = _PINNED.get()
    if held is not None and file.resolve() in held:
        return held[file.resolve()]
    if not file.exists():
        return _Mapping({}, {})
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"reading {file}: {exc}") from exc
    data = parse_yaml(text, str(file))
    if data is None:
        return _Mapping({}, {})
    if not isinstance(data, dict):
        raise UsageError(f"reading {file}: the top level must be a mapping of settings")
    unknown = sorted(str(k) for k in data if k not in KNOWN_SECTIONS)
    if unknown:
        line = line_of(data, (unknown[0],))
        raise UsageError(
            f"invalid settings: {file}:{line}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_SECTIONS))})"
        )
    return data


def load_section(path: Path, section: str, model: type[M]) -> M:
    """Validate one section of the project's settings with `model` (defaults when absent)."""
    return section_of(load_raw(path), settings_path(path), section, model)


def section_of(data: dict[str, Any], file: Path, section: str, model: type[M]) -> M:
    """Validate one section of an already parsed settings mapping; errors name `file`, line and key."""
    raw = data.get(section) or {}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, data, str(file), (section,)) from exc


class BuildSettings(BaseModel):
    """`build:` — where images are built: the engine (a Docker context name or a DOCKER_HOST address) and the
    buildx builder; `network:` is validated by `imgforge.build.network`."""

    model_config = ConfigDict(extra="forbid")

    context: str | None = Field(default=None, min_length=1)
    builder: str | None = Field(default=None, min_length=1)
    # Push with build cache in the registry (inline cache; registry cache refs with a docker-container builder).
    cache: bool = True
    network: Any = None


class BasesSettings(BaseModel):
    """`bases:` — the registry (host[:port][/prefix]) where `imgforge bases build --push` published the catalog;
    generated Dockerfiles then take the bases from there, pinned by digest."""

    model_config = ConfigDict(extra="forbid")

    registry: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9.\-]+(:\d+)?(/[a-z0-9._/-]+)?$")
    pin: bool = True


def build_settings(path: Path) -> BuildSettings:
    """The project's `build:` section (defaults when absent)."""
    return load_section(path, "build", BuildSettings)


def bases_settings(path: Path) -> BasesSettings:
    """The project's `bases:` section (defaults when absent)."""
    return load_section(path, "bases", BasesSettings)
