"""A second Docker engine for the scale tests; the first engine must come out of it untouched."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from scalehelp import make_monorepo

from imgforge.env.second_engine import SecondEngine, start, stop


def _first_engine() -> tuple[str, str]:
    """The first engine's id and docker0's addresses: what a stray second engine would change."""
    info = subprocess.run(["docker", "info", "--format", "{{.ID}}"], capture_output=True, text=True, check=True)
    bridge = subprocess.run(["ip", "-br", "addr", "show", "docker0"], capture_output=True, text=True, check=True)
    return info.stdout.strip(), " ".join(bridge.stdout.split()[2:])


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """A monorepo laid out like imgforge's own: the catalog and built-in recipes beside five services."""
    return make_monorepo(tmp_path)


@pytest.fixture(scope="module")
def engine_b(docker: object) -> Iterator[SecondEngine]:
    """A second engine (own socket, data root, exec root, pid file, containerd, bridge); removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("a second engine needs root")
    before = _first_engine()
    engine = start()
    try:
        yield engine
    finally:
        stop(engine)
    assert not engine.state.exists(), "the second engine's state was removed"
    assert _first_engine() == before, "the first engine and its docker0 are untouched"
