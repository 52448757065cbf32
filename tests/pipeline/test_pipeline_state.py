"""Pure logic of the pipeline: the frozen state, stage skipping, the settings read once, the previous version."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.lint import LintReport
from imgforge.pipeline import PipelineOptions, PipelineState
from imgforge.pipeline.stages import STAGES
from imgforge.pipeline.state import Linted
from imgforge.project import load_project
from imgforge.report.previous import previous_tag
from imgforge.settings import load_raw, pinned

SETTINGS = "recipe: python\nimage:\n  name: team/app\n"


def test_a_result_lands_in_its_own_field_of_a_new_state() -> None:
    state = PipelineState(Path("/p"), PipelineOptions())
    linted = Linted(LintReport(findings=(), files=()), "no findings")
    later = state.with_result(linted)
    assert later.lint is linted and state.lint is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        later.lint = None  # type: ignore[misc]


@pytest.mark.parametrize(("push", "verify", "expected"), [
    (True, True, {}),
    (True, False, {"verify": "--no-verify"}),
    (False, True, dict.fromkeys(("verify", "tag", "push", "manifest", "attach"), "--no-push")),
])
def test_options_skip_stages(push: bool, verify: bool, expected: dict[str, str]) -> None:
    state = PipelineState(Path("/p"), PipelineOptions(push=push, verify=verify))
    skipped = {s.name: why for s in STAGES if (why := s.skipped_because(state)) is not None}
    assert skipped == expected


def test_verify_comes_before_any_tag_or_push() -> None:
    names = [s.name for s in STAGES]
    assert names.index("verify") < names.index("tag") < names.index("push")


def test_pipeline_default_kind_is_a_deployment() -> None:
    assert PipelineOptions().kind == "deployment"


def test_pinned_settings_are_not_read_again(tmp_path: Path) -> None:
    file = tmp_path / "imgforge.yaml"
    file.write_text(SETTINGS)
    with pinned(file, load_raw(file)):
        file.write_text("recipe: [broken\n")
        assert load_raw(tmp_path)["image"]["name"] == "team/app"
    with pytest.raises(UsageError, match="imgforge.yaml"):
        load_raw(tmp_path)


def test_project_keeps_the_whole_document_and_validates_sections(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "imgforge.yaml").write_text(SETTINGS + "dockerfile: Dockerfile.own\n")
    project = load_project(tmp_path)
    assert project.settings.dockerfile == "Dockerfile.own" and project.raw["image"]["name"] == "team/app"
    with pytest.raises(UsageError, match=r"imgforge.yaml:4: dockerfile: Dockerfile.own does not exist"):
        project.own_dockerfile()
    (tmp_path / "Dockerfile.own").write_text("FROM scratch\n")
    assert project.own_dockerfile() == (tmp_path / "Dockerfile.own").resolve()


def test_dockerfile_key_goes_through_the_model(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "imgforge.yaml").write_text(SETTINGS + "dockerfile: [a, b]\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:4: dockerfile: Input should be a valid string"):
        load_project(tmp_path)


def test_previous_tag_is_the_highest_earlier_stable_version() -> None:
    tags = ["1.0.0", "1.2.0", "1.2.1-rc.1", "1.3.0", "latest", "1.2", "sha-abc1234"]
    assert previous_tag(tags, "1.2.1") == "1.2.0"
    assert previous_tag(tags, "1.0.0") is None
    assert previous_tag(tags, "2.0.0") == "1.3.0"
