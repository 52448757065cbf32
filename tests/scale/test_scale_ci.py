"""The workflow's plan and matrix jobs are wired together, and the action's plan step really plans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from scalehelp import commit, git

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def test_the_matrix_job_takes_one_affected_project_per_runner() -> None:
    jobs = _load(ROOT / ".github/workflows/ci.yml")["jobs"]
    plan, matrix = jobs["plan"], jobs["pipeline"]
    assert plan["steps"][0]["with"]["fetch-depth"] == 0, "plan compares with the base commit: full history"
    step = next(s for s in plan["steps"] if s.get("id") == "plan")
    assert step["with"]["mode"] == "plan"
    assert plan["outputs"] == {"matrix": "${{ steps.plan.outputs.matrix }}", "count": "${{ steps.plan.outputs.count }}"}
    assert "plan" in matrix["needs"]
    assert matrix["if"] == "needs.plan.outputs.count != '0'", "an empty matrix is an error in GitHub Actions"
    assert matrix["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    uses = next(s for s in matrix["steps"] if s.get("uses") == "./")
    assert uses["with"]["path"] == "${{ matrix.project }}"


def _plan_step(tmp_path: Path, repo: Path, since: str) -> dict[str, str]:
    """Run the action's plan step script as the runner would (inputs in the environment)."""
    action = _load(ROOT / "action.yml")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "plan")
    assert "${{" not in step["run"], "inputs must not be spliced into the script"
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "imgforge").write_text(f'#!/bin/sh\nexec {sys.executable} -m imgforge "$@"\n')
    (shim / "imgforge").chmod(0o755)
    out = tmp_path / "github-output"
    out.write_text("")
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}", "GITHUB_OUTPUT": str(out),
           "PYTHONPATH": str(ROOT), "INPUT_PATH": "services", "INPUT_SINCE": since, "INPUT_ALL_ON": "ci/** *.toml"}
    res = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return dict(line.split("=", 1) for line in out.read_text().splitlines())


def test_the_action_plan_step_plans_from_the_base_commit(mono: Path, tmp_path: Path) -> None:
    base = git(mono, "rev-parse", "HEAD")
    (mono / "services/c/app.py").write_text("print(2)\n")
    commit(mono, "c")
    outputs = _plan_step(tmp_path, mono, base)
    assert json.loads(outputs["matrix"]) == {"include": [{"project": "services/c", "image": "mono/c"}]}
    assert outputs["count"] == "1"
    (mono / "ci").mkdir()
    (mono / "ci/x.sh").write_text("true\n")
    commit(mono, "ci")
    assert _plan_step(tmp_path, mono, base)["count"] == "5", "a change matching all-on plans every project"
    # A base the clone does not have (a force-push, a shallow clone): every project, never a silent empty plan.
    assert _plan_step(tmp_path, mono, "0" * 40)["count"] == "5"
