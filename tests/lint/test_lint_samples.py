"""The generator's sample Dockerfiles lint clean; their naive single-stage twins do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.lint import LintConfig, lint

SAMPLES = Path(__file__).parent.parent.parent / "samples"
GENERATED = sorted(SAMPLES.glob("*/Dockerfile"))
SINGLE = sorted(SAMPLES.glob("*/Dockerfile.single"))


def test_there_are_samples() -> None:
    assert len(GENERATED) >= 3 and len(SINGLE) >= 3


@pytest.mark.parametrize("path", GENERATED, ids=[p.parent.name for p in GENERATED])
def test_generated_dockerfile_has_no_warnings(path: Path) -> None:
    findings = lint(path.read_text(encoding="utf-8"), str(path), LintConfig())
    assert [(f.line, f.rule, f.message) for f in findings if f.severity != "info"] == []


def test_single_stage_twins_are_flagged() -> None:
    rules = {f.rule for p in SINGLE for f in lint(p.read_text(encoding="utf-8"), str(p))}
    assert {"USR001", "MS002"} <= rules
