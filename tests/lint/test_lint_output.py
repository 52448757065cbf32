"""Output formats (JSON shape, SARIF schema, GitHub annotations), the CLI's exit codes, config and suppression."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
import typer

from imgforge.cli._common import run_guarded
from imgforge.cli.lint_cmd import register
from imgforge.errors import UsageError
from imgforge.lint import LintConfig, lint, lint_file, load_config
from imgforge.lint.formats import to_github, to_sarif

DATA = Path(__file__).parent.parent / "data" / "lint"
BAD = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\nENV API_TOKEN=s3cr3t-Value-42\n"
SECRET_VALUES = ["s3cr3t-Value-42", "q8Zr3Vt1Yx9Lk2Pm7Ns4Bw6Hj0Gd5Fc1Ae8Ui3Oy", "AKIA4HQ7RZ2LMXK5PN3W",
                 "Tq7#vLp2!xRm9",
                 "Wq7zR2vK9x", "ghp_R8kZ2mQ7vX4nL9pT3wY6bH1cJ5dF0gS2aE7u", "gh0Kz8Rt5Wq2Lm7Pv3Xn",
                 "Vb7Nq2Xk9Lr4Tz8M"]


_APP = typer.Typer()
register(_APP)
_APP.command("noop", hidden=True)(lambda: None)  # two commands keep `lint` a subcommand, as in the real CLI


def main(argv: list[str]) -> int:
    """The lint command alone (the full CLI imports every stage and is slower); test_list_rules uses the real one."""
    return run_guarded(_APP, argv)


@pytest.fixture()
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(BAD)
    return path


def test_json_output_shape(bad_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(bad_file), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert {"file", "line", "rule", "category", "severity", "message"} <= set(doc["findings"][0])
    rules = {(f["rule"], f["line"], f["category"], f["severity"]) for f in doc["findings"]}
    assert ("SEC001", 3, "secret", "error") in rules and ("PIN001", 1, "pinning", "warning") in rules
    assert doc["counts"]["error"] == 1


def test_sarif_is_valid_against_the_2_1_0_schema(bad_file: Path) -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    report = lint_file(bad_file)
    sarif = report.to_sarif()
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]  # type: ignore[index]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"PC001", "SEC001", "USR001", "SYN001"}
    result = next(r for r in run["results"] if r["ruleId"] == "SEC001")
    assert result["level"] == "error" and rules[result["ruleIndex"]]["id"] == "SEC001"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_sarif_for_the_whole_corpus_validates() -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    from imgforge.lint import lint_files

    report = lint_files(sorted((DATA / "corpus").glob("*.Dockerfile")), LintConfig())
    jsonschema.validate(to_sarif(report), schema)


def test_github_annotations(bad_file: Path) -> None:
    lines = to_github(lint_file(bad_file)).splitlines()
    assert any(line.startswith("::error file=") and ",line=3," in line and "SEC001" in line for line in lines)
    assert any(line.startswith("::warning ") for line in lines)


def test_secrets_never_appear_in_any_output(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted((DATA / "corpus").glob("sec_*.Dockerfile"))]
    for fmt in ("text", "json", "sarif", "github"):
        main(["lint", *files, "--format", fmt, "--fail-on", "never"])
        out = capsys.readouterr()
        for value in SECRET_VALUES:
            assert value not in out.out + out.err, (fmt, value)
    assert "AWS_SECRET_ACCESS_KEY=****" in json.dumps(lint_file(DATA / "corpus" / "sec_env.Dockerfile").to_json())


def test_fail_on_levels(bad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.Dockerfile"
    good.write_text("FROM alpine:3.20\nUSER 10001\n")  # only an info (PIN003)
    assert main(["lint", str(good)]) == 0
    assert main(["lint", str(good), "--fail-on", "warning"]) == 0
    assert main(["lint", str(good), "--fail-on", "info"]) == 1
    assert main(["lint", str(bad_file), "--fail-on", "never"]) == 0
    assert main(["lint", str(bad_file), "--fail-on", "bogus"]) == 2
    capsys.readouterr()


def test_default_file_and_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == 2
    assert "Dockerfile: no such file" in capsys.readouterr().err
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER 10001\n")
    assert main(["lint", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == ["Dockerfile"]


def test_text_output_and_output_file(bad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lint.txt"
    assert main(["lint", str(bad_file), "-o", str(out)]) == 1
    text = out.read_text()
    assert str(bad_file) in text and "SEC001" in text and "fix:" in text and "[bold]" not in text
    capsys.readouterr()


def test_plain_text_is_what_rich_prints_of_the_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from imgforge.lint.formats import to_text

    # Markup-like brackets, a tab and control characters in the path and in quoted Dockerfile text.
    path = tmp_path / "we[bold]ird\tna\x07me\r.Dockerfile"
    path.write_text('FROM ubuntu\nRUN\tapt-get install -y curl [red]x[/red] \\\n\t&& echo "\a\x1b[31m\r"\n'
                    "COPY id_rsa\t/root/.ssh/\nCOPY [a]\\\\[b] /x\n")
    report = lint_file(path)
    plain = to_text(report, markup=False)
    console = Console(file=io.StringIO(), no_color=True, highlight=False, soft_wrap=True, emoji=False)
    console.print(to_text(report))
    assert "[bold]" in plain and "\x07" not in plain and "id_rsa" in plain
    assert console.file.getvalue() == plain.expandtabs(8) + "\n"  # type: ignore[attr-defined]
    assert main(["lint", str(path), "--fail-on", "never"]) == 0  # stdout is not a terminal here: plain text
    assert capsys.readouterr().out == plain.expandtabs(8) + "\n"


def test_inline_suppression_on_and_above_the_line() -> None:
    text = ("# imgforge-ignore: PIN001\nFROM ubuntu\n"
            "RUN pip install flask  # imgforge-ignore: PC004\nRUN pip install x\nUSER 1\n")
    rules = [(f.rule, f.line) for f in lint(text)]
    assert ("PIN001", 2) not in rules and ("PC004", 3) not in rules and ("PC004", 4) in rules


def test_config_from_yaml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.imgforge.lint]\ndisable = ["PIN003"]\nseverity = {USR001 = "info"}\n')
    (tmp_path / "imgforge.yaml").write_text("lint:\n  disable: [BL003]\n  severity:\n    USR001: error\n")
    config = load_config(tmp_path)
    assert set(config.disable) == {"PIN003", "BL003"} and config.severity["USR001"] == "error"
    text = 'FROM alpine:3.20\nRUN apt-get install -y x=1.0 && rm -rf /var/lib/apt/lists/*\nCMD ["x-server"]\n'
    findings = lint(text, "D", config)
    assert [(f.rule, f.severity) for f in findings] == [("USR001", "error")]


def test_config_errors_name_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "imgforge.yaml").write_text("lint:\n  disable: [NOPE1]\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:2.*NOPE1"):
        load_config(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    assert main(["lint", str(tmp_path / "Dockerfile"), "--config", str(tmp_path / "imgforge.yaml")]) == 2
    assert "NOPE1" in capsys.readouterr().err


def test_list_rules_through_the_real_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from imgforge.cli import main as real_main

    assert real_main(["lint", "--list-rules"]) == 0
    out = capsys.readouterr().out
    for category in ("layer-order", "multistage", "bloat", "package-cache", "secret", "pinning", "user", "syntax"):
        assert category in out
