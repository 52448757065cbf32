"""Generation tests ask no package index: a test that needs one passes its own fake (tests/generate/test_pins.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_package_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGFORGE_NO_INDEX", "1")
