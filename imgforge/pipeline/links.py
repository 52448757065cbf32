"""pipeline.json: one file that links each Dockerfile line → layers → bytes → findings → tags → digest → manifests."""

from __future__ import annotations

from typing import Any, cast

from imgforge.pipeline.state import PipelineResult, PipelineState


def _line_entry(lines: dict[int, dict[str, Any]], line: object) -> dict[str, Any] | None:
    if not isinstance(line, int):
        return None
    return lines.setdefault(line, {"line": line, "layers": [], "lint": [], "secrets": []})


def pipeline_json(state: PipelineState, result: PipelineResult) -> dict[str, Any]:
    """The document written as dist/<image>/pipeline.json."""
    lines: dict[int, dict[str, Any]] = {}
    layers: list[dict[str, Any]] = []
    if state.scan is not None:
        doc = state.scan.report.to_json()
        for row in doc["layers"]:
            layers.append(row)
            entry = _line_entry(lines, row.get("dockerfile_line"))
            if entry is not None:
                entry["layers"].append({"index": row.get("index"), "bytes": row.get("bytes"),
                                        "wasted_bytes": row.get("wasted_bytes")})
        for s in doc["secrets"]:
            entry = _line_entry(lines, s.get("dockerfile_line"))
            if entry is not None:
                entry["secrets"].append({k: s.get(k) for k in ("rule", "path", "name", "layer", "redacted")})
    if state.lint is not None:
        for f in cast(list[dict[str, Any]], state.lint.report.to_json()["findings"]):
            entry = _line_entry(lines, f.get("line"))
            if entry is not None:
                entry["lint"].append({k: f.get(k) for k in ("rule", "severity", "message")})
    gen = state.generate
    return {
        **result.to_json(),
        "version": gen.version if gen is not None else None,
        "dockerfile": str(gen.dockerfile) if gen is not None else "",
        "local_image": state.build.local_image if state.build is not None else None,
        "image": state.push.pinned if state.push is not None else None,
        "lines": [lines[k] for k in sorted(lines)],
        "layers": layers,
        # The CLI's shapes (`tag --json`, `push --json`): one to_json() each.
        "tag_plan": state.tag.plan.to_json() if state.tag is not None else None,
        "push": state.push.result.to_json() if state.push is not None else None,
        "manifests": list(state.manifest.files) if state.manifest is not None else [],
        "artifact": state.attach.digest if state.attach is not None else None,
    }
