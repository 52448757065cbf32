"""The detection workers: contents through shared slots give the in-process matches, in order, whatever the batching."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scanhelp import fake_tokens

import imgforge.scan.detect as detect
from imgforge.scan.detect import Batcher, Match
from imgforge.scan.engine import DefaultDetector

TOKENS = fake_tokens("detect-slots")


def _files(n: int) -> list[tuple[int, str, bytes]]:
    out = []
    for i in range(n):
        body = f"AWS_ACCESS_KEY_ID={TOKENS['aws']}\nline {i}\n".encode()
        if i % 7 == 3:
            body = b"# padding\n" * 30 + body  # bigger than a slot below: sent pickled
        out.append((i, f"/app/f{i}.env", body))
    return out


def _run(batcher: Batcher, files: list[tuple[int, str, bytes]]) -> list[Match]:
    try:
        for entry, path, data in files:
            batcher.add(entry, path, data)
        return sorted(batcher.finish(), key=lambda m: m.entry)
    finally:
        batcher.close()


@pytest.fixture
def small_slots(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    detect.close_pools()
    monkeypatch.setattr(detect, "BATCH", 200)  # a few files a slot: the slots are reused many times over
    monkeypatch.setattr(detect, "usable_cores", lambda: 2)
    yield
    detect.close_pools()


def test_slots_give_the_in_process_matches(small_slots: None) -> None:
    files = _files(60)
    one = _run(Batcher(DefaultDetector(), 1), files)
    two = _run(Batcher(DefaultDetector(), 2), files)
    assert len(one) == 60 and two == one


def test_a_second_batcher_at_once_sends_its_contents_pickled(small_slots: None) -> None:
    files = _files(40)
    expected = _run(Batcher(DefaultDetector(), 1), files)
    first, second = Batcher(DefaultDetector(), 2), Batcher(DefaultDetector(), 2)
    for entry, path, data in files:  # interleaved, as two threads scanning at once would
        first.add(entry, path, data)
        second.add(entry, path, data)
    assert first.claimed and not second.claimed
    got = [sorted(b.finish(), key=lambda m: m.entry) for b in (first, second)]
    first.close()
    second.close()
    assert got == [expected, expected]
    assert _run(Batcher(DefaultDetector(), 2), files) == expected  # the slots were given back


def test_rules_compile_on_first_hit_and_find_what_a_fully_compiled_detector_finds() -> None:
    from imgforge.secrets import SecretDetector

    lazy, strict = SecretDetector(), SecretDetector(strict=True)
    assert lazy._compiled == {} and strict._compiled  # strict detectors compile every rule up front
    files = [(path, data) for _, path, data in _files(20)] + [("/app/README.md", b"nothing to see\n")]
    assert [lazy.scan_bytes(d, p) for p, d in files] == [strict.scan_bytes(d, p) for p, d in files]
    assert 0 < len(lazy._compiled) < len(strict._compiled)  # only the rules whose keywords were hit
    lazy.compile_all()
    assert lazy._compiled.keys() == strict._compiled.keys()
