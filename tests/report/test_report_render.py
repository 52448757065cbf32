"""Size report: figures, budgets, comparison, and the three renderings (pure)."""

from __future__ import annotations

import json

from imgforge.report import build_size_report, render_html, render_markdown
from imgforge.report.model import Budgets

SCAN = {
    "image": "127.0.0.1:5000/app:1.1.0",
    "total_bytes": 3_000_000,
    "wasted_bytes": 1_000_000,
    "efficiency": 2 / 3,
    "layers": [
        {"index": 0, "digest": "sha256:aa", "created_by": "debootstrap", "bytes": 1_500_000, "wasted_bytes": 0},
        {"index": 1, "digest": "sha256:bb", "created_by": "RUN make <x> | tee",
         "bytes": 1_400_000, "wasted_bytes": 1_000_000},
        {"index": 2, "digest": "sha256:cc", "created_by": "COPY app /app", "bytes": 100_000, "wasted_bytes": 0},
    ],
    "bloat": [{"path": "tmp/<big>.tar", "added_in": 1, "removed_in": 2, "bytes": 1_000_000}],
    "secrets": [{"rule": "aws-access-key-id", "source": "env", "path": None, "name": "AWS_KEY", "layer": None,
                 "deleted": False, "redacted": "AKIA****MPLE", "fingerprint": "0123456789abcdef"}],
}
PREVIOUS = {
    "image": "127.0.0.1:5000/app:1.0.0",
    "total_bytes": 2_000_000,
    "layers": [
        {"index": 0, "digest": "sha256:aa", "created_by": "debootstrap", "bytes": 1_500_000},
        {"index": 1, "digest": "sha256:b0", "created_by": "RUN make <x> | tee", "bytes": 400_000},
        {"index": 2, "digest": "sha256:c0", "created_by": "COPY old /app", "bytes": 100_000},
    ],
}


def test_comparison_per_layer_and_total():
    rep = build_size_report(SCAN, PREVIOUS)
    assert rep.total_delta == 1_000_000
    assert [r.delta for r in rep.layers] == [0, 1_000_000, 0]
    assert rep.budget_failures == ()


def test_first_version_has_no_deltas():
    rep = build_size_report(SCAN)
    assert rep.total_delta is None and all(r.delta is None for r in rep.layers)


def test_budgets_fail():
    rep = build_size_report(SCAN, PREVIOUS, Budgets(max_size=2_500_000, max_growth=500_000, max_growth_percent=10))
    assert len(rep.budget_failures) == 3
    assert rep.to_json()["gate"] == "fail"


def test_json_round_trips():
    data = json.loads(json.dumps(build_size_report(SCAN, PREVIOUS).to_json()))
    assert data["total_delta"] == 1_000_000 and data["layers"][1]["delta"] == 1_000_000


def test_markdown_escapes_pipes_and_shows_redacted_only():
    md = render_markdown(build_size_report(SCAN, PREVIOUS))
    assert "RUN make <x> \\| tee" in md
    assert "AKIA****MPLE" in md and "+976.6 KiB" in md


def test_html_is_self_contained_and_escaped():
    page = render_html(build_size_report(SCAN, PREVIOUS))
    assert 'id="layer-chart"' in page
    assert "<x>" not in page and "&lt;x&gt;" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "default-src 'none'" in page
