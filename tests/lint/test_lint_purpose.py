"""An image's purpose (dev, test/CI, fixture, docs) from its path, what it demotes, and the `purpose:` setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from imgforge.cli._common import run_guarded
from imgforge.cli.lint_cmd import register
from imgforge.errors import UsageError
from imgforge.lint import LintConfig, lint, lint_files, load_config

# PC001 (lists left), USR001 (a server as root), PIN001 (no tag): hygiene warnings of a shipped image.
SERVICE = 'FROM ubuntu\nRUN apt-get update && apt-get install -y curl\nEXPOSE 8080\nCMD ["my-server"]\n'
HYGIENE = {"PC001", "USR001", "PIN001"}
# a credential (SEC001) and a malformed flag (SYN002) beside the hygiene findings
SECRET = SERVICE + "ENV API_TOKEN=s3cr3t-Value-42\nCOPY --chown app /app\n"

_APP = typer.Typer()
register(_APP)
_APP.command("noop", hidden=True)(lambda: None)


def _severities(text: str, path: str, config: LintConfig | None = None) -> dict[str, str]:
    return {f.rule: f.severity for f in lint(text, path, config)}


def _assert_hygiene_is(severities: dict[str, str], severity: str) -> None:
    # USR001 may be absent: a path named like a toolchain (`ci/`, `Dockerfile.dev`) already reads as a base image;
    # so may PIN001: a name that says it builds a rolling variant (`latest.Dockerfile`, `edge/dev/`) floats on purpose
    found = {r: s for r, s in severities.items() if r in HYGIENE}
    assert "PC001" in found and set(found.values()) == {severity}, found


def test_a_plain_service_keeps_its_warnings() -> None:
    assert _severities(SERVICE, "Dockerfile")["USR001"] == "warning"
    _assert_hygiene_is(_severities(SERVICE, "Dockerfile"), "warning")
    _assert_hygiene_is(_severities(SERVICE, "services/api/Dockerfile"), "warning")


@pytest.mark.parametrize("path", [".devcontainer/Dockerfile", "app/.devcontainer/base.Dockerfile",
                                  "Dockerfile.dev", "docker/dev.Dockerfile", "Dockerfile.neuron.dev",
                                  "development/Dockerfile", "image/discourse_dev/Dockerfile"])
def test_dev_images_report_hygiene_at_info_and_say_why(path: str) -> None:
    _assert_hygiene_is(_severities(SERVICE, path), "info")
    pc001 = next(f for f in lint(SERVICE, path) if f.rule == "PC001")
    assert "in a dev image (" in pc001.message and pc001.message.endswith("so info")


@pytest.mark.parametrize("path", ["tests/docker/Dockerfile", "test/Dockerfile", "e2e/Dockerfile",
                                  "integration/db/Dockerfile", "ci/Dockerfile", ".ci/Dockerfile.cypress",
                                  ".github/actions/build/Dockerfile", ".kokoro/docker/Dockerfile",
                                  "playwright/compose/app/Dockerfile", "Dockerfile.test", "test-radius.dockerfile",
                                  "Dockerfile.ci", "Dockerfile.QA", "qa/Dockerfile",
                                  "swift-ci/main/ubuntu/24.04/Dockerfile", "image/discourse_test/Dockerfile",
                                  "kafka/test-harness/Dockerfile"])
def test_test_and_ci_images_report_hygiene_at_info(path: str) -> None:
    _assert_hygiene_is(_severities(SERVICE, path), "info")


def test_the_message_names_the_folder_that_decided() -> None:
    pc001 = next(f for f in lint(SERVICE, "kafka/tests/docker/Dockerfile") if f.rule == "PC001")
    assert pc001.message.endswith(" — in a test or CI image (path …/tests/…), so info")
    pc001 = next(f for f in lint(SERVICE, "tests/Dockerfile") if f.rule == "PC001")
    assert "(path tests/…)" in pc001.message


def test_an_image_built_on_a_dev_container_base_is_a_dev_image() -> None:
    text = SERVICE.replace("FROM ubuntu", "FROM mcr.microsoft.com/devcontainers/python:3.12\nFROM ubuntu AS x\n"
                                          "FROM mcr.microsoft.com/vscode/devcontainers/base")
    pc001 = next(f for f in lint(text, "docker/Dockerfile") if f.rule == "PC001")
    assert pc001.severity == "info" and "(FROM mcr.microsoft.com/vscode/devcontainers/base)" in pc001.message
    # only the final stage's base says what the image is
    assert _severities(text.replace("AS x\nFROM mcr.microsoft.com/vscode/devcontainers/base", "AS x"),
                       "Dockerfile")["PC001"] == "warning"


def test_docs_recipes_report_hygiene_at_info() -> None:
    _assert_hygiene_is(_severities(SERVICE, "docs/using/recipe_code/pip_install.dockerfile"), "info")


@pytest.mark.parametrize("path", [
    "integration-hub/Dockerfile",  # a product name holding a word, not the word
    "test-app/Dockerfile",
    "contest/Dockerfile",
    "testing/Dockerfile",  # debian:testing, a release channel
    "microsoft-edge/dev/Dockerfile",  # a browser's dev channel, shipped
    "php/8.3/Dockerfile.testing",  # `testing` is debian's channel
    "ci-tools/Dockerfile",  # the word must end a longer folder name
    "rt-tests/Dockerfile",  # a test suite packaged as a tool image
    "devops/Dockerfile",
    "testimonials/Dockerfile",
    "examples/app/Dockerfile",  # examples are copied into production
    "samples/run/Dockerfile",
    "Dockerfile.devtools",
    "geospatial-dev-osgeo.Dockerfile",  # the word in the middle of a name: a variant, not a purpose
    "latest.Dockerfile",
    "attestations/Dockerfile",
    "dockerfiles/ci-runner-tools/Dockerfile",
])
def test_names_that_only_look_like_a_purpose_keep_their_warnings(path: str) -> None:
    _assert_hygiene_is(_severities(SERVICE, path), "warning")


def test_secrets_and_syntax_errors_keep_their_severity_in_a_test_image() -> None:
    severities = _severities(SECRET, "tests/docker/Dockerfile")
    assert severities["SEC001"] == "error" and severities["SYN002"] == "error"
    assert severities["PC001"] == "info"


def test_a_fixture_folder_demotes_all_but_secrets() -> None:
    # parser input, invalid on purpose: its syntax errors are the test's content, shown at info, never gating
    for path in ("frontend/parser/testfiles/flags/Dockerfile", "parser/testfiles-negative/x/Dockerfile",
                 "spec/fixtures/Dockerfile", "tests/fixtures/app/Dockerfile"):
        severities = _severities(SECRET, path)
        assert severities["SEC001"] == "error", path
        assert severities["SYN002"] == "info" and severities["PC001"] == "info", path
    assert _severities("CMD [\"x\"]\n", "testfiles/json/Dockerfile")["SYN007"] == "info"


def test_a_step_that_does_nothing_stays_a_warning_in_a_dev_image() -> None:
    text = ("FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n"
            "RUN apt-get clean && rm -rf /var/lib/apt/lists/*\nUSER 10001\nCMD [\"bash\"]\n")
    severities = _severities(text, ".devcontainer/Dockerfile")
    assert severities["PC002"] == "warning" and severities["BL002"] == "warning"


def _write(path: Path, text: str = SERVICE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _by_rule(path: Path, config: LintConfig | None = None) -> dict[str, str]:
    return {f.rule: f.severity for f in lint_files([path], config, use_shellcheck=False).findings}


def test_the_path_counts_from_the_repository_root(tmp_path: Path) -> None:
    # a checkout kept in a folder called tests: the folders above the repository say nothing about the image
    repo = tmp_path / "tests" / "shop"
    (repo / ".git").mkdir(parents=True)
    _assert_hygiene_is(_by_rule(_write(repo / "Dockerfile")), "warning")
    _assert_hygiene_is(_by_rule(_write(repo / "tests" / "Dockerfile")), "info")
    (repo / ".git").rmdir()
    (repo / ".git").write_text("gitdir: /elsewhere\n")  # a worktree's .git is a file
    _assert_hygiene_is(_by_rule(repo / "Dockerfile"), "warning")


def test_an_export_without_git_counts_from_its_outermost_top_level_files(tmp_path: Path) -> None:
    # `git archive` output: no .git, but the top folder holds .gitignore or LICENSE (a subfolder may too)
    repo = tmp_path / "test" / "shop"
    _write(repo / "LICENSE", "MIT\n")
    _write(repo / "tests" / ".gitignore", "*.log\n")
    _assert_hygiene_is(_by_rule(_write(repo / "Dockerfile")), "warning")
    _assert_hygiene_is(_by_rule(_write(repo / "tests" / "Dockerfile")), "info")


def test_testdata_is_a_fixture_set_when_it_holds_several_dockerfiles(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    single = _write(tmp_path / "a" / "testdata" / "Dockerfile", SECRET)
    assert _by_rule(single)["SYN002"] == "error" and _by_rule(single)["PC001"] == "info"  # a test image
    many = _write(tmp_path / "b" / "testdata" / "one" / "Dockerfile", SECRET)
    _write(tmp_path / "b" / "testdata" / "two" / "Dockerfile")
    _write(tmp_path / "b" / "testdata" / "three.Dockerfile")
    assert _by_rule(many)["SYN002"] == "info" and _by_rule(many)["SEC001"] == "error"  # a fixture set


@pytest.mark.parametrize(("setting", "expected"), [("service", "warning"), ("auto", "info"), ("test", "info")])
def test_the_purpose_setting_overrides_the_path(tmp_path: Path, setting: str, expected: str) -> None:
    dockerfile = _write(tmp_path / "tests" / "Dockerfile")
    (tmp_path / "tests" / "imgforge.yaml").write_text(f"lint:\n  purpose: {setting}\n")
    _assert_hygiene_is(_by_rule(dockerfile), expected)


def test_purpose_test_and_base_apply_to_any_path() -> None:
    _assert_hygiene_is(_severities(SERVICE, "Dockerfile", LintConfig(purpose="test")), "info")
    base = _severities(SERVICE, "Dockerfile", LintConfig(purpose="base"))
    assert base["USR001"] == "info" and base["PC001"] == "warning" and base["PIN001"] == "warning"
    fixture = _severities(SECRET, "Dockerfile", LintConfig(purpose="fixture"))
    assert fixture["SYN002"] == "info" and fixture["SEC001"] == "error"


def test_a_severity_setting_wins_over_the_purpose() -> None:
    severities = _severities(SERVICE, "tests/Dockerfile", LintConfig(severity={"PC001": "warning"}))
    assert severities["PC001"] == "warning" and severities["USR001"] == "info"


def test_yaml_purpose_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.imgforge.lint]\npurpose = "test"\n')
    assert load_config(tmp_path).purpose == "test"
    (tmp_path / "imgforge.yaml").write_text("lint:\n  purpose: service\n")
    assert load_config(tmp_path).purpose == "service"


def test_an_unknown_purpose_names_the_settings_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "imgforge.yaml").write_text("lint:\n  disable: [PIN003]\n  purpose: production\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3.*purpose"):
        load_config(tmp_path)
    _write(tmp_path / "Dockerfile")
    assert run_guarded(_APP, ["lint", str(tmp_path / "Dockerfile")]) == 2  # the settings beside the file
    assert "imgforge.yaml:3" in capsys.readouterr().err


def test_json_reports_each_files_purpose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    files = [_write(tmp_path / "tests" / "Dockerfile"), _write(tmp_path / "Dockerfile"),
             _write(tmp_path / "base" / "Dockerfile", "FROM debian:12\nRUN echo hi\n")]
    run_guarded(_APP, ["lint", *map(str, files), "--format", "json", "--no-shellcheck"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["purposes"] == {str(files[0]): "test", str(files[1]): "service", str(files[2]): "base"}
