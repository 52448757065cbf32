"""Failures end the normal way: a failing RUN gives the failure summary, a broken image never gets a tag."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from pipelinehelp import imgforge, sample_copy

from imgforge import settings as settings_module
from imgforge.pipeline import PipelineOptions, run_pipeline
from imgforge.registry.client import RegistryClient

FAILING = """\
FROM imgforge/python:3.11
RUN echo '[bold]boom[/bold] :warning: [/bin/sh -c nested]' && false
"""


def test_failing_run_gives_the_normal_failure_summary(docker, tmp_path: Path) -> None:
    project = sample_copy("python-web", tmp_path, extra_yaml="dockerfile: Dockerfile.fail\n")
    (project / "Dockerfile.fail").write_text(FAILING)
    summary = tmp_path / "summary.md"
    res = imgforge("pipeline", project, "--version", "1.0.0", "--no-push", "--fail-on", "never",
                   "--dist", tmp_path / "dist", "--summary", summary)
    both = res.stdout + res.stderr
    assert res.returncode == 1, both[-3000:]
    assert "Traceback" not in both and "MarkupError" not in both
    # The engine's own words arrive as written: brackets kept, no markup applied, no emoji made.
    assert "executor failed running [/bin/sh -c" in res.stderr or "did not complete successfully" in res.stderr
    assert "[bold]boom[/bold] :warning:" in both and "⚠" not in both
    assert "build failed" in res.stderr
    text = summary.read_text(encoding="utf-8")
    assert "❌" in text and "| build | failed |" in text and "| scan | skipped |" in text
    table = text[text.index("| stage |"):].split("\n\n")[0].splitlines()
    assert len(table) == 2 + 10 and all(row.startswith(("| ", "|---")) for row in table)


@pytest.fixture
def count_reads(monkeypatch) -> list[str]:
    """Every imgforge.yaml the settings loader parses from disk."""
    reads: list[str] = []
    real = settings_module.parse_yaml

    def counting(text: str, source: str) -> object:
        if source.endswith("imgforge.yaml"):
            reads.append(source)
        return real(text, source)

    monkeypatch.setattr(settings_module, "parse_yaml", counting)
    return reads


def test_an_image_that_cannot_start_gets_no_tag(docker, registry, tmp_path: Path, count_reads) -> None:
    project = sample_copy("python-web", tmp_path)
    (project / "app.py").write_text('import sys\n\nsys.exit("cannot start: missing configuration")\n')
    repo = next(line.split(": ", 1)[1] for line in (project / "imgforge.yaml").read_text().splitlines()
                if line.strip().startswith("name: "))
    options = PipelineOptions(version="1.0.0", registry=registry.address, dist=tmp_path / "dist")
    result = run_pipeline(project, options)
    status = {s.name: s.status for s in result.stages}
    assert status["verify"] == "failed", result.stages
    assert result.exit_code == 1
    assert [status[s] for s in ("tag", "push", "manifest", "attach")] == ["skipped"] * 4
    assert "nothing was tagged or pushed" in (result.failed_stage.detail if result.failed_stage else "")
    # No tag at all in the registry: neither the version nor the floating ones.
    assert RegistryClient(registry.address).tag_digests(repo, ["1.0.0", "1.0", "1"]) == {}
    with urllib.request.urlopen(f"{registry.url}/v2/_catalog?n=1000", timeout=5) as resp:
        assert repo not in json.load(resp)["repositories"]
    # imgforge.yaml was read from disk once for the whole run, every stage included.
    assert count_reads == [str(project / "imgforge.yaml")]
    links = json.loads((tmp_path / "dist" / repo / "pipeline.json").read_text())
    assert links["image"] is None and links["push"] is None and links["layers"]


def test_lint_gate_names_a_finding_that_fails_it(tmp_path: Path) -> None:
    # sveltejs/realworld: the gate failed on an error (SEC003, line 9) and the message named line 4's info.
    project = sample_copy("python-web", tmp_path, extra_yaml="dockerfile: Dockerfile.own\n")
    # a credential setting (lint reads setting names only; a settings-only .npmrc is no finding)
    (project / ".npmrc").write_text("engine-strict=true\n//npm.corp.example/:_authToken=made-up-for-this-test\n")
    (project / "Dockerfile.own").write_text('FROM imgforge/python:3.11\nCOPY .npmrc /app/\nUSER 10001\n'
                                            'CMD ["python3", "app.py"]\n')
    res = imgforge("pipeline", project, "--version", "1.0.0", "--no-push", "--dist", tmp_path / "dist")
    assert res.returncode == 1, res.stderr[-2000:]
    [last] = res.stderr.strip().splitlines()[-1:]
    assert "lint gate (--fail-on error): 1 error, 1 info; first: line 2 SEC003: COPY .npmrc" in last, last
