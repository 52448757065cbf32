"""`.ci/run` runs the type and lint gate (ruff, mypy --strict) before pytest, and the gate can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gate_runs_before_the_tests() -> None:
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    ruff = lines.index(".venv/bin/ruff check imgforge")
    mypy = lines.index(".venv/bin/python -m mypy --strict imgforge")
    pytest_line = next(i for i, ln in enumerate(lines) if "pytest" in ln and not ln.startswith("#"))
    assert ruff < pytest_line and mypy < pytest_line
    assert "set -euo pipefail" in lines  # a finding stops the run


def test_mypy_strict_fails_on_a_finding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    return x + 1\n")
    res = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(bad)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode != 0 and "no-untyped-def" in res.stdout
