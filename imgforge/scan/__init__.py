"""Scan an image's layers in one streaming pass: filesystem accounting (bloat), secrets, and policy gates.

    report = scan("app:1.2.3", dockerfile="Dockerfile")
    failed = evaluate(report, ScanPolicy(fail_on_secrets=True, min_efficiency=0.9))
"""

from __future__ import annotations

from imgforge.image import open_image
from imgforge.scan.accounting import Accounting, account
from imgforge.scan.engine import NoDetector, scan
from imgforge.scan.layer import LayerScan, Limits, scan_layer
from imgforge.scan.policy import ScanPolicy, evaluate, load_baseline
from imgforge.scan.report import BloatItem, Figures, LayerRow, ScanReport, SecretFinding

__all__ = [
    "Accounting", "BloatItem", "Figures", "LayerRow", "LayerScan", "Limits", "NoDetector", "ScanPolicy",
    "ScanReport", "SecretFinding", "account", "evaluate", "load_baseline", "open_image", "scan", "scan_layer",
]
