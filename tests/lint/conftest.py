"""Every lint test gets its own ShellCheck result cache, so no test sees another's (or the user's) results."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _private_shellcheck_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("sc-cache")
    monkeypatch.setenv("IMGFORGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("IMGFORGE_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def popen_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command line of every process started from here on (ShellCheck's, in these tests); they still run."""
    calls: list[list[str]] = []
    real = subprocess.Popen

    def counting(cmd: list[str], **kw: Any) -> Any:
        calls.append(cmd)
        return real(cmd, **kw)

    monkeypatch.setattr(subprocess, "Popen", counting)
    return calls
