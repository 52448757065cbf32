"""The workflow and the composite action validate against their published JSON schemas
(vendored by check-jsonschema)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHECK = [sys.executable, "-m", "check_jsonschema"]


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", p) for p in sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    + [("vendor.github-actions", ROOT / "action.yml")],
    ids=lambda v: str(v).rsplit("/", 1)[-1],
)
def test_validates_against_published_schema(schema: str, path: Path):
    res = subprocess.run([*CHECK, "--builtin-schema", schema, str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_schema_check_can_fail(tmp_path: Path):
    bad = tmp_path / "action.yml"
    bad.write_text("name: x\nruns:\n  using: composite\n  steps: 12\n")
    res = subprocess.run([*CHECK, "--builtin-schema", "vendor.github-actions", str(bad)],
                         capture_output=True, text=True)
    assert res.returncode != 0


def test_action_inputs_reach_the_pipeline_only_through_env():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    run_step = next(s for s in action["runs"]["steps"] if s.get("id") == "pipeline")
    assert "${{" not in run_step["run"], "inputs must not be spliced into the script"
    assert set(action["inputs"]) >= {"path", "version", "registry", "fail-on"}
