"""The JSON shapes of a tag plan and a push result, one for the CLI and pipeline.json alike.

TODO(transport, issue 15): `TagPlan.to_json()` and `PushResult.to_json()` land with the registry half
of issue 15; once merged, call them directly and delete the fallbacks below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imgforge.push import PushResult
from imgforge.tags import TagPlan, versions_at


def plan_json(plan: TagPlan, existing: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plan as JSON: its own `to_json()` when it has one, else the CLI's shape until then."""
    own = getattr(plan, "to_json", None)
    if callable(own):
        return dict(own())
    held = existing or {}
    return {"version": plan.version,
            "tags": [{"tag": t.tag, "kind": t.kind, "action": t.action, "current": t.current,
                      "current_versions": versions_at(t.current, held)} for t in plan.tags],
            "skipped": [{"tag": tag, "why": why} for tag, why in plan.skipped]}


def push_json(result: PushResult) -> dict[str, Any]:
    """The push result as JSON: its own `to_json()` when it has one, else the CLI's shape until then."""
    own = getattr(result, "to_json", None)
    if callable(own):
        return dict(own())
    return {"repository": result.repository, "digest": result.digest, "uploaded": result.uploaded,
            "tags": [{"tag": t.tag, "action": t.action, "before": t.before} for t in result.tags]}
