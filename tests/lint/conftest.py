"""Every lint test gets its own ShellCheck result cache, so no test sees another's (or the user's) results."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_shellcheck_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("sc-cache")
    monkeypatch.setenv("IMGFORGE_CACHE_DIR", str(folder))
    monkeypatch.delenv("IMGFORGE_NO_CACHE", raising=False)
    return folder
