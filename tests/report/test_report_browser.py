"""The HTML report in headless Chromium: the chart renders with a real size, and the page fetches nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from imgforge.report import build_size_report, render_html

from test_report_render import PREVIOUS, SCAN

IN_CI = __import__("os").environ.get("CI", "").lower() in ("1", "true", "yes")

# Test-only probe appended to a copy of the page: counts fetched resources and CSP-blocked fetches.
PROBE = (
    "<script>var v=0;document.addEventListener('securitypolicyviolation',function(){v++;});"
    "window.addEventListener('load',function(){setTimeout(function(){"
    "document.body.setAttribute('data-resources',performance.getEntriesByType('resource').length);"
    "document.body.setAttribute('data-violations',v);},50);});</script>"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("google-chrome")
    if path is None:
        if IN_CI:
            pytest.fail("chromium is not installed (.ci/setup installs it)", pytrace=False)
        pytest.skip("chromium is not installed")
    return path


def test_chart_renders_and_nothing_is_fetched(chromium: str, tmp_path: Path):
    page = render_html(build_size_report(SCAN, PREVIOUS))
    html = tmp_path / "report.html"
    html.write_text(page.replace("</body>", PROBE + "</body>"))
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'p1'}", f"--screenshot={shot}", "--window-size=1100,900",
         html.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'p2'}", "--virtual-time-budget=3000", "--dump-dom",
         html.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    attrs = dict(re.findall(r'data-([a-z-]+)="(\d+)"', dom))
    assert int(attrs["chart-width"]) > 0 and int(attrs["chart-height"]) > 0
    assert attrs["resources"] == "0" and attrs["violations"] == "0"
