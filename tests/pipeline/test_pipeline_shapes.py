"""pipeline.json prints a tag plan and a push result in the CLI's shapes (`tag --json`, `push --json`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgforge.cli import main
from imgforge.pipeline.links import pipeline_json
from imgforge.pipeline.state import PipelineOptions, PipelineResult, PipelineState, Pushed, Tagged
from imgforge.push import PushResult, TagOutcome
from imgforge.registry import Transport
from imgforge.registry.memory import MemoryRegistry
from imgforge.tags import plan_tags

DIGEST = "sha256:" + "b" * 64


def test_pipeline_json_uses_the_cli_shapes(tmp_path: Path) -> None:
    plan = plan_tags("1.2.0", {"1.1.0": DIGEST, "1": DIGEST, "1.1": DIGEST}, latest=True)
    result = PushResult("registry.test/shop/web", DIGEST, True,
                        (TagOutcome("1.2.0", "created", None, DIGEST), TagOutcome("1", "moved", DIGEST, DIGEST)))
    state = PipelineState(tmp_path, PipelineOptions(), tag=Tagged(plan, ""), push=Pushed(result, result.reference, ""))
    doc = json.loads(json.dumps(pipeline_json(state, PipelineResult("web"))))
    assert doc["tag_plan"] == plan.to_json()
    assert doc["push"] == result.to_json()
    one = next(t for t in doc["tag_plan"]["tags"] if t["tag"] == "1")
    assert one["current_versions"] == ["1.1.0"]  # where the floating tag points now, as `tag --json` shows it


def test_tag_json_prints_the_same_shape(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    reg = MemoryRegistry()
    reg.add_image("shop/web", "1.1.0", [b"layer"])
    monkeypatch.setattr(Transport, "send", lambda _self, request: reg(request))
    monkeypatch.chdir(tmp_path)  # no git here: no sha- tag
    assert main(["tag", f"{reg.host}/shop/web", "--version", "1.2.0", "--dry-run", "--json", "--insecure"]) == 0
    printed = json.loads(capsys.readouterr().out)
    existing = {"1.1.0": reg.tags["shop/web"]["1.1.0"]}
    assert printed == plan_tags("1.2.0", existing).to_json()
    assert set(printed) == {"version", "tags", "skipped"}
