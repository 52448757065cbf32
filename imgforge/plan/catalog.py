"""Which base images of the catalog changed between two revisions of its definition file (`env/bases.py`).

The definitions are code (f-strings, helper calls), so each revision's file is run in a throw-away module
and its `definition()` digests compared; a file that cannot be run counts as every base changed. The engine
client import is dropped first: definitions never call it, and importing it costs most of `plan`'s second.
"""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path

from imgforge.plan.git import Range, file_at

# Where the catalog lives in imgforge's own repository (and in any checkout that vendors it).
CATALOG_FILE = "imgforge/env/bases.py"
# Returned when a revision cannot be read: every base counts as changed.
EVERY_BASE = frozenset({"*"})
_ENGINE_CLIENT = "python_on_whales"


def _engine_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_ENGINE_CLIENT)


def _definitions(text: str) -> dict[str, str] | None:
    """Base reference -> definition digest for one revision of the catalog file (None when it cannot run)."""
    name = "_imgforge_plan_catalog"
    module = types.ModuleType(name)
    # dataclasses look their module up in sys.modules while the class is made.
    sys.modules[name] = module
    try:
        tree = ast.parse(text, CATALOG_FILE)
        tree.body = [node for node in tree.body if not _engine_import(node)]
        exec(compile(tree, CATALOG_FILE, "exec"), module.__dict__)  # noqa: S102 - the repository's own catalog
        catalog = module.__dict__["CATALOG"]
        definition: Callable[[object], str] = module.__dict__["definition"]
        return {str(base.ref): definition(base) for base in catalog}
    except Exception:  # noqa: BLE001 - any failure of old code means: assume every base changed
        return None
    finally:
        del sys.modules[name]


def changed_bases(root: Path, rng: Range, changed: Iterable[str]) -> frozenset[str]:
    """The references whose definition differs between the range's ends (empty when the file did not change)."""
    if CATALOG_FILE not in set(changed):
        return frozenset()
    old_text = file_at(root, rng.base, CATALOG_FILE)
    new_text = file_at(root, rng.head, CATALOG_FILE)
    old = _definitions(old_text) if old_text is not None else {}
    new = _definitions(new_text) if new_text is not None else {}
    if old is None or new is None:
        return EVERY_BASE
    return frozenset(ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref))


def uses(image: str, bases: frozenset[str]) -> str | None:
    """The changed base `image` names (with or without a registry prefix or digest), else None."""
    name = image.split("@", 1)[0]
    for ref in bases:
        if ref == "*" or name == ref or name.endswith("/" + ref):
            return ref if ref != "*" else name
    return None
