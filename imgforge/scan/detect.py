"""Secret matching of a layer's text files, on the other core: batches of file contents go to worker processes.

The layer is decompressed, hashed and parsed in the scanning process while forked workers run the
detector over batches of text (`BATCH` bytes each). At most `2 * jobs` batches are in flight, so memory
stays bounded; with one job (or one usable core) every file is matched in-process, in the same order.

File contents reach the workers through slots of an anonymous shared mapping made before the fork (one
copy in, one copy out), not through the pool's pipe (pickled, piped and unpickled: about twice the CPU).
"""

from __future__ import annotations

import atexit
import mmap
import pickle
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from imgforge.image.streams import usable_cores

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

BATCH = 4 << 20
_POOLS: dict[int, Pool] = {}
# Per pool size: the shared mapping (2 * jobs + 1 slots: the batches in flight and the one being filled)
# and its slot size. Made before the pool's fork, so that the workers see the same pages.
_SHARED: dict[int, tuple[mmap.mmap, int]] = {}
# A batch item: (entry, path, offset, length, inline). The content is [offset, offset + length) of the
# shared mapping, or `inline` when it is bigger than a slot (or another batcher holds the slots).
Item = tuple[int, str, int, int, bytes]
_CLAIMED: set[int] = set()  # pool sizes whose mapping a batcher is filling (two at once would share slots)
_CLAIM = threading.Lock()


class Detector(Protocol):
    """What the scan needs from `imgforge.secrets` (see its `default_detector()`)."""

    def scan_bytes(self, data: bytes, path: str) -> list[Any]: ...

    def scan_value(self, value: str, name: str) -> list[Any]: ...

    def wants_path(self, path: str) -> bool: ...

    def wants_binary(self, head: bytes, size: int) -> bool: ...


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


def _detect_shared(detector: Detector, jobs: int, batch: Sequence[Item]) -> list[Match]:
    """`_detect` over a batch whose contents sit in the shared mapping of the pool of `jobs` workers."""
    if all(inline for *_, inline in batch):
        return _detect(detector, [(entry, path, inline) for entry, path, _, _, inline in batch])
    memory = _SHARED[jobs][0]
    return _detect(detector, [(entry, path, inline or memory[offset:offset + length])
                              for entry, path, offset, length, inline in batch])


def _memory(jobs: int) -> tuple[mmap.mmap, int]:
    """The shared mapping of the pool of `jobs` workers (made before that pool, so its workers inherit it)."""
    if jobs not in _SHARED:
        _SHARED[jobs] = (mmap.mmap(-1, (2 * jobs + 1) * BATCH), BATCH)  # pages are touched only when written
    return _SHARED[jobs]


def _pool(jobs: int) -> Pool:
    """One pool of forked workers per size, made on first need and kept for the next layers of the scan."""
    if jobs not in _POOLS:
        _memory(jobs)
        import multiprocessing  # deferred: ~15 ms of imports that a one-core scan never uses (python -X importtime)

        _POOLS[jobs] = multiprocessing.get_context("fork").Pool(jobs)
        if len(_POOLS) == 1:
            atexit.register(close_pools)
    return _POOLS[jobs]


def close_pools() -> None:
    """Stop the worker processes (also run at exit) and drop the shared mappings."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.terminate()
        pool.join()
    while _SHARED:
        _, (memory, _size) = _SHARED.popitem()
        memory.close()


class Batcher:
    """Collects text files of one layer and matches them in batches, in-process or in worker processes.

    Batch `k` is written to slot `k mod (2 * jobs + 1)`: before it is filled, every batch but the
    `2 * jobs` newest has been collected, so the slot's previous batch is done with it.
    """

    def __init__(self, detector: Detector, jobs: int) -> None:
        self.detector = detector
        self.jobs = min(jobs, usable_cores())
        if self.jobs > 1:
            import multiprocessing  # deferred, see _pool

            self.jobs = self.jobs if "fork" in multiprocessing.get_all_start_methods() else 1
        if self.jobs > 1:
            try:
                pickle.dumps(detector)
            except Exception:  # noqa: BLE001 - an unpicklable detector just means "match in this process"
                self.jobs = 1
        self.batch: list[Item] = []
        self.size = 0  # content bytes in the batch
        self.used = 0  # bytes of the batch's slot written
        self.slot = 0
        self.pending: deque[AsyncResult[list[Match]]] = deque()
        self.found: list[Match] = []
        self.claimed: bool | None = None  # whether this batcher fills the shared mapping (decided on first use)

    def _claim(self) -> bool:
        if self.claimed is None:
            with _CLAIM:
                self.claimed = self.jobs not in _CLAIMED
                _CLAIMED.add(self.jobs)
        return self.claimed

    def close(self) -> None:
        """Give the shared mapping back (a batcher in another thread, meanwhile, sent its contents pickled)."""
        if self.claimed:
            with _CLAIM:
                _CLAIMED.discard(self.jobs)
        self.claimed = None

    def add(self, entry: int, path: str, data: bytes) -> None:
        if self.jobs <= 1:
            self.found += _detect(self.detector, ((entry, path, data),))
            return
        memory, slot_size = _memory(self.jobs)
        if len(data) > slot_size or not self._claim():
            self.batch.append((entry, path, 0, 0, data))  # pickled: bigger than a slot, or the slots are taken
        else:
            if self.used + len(data) > slot_size:
                self._submit()
            offset = self.slot * slot_size + self.used
            memory[offset:offset + len(data)] = data
            self.batch.append((entry, path, offset, len(data), b""))
            self.used += len(data)
        self.size += len(data)
        if self.size >= slot_size:
            self._submit()

    def _submit(self) -> None:
        if not self.batch:
            return
        if not _POOLS:
            # Build a lazily made detector before the fork: workers inherit it. Its rules' regexes are compiled
            # by each worker on first hit (bench/scan.py's images hit 1 and 64 of 171): off the reading process.
            self.detector.wants_path("")
        self.pending.append(_pool(self.jobs).apply_async(_detect_shared, (self.detector, self.jobs, self.batch)))
        self.batch, self.size, self.used = [], 0, 0
        self.slot = (self.slot + 1) % (2 * self.jobs + 1)
        while len(self.pending) > 2 * self.jobs:
            self.found += self.pending.popleft().get()

    def finish(self) -> list[Match]:
        """Every match of the layer, in entry order (the last, partial batch is matched here meanwhile)."""
        tail = _detect_shared(self.detector, self.jobs, self.batch) if self.batch else []
        while self.pending:
            self.found += self.pending.popleft().get()
        self.found += tail
        self.batch, self.size, self.used, self.slot = [], 0, 0, 0
        return self.found
