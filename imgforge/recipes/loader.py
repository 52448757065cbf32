"""Find recipes (built-in package data, then the user's folders) and load them with line-aware errors."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from imgforge.errors import UsageError
from imgforge.recipes.model import Recipe
from imgforge.settings import line_of, parse_yaml

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
SCHEMA_FILE = "recipe.schema.json"


@dataclass(frozen=True)
class Overrides:
    """Per-project changes deep-merged onto a recipe, with where they were written (for error lines)."""

    data: Mapping[str, Any]
    source: str
    raw: Any = None
    prefix: tuple[Any, ...] = ()


def recipe_files(extra_dirs: Sequence[Path] = ()) -> dict[str, Path]:
    """Recipe name -> file; a user folder's recipe replaces a built-in one of the same name."""
    found: dict[str, Path] = {}
    for folder in (BUILTIN_DIR, *extra_dirs):
        if not folder.is_dir():
            raise UsageError(f"reading recipes: {folder} is not a folder")
        for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            found[file.stem] = file
    return dict(sorted(found.items()))


def _named(items: Any) -> bool:
    return isinstance(items, list) and bool(items) and all(isinstance(i, Mapping) and "name" in i for i in items)


def deep_merge(base: Any, extra: Any) -> Any:
    """`extra` merged onto `base`: mappings merge key by key; lists of named mappings (builders) merge item by
    `name`, new names appended (a builder given a `build` drops the recipe's `when`); anything else is replaced."""
    if isinstance(base, Mapping) and isinstance(extra, Mapping):
        merged = {k: copy.deepcopy(v) for k, v in base.items()}
        for key, value in extra.items():
            merged[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if _named(base) and _named(extra):
        by_name = {item["name"]: item for item in extra}
        out = [_merge_named(item, by_name.pop(item["name"])) if item["name"] in by_name else copy.deepcopy(item)
               for item in base]
        return out + [copy.deepcopy(item) for item in by_name.values()]
    return copy.deepcopy(extra)


def _merge_named(item: Mapping[str, Any], extra: Mapping[str, Any]) -> Any:
    merged = deep_merge(item, extra)
    if "build" in extra and "when" not in extra:
        merged.pop("when", None)  # a builder given its own build command runs it, whatever the recipe's `when`
    return merged


def _has_path(data: Any, loc: tuple[Any, ...]) -> bool:
    node = data
    for part in loc:
        found = (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if not found:
            return False
        node = node[part]
    return True


def _where(loc: tuple[Any, ...], raw: Any, source: str, overrides: Overrides | None) -> str:
    """`file:line` of the deepest key of `loc`, in the overrides when they set it, else in the recipe."""
    if overrides is not None:
        for cut in range(len(loc), 0, -1):
            if _has_path(overrides.data, loc[:cut]):
                line = line_of(overrides.raw, overrides.prefix + loc[:cut])
                return f"{overrides.source}:{line}" if line else overrides.source
    line = line_of(raw, loc)
    return f"{source}:{line}" if line else source


def parse_recipe(text: str, source: str, overrides: Overrides | None = None) -> Recipe:
    """Validate recipe YAML (after overrides); errors name file, line and key path."""
    raw = parse_yaml(text, source)
    if not isinstance(raw, Mapping):
        raise UsageError(f"reading recipe {source}: the top level must be a mapping")
    data = deep_merge(raw, overrides.data) if overrides is not None else raw
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            path = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{_where(loc, raw, source, overrides)}: {path}: {err['msg']}")
        raise UsageError("invalid recipe: " + "; ".join(problems)) from exc


@functools.lru_cache(maxsize=64)
def _parse_plain(text: str, source: str) -> Recipe:
    """A recipe without overrides, parsed once per text: the YAML parse dominates loading many projects."""
    return parse_recipe(text, source)


def load_recipe(name: str, extra_dirs: Sequence[Path] = (), overrides: Overrides | None = None) -> tuple[Recipe, Path]:
    """Load recipe `name` (built-in or from `extra_dirs`) with `overrides` merged; return it and its file."""
    files = recipe_files(extra_dirs)
    if name not in files:
        raise UsageError(f"loading recipe {name!r}: no such recipe (known: {', '.join(files)})")
    file = files[name]
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"reading recipe {file}: {exc}") from exc
    recipe = parse_recipe(text, str(file), overrides) if overrides is not None else _parse_plain(text, str(file))
    if recipe.name != name:
        raise UsageError(f"invalid recipe: {file}: name: {recipe.name!r} differs from the file name {name!r}")
    return recipe, file


def load_all(extra_dirs: Sequence[Path] = ()) -> list[Recipe]:
    """Every recipe, validated, in name order."""
    return [load_recipe(name, extra_dirs)[0] for name in recipe_files(extra_dirs)]
