"""`imgforge init`: detect the stack, read the project's start command, port and health, write `imgforge.yaml`.

What init found is written under `overrides:` and `manifest:` with a comment saying why, so the user sees it
and can change it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from imgforge.build.pyindex import PackageIndex
from imgforge.errors import UsageError
from imgforge.generate import DOCKERFILE, DOCKERIGNORE, targets
from imgforge.generate.detect import detect_stack, matching
from imgforge.generate.init.overrides import detected
from imgforge.generate.init.project import findings
from imgforge.generate.init.toolchain import toolchain_images
from imgforge.generate.init.version import version_section
from imgforge.generate.owndockerfile import NAMES as OWN_NAMES
from imgforge.generate.owndockerfile import RECIPE as OWN_RECIPE
from imgforge.generate.owndockerfile import find_own, own_settings, read_own
from imgforge.recipes import load_recipe
from imgforge.settings import SETTINGS_FILE

__all__ = ["InitPlan", "findings", "plan_init", "write_init"]


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
    version_source: str | None = None,
    port: int | None = None,
    recipes_path: str | None = None,
    extra_dirs: Sequence[Path] = (),
    index: PackageIndex | None = None,
) -> InitPlan:
    """The settings `init` would write for the project at `path` (validated; nothing written); `index` is the
    package index asked about exact pins (default: pip's, unless IMGFORGE_NO_INDEX is set)."""
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"init: {root} is not a folder")
    dirs = list(extra_dirs) + ([(root / recipes_path).resolve()] if recipes_path else [])
    own_name = find_own(root) if recipe in (None, OWN_RECIPE) else None
    if recipe == OWN_RECIPE and own_name is None:
        raise UsageError(f"init: recipe {OWN_RECIPE!r} builds the project's own Dockerfile, and {root} has no "
                         f"{' or '.join(OWN_NAMES)}")
    own = read_own(root, own_name) if own_name and (recipe or not matching(root, dirs)) else None
    chosen = OWN_RECIPE if own is not None else recipe or detect_stack(root, dirs)
    found, _ = load_recipe(chosen, dirs)
    version, why = version_section(root, version_source)
    settings: dict[str, object] = {"recipe": chosen}
    if recipes_path:
        settings["recipes_path"] = recipes_path
    settings["image"] = {"name": name or _default_name(root)}
    head = (
        f"# imgforge settings. Recipe {chosen!r}: {found.description.strip()}\n"
        "# Change any recipe field under `overrides:` (deep-merged onto the recipe, then validated).\n"
    )
    # A project built from its own Dockerfile (`own`) gets nothing generated beside it.
    beside = targets(root)
    if own is None and beside.dockerfile != DOCKERFILE:
        head += (f"# The project's own Dockerfile is kept: imgforge writes the one it generates as {beside.dockerfile}"
                 f" (with {beside.dockerignore}); `dockerfile: Dockerfile` builds yours instead.\n")
    elif own is None and beside.dockerignore != DOCKERIGNORE:
        head += (f"# The project's own .dockerignore is kept; the generated Dockerfile's build reads "
                 f"{beside.dockerignore} (add entries under overrides.dockerignore).\n")
    body = yaml.safe_dump(settings, sort_keys=False)
    body += (f"# Version from {why}.\n" if why else "") + yaml.safe_dump({"version": version}, sort_keys=False)
    if own is not None:
        if port is not None:
            own = replace(own, port=port, port_why="given with --port")
        return InitPlan(root / SETTINGS_FILE, head + body + "\n".join(own_settings(own, found.runtime.port)) + "\n",
                        chosen)
    lines = detected(findings(root, found), found, port, toolchain_images(found, root, index))
    text = head + body + ("\n".join(lines) + "\n" if lines else "")
    return InitPlan(root / SETTINGS_FILE, text, chosen)


def write_init(plan: InitPlan, force: bool = False) -> None:
    """Write the settings; refuse to replace an existing file unless `force`."""
    if plan.path.exists() and not force:
        raise UsageError(f"init: {plan.path} already exists (use --force to replace it)")
    try:
        plan.path.write_text(plan.text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"init: writing {plan.path}: {exc}") from exc
