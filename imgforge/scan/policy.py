"""The scan policy (`scan:` section of imgforge.yaml, or CLI flags) and the gate that judges a report."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ByteSize, ConfigDict, Field

from imgforge.errors import UsageError
from imgforge.scan.report import ScanReport, human


class ScanPolicy(BaseModel):
    """Gates and knobs of a scan; sizes accept `500MB`, `1.5GiB` or plain bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_on_secrets: bool = False
    max_wasted_bytes: ByteSize | None = None
    min_efficiency: float | None = Field(default=None, ge=0.0, le=1.0)
    max_size: ByteSize | None = None
    baseline: str | None = None
    base_layers: int | None = Field(default=None, ge=0)
    max_layer_bytes: ByteSize = ByteSize(64 << 30)
    max_ratio: float = Field(default=1000.0, gt=1.0)
    jobs: int = Field(default=2, ge=1, le=64)


def evaluate(report: ScanReport, policy: ScanPolicy) -> list[str]:
    """The gates `report` fails under `policy`, each as one sentence (empty when all pass)."""
    failed = []
    if policy.fail_on_secrets and report.secrets:
        failed.append(f"secrets: {len(report.secrets)} finding(s) not in the baseline")
    if policy.max_wasted_bytes is not None and report.wasted_bytes > policy.max_wasted_bytes:
        failed.append(f"wasted bytes: {human(report.wasted_bytes)} > {human(int(policy.max_wasted_bytes))}")
    if policy.min_efficiency is not None and report.efficiency < policy.min_efficiency:
        failed.append(f"efficiency: {report.efficiency:.4f} < {policy.min_efficiency:.4f}")
    if policy.max_size is not None and report.total_bytes > policy.max_size:
        failed.append(f"size: {human(report.total_bytes)} > {human(int(policy.max_size))}")
    return failed


def load_baseline(path: str) -> frozenset[str]:
    """Accepted fingerprints from a baseline file: a JSON list, `{"fingerprints": [...]}`, or a scan JSON report."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"reading baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UsageError(f"reading baseline {path}: not valid JSON") from exc
    items: object = doc
    if isinstance(doc, dict):
        items = doc.get("fingerprints") or doc.get("secrets") or doc.get("findings") or []
    if not isinstance(items, list):
        raise UsageError(f"reading baseline {path}: expected a list of fingerprints")
    out = set()
    for item in items:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict) and isinstance(item.get("fingerprint"), str):
            out.add(item["fingerprint"])
    return frozenset(out)
