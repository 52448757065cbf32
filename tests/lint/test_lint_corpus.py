"""The Dockerfile corpus: each file names its expected findings in `# expect:` / `# expect-info:` comments."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from imgforge.lint import RULES, lint

CORPUS = Path(__file__).parent.parent / "data" / "lint" / "corpus"
FILES = sorted(CORPUS.glob("*.Dockerfile"))


def _expected(text: str, key: str) -> Counter[str] | None:
    m = re.search(rf"^# {key}:(.*)$", text, re.M)
    if m is None:
        return None
    ids = [w for w in m.group(1).split() if w != "none"]
    return Counter(ids)


def test_corpus_is_big_enough() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_corpus_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    findings = lint(text, path.name)
    expected = _expected(text, "expect")
    assert expected is not None, "every corpus file names its expected findings"
    got = Counter(f.rule for f in findings if f.severity != "info")
    assert got == expected, [(f.line, f.rule, f.message) for f in findings]
    info = _expected(text, "expect-info")
    if info is not None:
        assert Counter(f.rule for f in findings if f.severity == "info") == info, \
            [(f.line, f.rule) for f in findings if f.severity == "info"]


def test_corpus_covers_every_rule() -> None:
    seen: set[str] = set()
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for key in ("expect", "expect-info"):
            seen |= set(_expected(text, key) or ())
    engine_reported = {"SH100", "INT001"}  # ShellCheck and internal failures: tested in test_lint_batch.py
    assert set(RULES) - seen == engine_reported


def test_good_files_have_no_warnings() -> None:
    good = [p for p in FILES if p.name.startswith("good_")]
    assert len(good) >= 10
    for path in good:
        findings = lint(path.read_text(encoding="utf-8"), path.name)
        assert [f for f in findings if f.severity != "info"] == [], path.name
