"""A batch split over forked workers (`lint_files(..., workers=N)`, the CLI's batch) gives the one-process report:
the same findings in the same order, ShellCheck's included, INT001 for a file the linter fails on, and the first
unreadable file's error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.lint import RULES, Rule, lint_files, shellcheck
from imgforge.lint.model import Dockerfile
from imgforge.lint.rules import Hit

DATA = Path(__file__).parent.parent / "data" / "lint"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 CPUs")


def batch(tmp_path: Path, copies: int = 3) -> list[Path]:
    """The test corpus, several times over in folders of their own (each made unique), with one file whose
    ShellCheck finding is suppressed by a comment and one with a script error, near the end (a worker's part)."""
    sources = sorted(DATA.glob("*/*.Dockerfile"))
    out = []
    for k in range(copies):
        folder = tmp_path / f"copy{k}"
        folder.mkdir()
        for source in sources:
            path = folder / source.name
            path.write_text(source.read_text() + f"\nENV COPY={k}\n")
            out.append(path)
    ignored = tmp_path / "ignored.Dockerfile"
    ignored.write_text("FROM alpine:3.20\n# imgforge-ignore: SH100\nRUN echo $HOME > $1\nRUN cd /x; make\n")
    out.insert(len(out) - 3, ignored)
    return out


def test_workers_give_the_one_process_report(tmp_path: Path) -> None:
    paths = batch(tmp_path)
    one = lint_files(paths)
    split = lint_files(paths, workers=2)
    assert split == one
    assert split.purposes == one.purposes
    assert {f.rule for f in one.findings} >= {"SH100", "PIN001", "SEC001"}
    if shellcheck.find_shellcheck() is not None:
        ignored = [f for f in split.findings if f.file.endswith("ignored.Dockerfile")]
        assert [f.line for f in ignored if f.rule == "SH100"] == [4]


def test_a_crash_in_a_workers_part_is_one_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def check(df: Dockerfile) -> list[Hit]:
        if any("explode-here" in ins.args for ins in df.instructions):
            raise RecursionError("maximum recursion depth exceeded")
        return []

    monkeypatch.setitem(RULES, "ZZZ999", Rule("ZZZ999", "syntax", "info", "test rule", "", check))
    paths = batch(tmp_path)
    paths[-1].write_text("FROM alpine:3.20\nLABEL x=explode-here\n")
    split = lint_files(paths, workers=2, use_shellcheck=False)
    assert split == lint_files(paths, use_shellcheck=False)
    assert [f.rule for f in split.findings if f.file == str(paths[-1])] == ["INT001"]


def test_an_unreadable_file_in_a_workers_part_is_the_usage_error(tmp_path: Path) -> None:
    paths = batch(tmp_path)
    paths[-2].unlink()
    paths[-2].mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        lint_files(paths, workers=2)
    paths[1].unlink()
    paths[1].mkdir()
    with pytest.raises(UsageError, match=f"{paths[1].name}: is a directory"):  # the first in order, as in one process
        lint_files(paths, workers=2)


def test_a_small_batch_forks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    paths = batch(tmp_path, copies=1)[:20]
    assert lint_files(paths, workers=2) == lint_files(paths)


def test_a_worker_that_sends_nothing_has_its_part_linted_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("the pipe broke")  # in the forked worker: it ends without sending its results

    paths = batch(tmp_path, copies=1)
    one = lint_files(paths, use_shellcheck=False)
    monkeypatch.setattr(pickle, "dump", broken)
    assert lint_files(paths, workers=2, use_shellcheck=False) == one


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the forks lint_files makes (each still forks)."""
    made: list[int] = []
    real = os.fork

    def counted() -> int:
        made.append(1)
        return real()

    monkeypatch.setattr(os, "fork", counted)
    return made


@pytest.mark.skipif(shellcheck.find_shellcheck() is None, reason="needs shellcheck")
def test_a_shellcheck_bound_batch_forks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each file has a long script of its own: ShellCheck keeps both CPUs busy, and a worker would only add its cost.
    monkeypatch.setenv("IMGFORGE_NO_CACHE", "1")  # the first run's answers would leave the second nothing to check
    paths = []
    for k in range(80):
        path = tmp_path / f"d{k}.Dockerfile"
        steps = " && \\\n    ".join(f'echo "step {n} of file {k}: $STEP_{n}" >> /tmp/log{k}' for n in range(12))
        path.write_text(f"FROM debian:12-slim\nRUN set -eux; \\\n    {steps}\nUSER 10001\nCMD [\"app\"]\n")
        paths.append(path)
    one = lint_files(paths)
    made = _forks(monkeypatch)
    assert lint_files(paths, workers=2) == one
    assert made == []


def test_a_rule_bound_batch_still_forks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = batch(tmp_path)  # the corpus's scripts, repeated in every copy: checked once each
    one = lint_files(paths)
    made = _forks(monkeypatch)
    assert lint_files(paths, workers=2) == one
    assert made == [1]
