"""Secret matching of a layer's text files, on the other core: batches of file contents go to worker processes.

The layer is decompressed, hashed and parsed in the scanning process while forked workers run the
detector over batches of text (`BATCH` bytes each). At most `2 * jobs` batches are in flight, so memory
stays bounded; with one job (or one usable core) every file is matched in-process, in the same order.
"""

from __future__ import annotations

import atexit
import multiprocessing
import pickle
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Protocol

from imgforge.image.streams import usable_cores

BATCH = 4 << 20
_POOLS: dict[int, Pool] = {}


class Detector(Protocol):
    """What the scan needs from `imgforge.secrets` (see its `default_detector()`)."""

    def scan_bytes(self, data: bytes, path: str) -> list[Any]: ...

    def scan_value(self, value: str, name: str) -> list[Any]: ...

    def wants_path(self, path: str) -> bool: ...


@dataclass(frozen=True)
class Match:
    """A secret match inside one file version of a layer (`entry` indexes the layer's entry table)."""

    entry: int
    path: str
    rule: str
    description: str
    line: int | None
    redacted: str
    fingerprint: str


def as_match(entry: int, path: str, m: Any) -> Match:
    """A detector's finding as a plain, picklable `Match`."""
    return Match(entry, path, str(m.rule), str(getattr(m, "description", "")), getattr(m, "line", None),
                 str(m.redacted), str(m.fingerprint))


def _detect(detector: Detector, batch: Sequence[tuple[int, str, bytes]]) -> list[Match]:
    return [as_match(entry, path, m) for entry, path, data in batch for m in detector.scan_bytes(data, path)]


def _pool(jobs: int) -> Pool:
    """One pool of forked workers per size, made on first need and kept for the next layers of the scan."""
    if jobs not in _POOLS:
        _POOLS[jobs] = multiprocessing.get_context("fork").Pool(jobs)
        if len(_POOLS) == 1:
            atexit.register(close_pools)
    return _POOLS[jobs]


def close_pools() -> None:
    """Stop the worker processes (also run at exit)."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.terminate()
        pool.join()


class Batcher:
    """Collects text files of one layer and matches them in batches, in-process or in worker processes."""

    def __init__(self, detector: Detector, jobs: int) -> None:
        self.detector = detector
        self.jobs = min(jobs, usable_cores()) if "fork" in multiprocessing.get_all_start_methods() else 1
        if self.jobs > 1:
            try:
                pickle.dumps(detector)
            except Exception:  # noqa: BLE001 - an unpicklable detector just means "match in this process"
                self.jobs = 1
        self.batch: list[tuple[int, str, bytes]] = []
        self.size = 0
        self.pending: deque[AsyncResult[list[Match]]] = deque()
        self.found: list[Match] = []

    def add(self, entry: int, path: str, data: bytes) -> None:
        if self.jobs <= 1:
            self.found += _detect(self.detector, ((entry, path, data),))
            return
        self.batch.append((entry, path, data))
        self.size += len(data)
        if self.size >= BATCH:
            if not _POOLS:
                self.detector.wants_path("")  # build a lazily made detector before the fork: workers inherit it
            self.pending.append(_pool(self.jobs).apply_async(_detect, (self.detector, self.batch)))
            self.batch, self.size = [], 0
            while len(self.pending) > 2 * self.jobs:
                self.found += self.pending.popleft().get()

    def finish(self) -> list[Match]:
        """Every match of the layer, in entry order (the last, partial batch is matched here meanwhile)."""
        tail = _detect(self.detector, self.batch)
        while self.pending:
            self.found += self.pending.popleft().get()
        self.found += tail
        self.batch, self.size = [], 0
        return self.found
