"""`imgforge lint`'s fast path (no typer): the same output and exit code as the typer command for every command
line it takes, typer for every other, and neither typer, click nor rich loaded on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imgforge.cli import main
from imgforge.cli._app import app
from imgforge.cli._common import run_guarded
from imgforge.cli.lint_run import FailOn, Format, LintArgs, parse_args

ROOT = Path(__file__).resolve().parents[2]
BAD = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\nENV API_TOKEN=s3cr3t-Value-42\n"
CLEAN = "FROM alpine:3.20@sha256:" + "a" * 64 + "\nUSER 1000\nCMD [\"sh\"]\n"


@pytest.fixture()
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "clean.Dockerfile").write_text(CLEAN)
    (tmp_path / "broken.Dockerfile").write_text("RUN echo hi\nFROM\n")
    (tmp_path / "imgforge.yaml").write_text("lint:\n  disable: [PIN001]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_parse_args_reads_the_documented_options() -> None:
    assert parse_args([]) == LintArgs()
    assert parse_args(["a", "--format", "json", "b", "--fail-on=never", "-o", "out.txt", "--no-shellcheck"]) == \
        LintArgs(files=(Path("a"), Path("b")), fmt=Format.json, fail_on=FailOn.never, output=Path("out.txt"),
                 use_shellcheck=False)
    assert parse_args(["-f", "sarif", "--format=github", "--json", "--config", "x.yaml", "--list-rules"]) == \
        LintArgs(fmt=Format.github, json_out=True, config=Path("x.yaml"), list_rules=True)
    assert parse_args(["--no-shellcheck", "--shellcheck"]) == LintArgs()


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--"], ["-"], [""], ["--format"], ["--format", "xml"],
                                  ["--fail-on", "ERROR"], ["-f=json"], ["-fjson"], ["--json=1"], ["--output", "-x"],
                                  ["--bogus"], ["Dockerfile", "--format", ""]])
def test_parse_args_leaves_the_rest_to_typer(argv: list[str]) -> None:
    assert parse_args(argv) is None


@pytest.mark.parametrize("argv", [
    [],
    ["Dockerfile"],
    ["Dockerfile", "clean.Dockerfile", "broken.Dockerfile", "--format", "json"],
    ["clean.Dockerfile"],
    ["Dockerfile", "--fail-on", "never", "--no-shellcheck"],
    ["Dockerfile", "clean.Dockerfile", "--fail-on=info", "-f", "github"],
    ["Dockerfile", "--json", "--config", "imgforge.yaml"],
    ["Dockerfile", "--format", "sarif"],
    ["missing.Dockerfile"],
    ["Dockerfile", "--config", "missing.yaml"],
    ["--list-rules"],
    ["Dockerfile", "--format", "xml"],
    ["--help"],
])
def test_the_fast_path_prints_and_exits_as_the_typer_command(files: Path, argv: list[str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", *argv])
    fast = capsys.readouterr()
    assert run_guarded(app, ["lint", *argv]) == code
    typed = capsys.readouterr()
    assert (fast.out, fast.err) == (typed.out, typed.err)
    assert fast.out or fast.err


def test_the_fast_path_writes_the_same_report_file(files: Path) -> None:
    assert main(["lint", "Dockerfile", "-o", "fast.json", "--format", "json"]) == 1
    assert run_guarded(app, ["lint", "Dockerfile", "-o", "typer.json", "--format", "json"]) == 1
    assert json.loads((files / "fast.json").read_text()) == json.loads((files / "typer.json").read_text())


def test_lint_file_loads_no_typer_click_or_rich(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "clean.Dockerfile").write_text(CLEAN)
    code = ("import sys\nfrom imgforge.cli import main\ncode = main(['lint', 'Dockerfile', 'clean.Dockerfile'])\n"
            "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich', 'pydantic',"
            " 'yaml', 'shellingham')))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "1 []", done.stderr
