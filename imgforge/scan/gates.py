"""The gates that judge a report, over any policy with ScanPolicy's fields, and the baseline reader.

Kept apart from `ScanPolicy` (a pydantic model): a scan with the default policy needs neither pydantic
nor the settings machinery, ~0.15 s of a `scan ARCHIVE` process (python -X importtime).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from imgforge.errors import UsageError
from imgforge.scan.report import ScanReport, human
from imgforge.smallfile import read_regular

# A baseline may be a whole scan report; its path may come from a pull request's imgforge.yaml (never /dev/zero).
MAX_BASELINE_BYTES = 64 << 20


class Policy(Protocol):
    """What a scan reads of its policy: `ScanPolicy` and `DEFAULT_POLICY` both have it."""

    @property
    def fail_on_secrets(self) -> bool: ...
    @property
    def max_wasted_bytes(self) -> int | None: ...
    @property
    def min_efficiency(self) -> float | None: ...
    @property
    def max_size(self) -> int | None: ...
    @property
    def baseline(self) -> str | None: ...
    @property
    def base_layers(self) -> int | None: ...
    @property
    def max_layer_bytes(self) -> int: ...
    @property
    def max_ratio(self) -> float: ...
    @property
    def jobs(self) -> int: ...


@dataclass(frozen=True)
class DefaultPolicy:
    """ScanPolicy's defaults, without pydantic (tests/scan/test_scan_formats.py checks they agree)."""

    fail_on_secrets: bool = False
    max_wasted_bytes: int | None = None
    min_efficiency: float | None = None
    max_size: int | None = None
    baseline: str | None = None
    base_layers: int | None = None
    max_layer_bytes: int = 64 << 30
    max_ratio: float = 1000.0
    jobs: int = 2


DEFAULT_POLICY = DefaultPolicy()


def evaluate(report: ScanReport, policy: Policy) -> list[str]:
    """The gates `report` fails under `policy`, each as one sentence (empty when all pass)."""
    failed = []
    if policy.fail_on_secrets and report.secrets:
        first = report.secrets[0]
        where = (f"{first.path}:{first.line}" if first.path and first.line else first.path
                 or f"{first.source} {first.name}")
        # The one line a pipeline ends on says where to look and what to change, not only how many.
        failed.append(f"secrets: {len(report.secrets)} finding(s) not in the baseline (first: {first.rule} in "
                      f"{where}); take them out of the image, or accept them: copy this run's scan.json (it lists "
                      "their fingerprints) beside imgforge.yaml and name the copy in scan.baseline")
    if policy.max_wasted_bytes is not None and report.wasted_bytes > policy.max_wasted_bytes:
        failed.append(f"wasted bytes: {human(report.wasted_bytes)} > {human(int(policy.max_wasted_bytes))}")
    if policy.min_efficiency is not None and report.efficiency < policy.min_efficiency:
        failed.append(f"efficiency: {report.efficiency:.4f} < {policy.min_efficiency:.4f}")
    if policy.max_size is not None and report.total_bytes > policy.max_size:
        failed.append(f"size: {human(report.total_bytes)} > {human(int(policy.max_size))}")
    return failed


def load_baseline(path: str) -> frozenset[str]:
    """Accepted fingerprints from a baseline file: a JSON list, `{"fingerprints": [...]}`, or a scan JSON report."""
    raw = read_regular(path, "baseline", MAX_BASELINE_BYTES)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError; deep nesting recurses
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
