"""`imgforge init`: detect the stack and write the project's settings (`imgforge.yaml`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from imgforge.errors import UsageError
from imgforge.generate.detect import detect_stack
from imgforge.recipes import load_recipe
from imgforge.settings import SETTINGS_FILE


@dataclass(frozen=True)
class InitPlan:
    """What `init` writes and where."""

    path: Path
    text: str
    recipe: str


def _default_name(root: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-") or "app"


def plan_init(
    path: Path,
    recipe: str | None = None,
    name: str | None = None,
    version_source: str = "file",
    port: int | None = None,
    recipes_path: str | None = None,
    extra_dirs: Sequence[Path] = (),
) -> InitPlan:
    """The settings `init` would write for the project at `path` (validated; nothing written)."""
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"init: {root} is not a folder")
    dirs = list(extra_dirs) + ([(root / recipes_path).resolve()] if recipes_path else [])
    chosen = recipe or detect_stack(root, dirs)
    found, _ = load_recipe(chosen, dirs)
    if version_source not in ("file", "git", "fixed"):
        raise UsageError(f"init: --version-source {version_source!r}: use file, git or fixed")
    settings: dict[str, object] = {"recipe": chosen}
    if recipes_path:
        settings["recipes_path"] = recipes_path
    settings["image"] = {"name": name or _default_name(root)}
    settings["version"] = {"source": version_source}
    if version_source == "file":
        settings["version"] = {"source": "file", "file": "VERSION"}
    if port is not None and port != found.runtime.port:
        settings["overrides"] = {"runtime": {"port": port}}
    head = (
        f"# imgforge settings. Recipe {chosen!r}: {found.description.strip()}\n"
        "# Change any recipe field under `overrides:` (deep-merged onto the recipe, then validated).\n"
    )
    return InitPlan(root / SETTINGS_FILE, head + yaml.safe_dump(settings, sort_keys=False), chosen)


def write_init(plan: InitPlan, force: bool = False) -> None:
    """Write the settings; refuse to replace an existing file unless `force`."""
    if plan.path.exists() and not force:
        raise UsageError(f"init: {plan.path} already exists (use --force to replace it)")
    try:
        plan.path.write_text(plan.text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"init: writing {plan.path}: {exc}") from exc
