"""Scan an image's layers in one streaming pass: filesystem accounting (bloat), secrets, and policy gates.

    report = scan("app:1.2.3", dockerfile="Dockerfile")
    failed = evaluate(report, ScanPolicy(fail_on_secrets=True, min_efficiency=0.9))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imgforge.image import open_image
from imgforge.scan.accounting import Accounting, account
from imgforge.scan.engine import NoDetector, scan
from imgforge.scan.gates import DEFAULT_POLICY, Policy, evaluate, load_baseline
from imgforge.scan.layer import LayerScan, Limits, scan_layer
from imgforge.scan.report import BloatItem, Figures, LayerRow, ScanReport, SecretFinding

if TYPE_CHECKING:
    from imgforge.scan.policy import ScanPolicy

__all__ = [
    "DEFAULT_POLICY", "Accounting", "BloatItem", "Figures", "LayerRow", "LayerScan", "Limits", "NoDetector", "Policy",
    "ScanPolicy", "ScanReport", "SecretFinding", "account", "evaluate", "load_baseline", "open_image", "scan",
    "scan_layer",
]


def __getattr__(name: str) -> object:
    # Deferred: ScanPolicy is a pydantic model (~0.1 s of imports); `scan ARCHIVE` with default settings never
    # needs it (it scans with DEFAULT_POLICY).
    if name == "ScanPolicy":
        from imgforge.scan.policy import ScanPolicy

        return ScanPolicy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
