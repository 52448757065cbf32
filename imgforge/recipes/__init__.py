"""Recipes: one YAML file per stack (built-ins ship as package data; `recipes/` links to them)."""

from imgforge.recipes.loader import (
    BUILTIN_DIR,
    SCHEMA_FILE,
    Overrides,
    deep_merge,
    load_all,
    load_recipe,
    parse_recipe,
    recipe_files,
)
from imgforge.recipes.model import (
    Artifact,
    Builder,
    Dependencies,
    Detect,
    Health,
    Recipe,
    Resources,
    Runtime,
    Variant,
    recipe_schema,
)

__all__ = [
    "BUILTIN_DIR", "SCHEMA_FILE", "Overrides", "deep_merge", "load_all", "load_recipe", "parse_recipe", "recipe_files",
    "Artifact", "Builder", "Dependencies", "Detect", "Health", "Recipe", "Resources", "Runtime", "Variant",
    "recipe_schema",
]
