"""package.json's engines.node naming one major the catalog has not (`14.x.x`, `^16.13.0`) is a line, as a
version file's is: init writes the nearest catalog Node under overrides instead of generate stopping (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgforge.generate.runtimes import replacement
from tests.generate._files import write


@pytest.mark.parametrize(("engines", "expected"), [
    ("14.x.x", "18"),
    ("^16.13.0", "18"),
    ("~14", "18"),
    ("v16", "18"),
    ("23.x", "24"),
])
def test_one_old_major_gets_the_nearest_line(tmp_path: Path, engines: str, expected: str) -> None:
    near = replacement("node", write(tmp_path, {"package.json": json.dumps({"engines": {"node": engines}})}))
    assert near is not None and near.order[0] == expected and f"engines.node wants {engines}" in near.note


@pytest.mark.parametrize("files", [
    {"package.json": json.dumps({"engines": {"node": ">=14 <15"}})},  # a range, not a line
    {"package.json": json.dumps({"engines": {"node": "14 || 16"}})},  # two lines: which?
    {"package.json": json.dumps({"engines": {"node": "20.x"}})},  # the catalog has it
    # A version file naming another line contradicts it.
    {"package.json": json.dumps({"engines": {"node": "14.x"}}), ".nvmrc": "16\n"},
])
def test_ranges_and_contradictions_keep_the_error(tmp_path: Path, files: dict[str, str]) -> None:
    assert replacement("node", write(tmp_path, files)) is None
