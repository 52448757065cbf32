"""The provider corpus (tests/secrets/tokengen.py) planted in a real image layer and found by `imgforge scan`.

Half the measure is tokens under a credential-like name (.env, YAML, JSON), half is the same kind of tokens
bare in a neutral JSON value, where only a vendor rule can know them. One token per line, so a finding's
line says which token it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from imgforge.scan import scan
from imgforge.scan.report import ScanReport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scan"))  # reuse the scan tests' archive builder
from scanhelp import docker_archive, layer_tar  # noqa: E402
from tokengen import PROVIDERS, credential_name, tokens  # noqa: E402

NAMED_MIN = 0.97
BARE_MIN = 0.85


def _named_files(corpus: list[tuple[str, str]]) -> tuple[dict[str, list[str]], dict[tuple[str, int], str]]:
    """Three files with each token under a credential-like name; also (path, line) -> provider."""
    lines: dict[str, list[str]] = {
        "/app/.env": [],
        "/app/config/values.yaml": ["secrets:"],
        "/app/settings.json": ["{"],
    }
    where: dict[tuple[str, int], str] = {}
    for i, (provider, value) in enumerate(corpus):
        path = ("/app/.env", "/app/config/values.yaml", "/app/settings.json")[i % 3]
        name = credential_name(provider)
        text = {
            0: f"{name}={value}",
            1: f"  {name.lower()}: {json.dumps(value)}",
            2: f"  {json.dumps(name)}: {json.dumps(value)},",
        }
        lines[path].append(text[i % 3])
        where[(path, len(lines[path]))] = provider
    lines["/app/settings.json"].append('  "end": true\n}')
    return lines, where


def _bare_file(corpus: list[tuple[str, str]]) -> tuple[list[str], dict[tuple[str, int], str]]:
    rows = (
        ["["]
        + [f'  {{"id": {i}, "value": {json.dumps(v)}}},' for i, (_, v) in enumerate(corpus)]
        + ['  {"id": -1}', "]"]
    )
    return rows, {("/srv/data/records.json", i + 2): provider for i, (provider, _) in enumerate(corpus)}


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    return tokens()


@pytest.fixture(scope="module")
def report(
    corpus: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[ScanReport, dict[tuple[str, int], str], dict[tuple[str, int], str]]:
    named, named_where = _named_files(corpus)
    bare, bare_where = _bare_file(corpus)
    files = [("file", path, "\n".join(rows).encode()) for path, rows in named.items()]
    layers = [layer_tar(files), layer_tar([("file", "/srv/data/records.json", "\n".join(bare).encode())])]
    archive = tmp_path_factory.mktemp("corpus") / "image.tar"
    archive.write_bytes(docker_archive(layers))
    return scan(str(archive)), named_where, bare_where


def _recall(report: ScanReport, where: dict[tuple[str, int], str]) -> tuple[float, list[str]]:
    hit = {(s.path, s.line) for s in report.secrets}
    missed = sorted({provider for key, provider in where.items() if key not in hit})
    return sum(key in hit for key in where) / len(where), missed


def test_corpus_is_broad(corpus: list[tuple[str, str]]) -> None:
    assert len(corpus) >= 300
    assert len({kind.split("-")[0] for kind, _ in PROVIDERS}) >= 100  # providers, not token kinds (github-app...)
    assert len({value for _, value in corpus}) == len(corpus)  # every token distinct


def test_named_tokens_found_in_layers(report: tuple[ScanReport, dict, dict]) -> None:
    found, named, _ = report
    recall, missed = _recall(found, named)
    assert recall >= NAMED_MIN, f"named recall {recall:.3f}; providers missed: {missed}"


def test_bare_tokens_found_in_layers(report: tuple[ScanReport, dict, dict]) -> None:
    found, _, bare = report
    recall, missed = _recall(found, bare)
    assert recall >= BARE_MIN, f"bare recall {recall:.3f}; providers missed: {missed}"


def test_no_finding_off_the_planted_lines(report: tuple[ScanReport, dict, dict]) -> None:
    found, named, bare = report
    planted = set(named) | set(bare)
    assert [(s.path, s.line, s.rule) for s in found.secrets if (s.path, s.line) not in planted] == []


def test_no_token_leaks_into_the_report(report: tuple[ScanReport, dict, dict], corpus: list[tuple[str, str]]) -> None:
    found, _, _ = report
    text = json.dumps([s.__dict__ for s in found.secrets])
    assert not [provider for provider, value in corpus if value[4:-4] in text]
