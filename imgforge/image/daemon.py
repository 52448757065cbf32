"""The daemon source: an image in the local engine, read as its `docker save` stream (no parser of its own)."""

from __future__ import annotations

import io
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, BinaryIO, TypeVar, cast

from imgforge.env.engine import Engine, client, connect
from imgforge.errors import EngineUnavailable, ImgforgeError, UsageError
from imgforge.image.archive import StreamResult, build_image, read_archive_stream
from imgforge.image.model import Image

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

T = TypeVar("T")


def exists(ref: str, engine: Engine | None = None) -> bool | None:
    """Whether the engine has `ref`; None when no engine answers."""
    if engine is None and shutil.which("docker") is None:
        return None
    try:
        # One round trip: a missing engine fails the lookup itself, no separate ping is needed.
        return (engine or Engine(client())).has_image(ref)
    except ImgforgeError:  # no engine: the caller decides whether another source will do
        return None


@contextmanager
def save_stream(ref: str, on_bytes: Callable[[int], None] | None = None,
                engine: Engine | None = None) -> Iterator[BinaryIO]:
    """The `docker save REF` output as a readable stream; engine errors name the step."""
    step = f"saving {ref} from the engine"
    engine = engine or connect(step)
    if not engine.has_image(ref):
        raise UsageError(f"{step}: no such image")
    cmd = engine.save_command(ref)  # raw: python-on-whales' `image.save()` iterator splits the tar into lines
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1 << 20)
    except OSError as exc:
        raise EngineUnavailable(f"{step}: {exc.strerror or exc}") from exc
    assert proc.stdout is not None and proc.stderr is not None
    reader = _Prefetch(proc.stdout, on_bytes=on_bytes)
    try:
        yield cast(BinaryIO, reader)
        while reader.read(1 << 20):
            pass  # drain what the reader did not need so docker save exits cleanly
    finally:
        reader.stop()
        proc.stdout.close()
        err = proc.stderr.read(65536).decode(errors="replace").strip().splitlines()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise EngineUnavailable(f"{step}: docker save failed ({err[-1] if err else f'exit {code}'})")


class _Prefetch(io.RawIOBase):
    """Reads the pipe in a thread (the read releases the GIL), so `docker save` keeps writing while we parse."""

    def __init__(self, pipe: IO[bytes], depth: int = 16, on_bytes: Callable[[int], None] | None = None) -> None:
        self.pipe = pipe
        self.on_bytes = on_bytes  # progress: called from the reader thread with each chunk's size
        self.chunks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=depth)  # at most depth MiB ahead
        self.buf = memoryview(b"")
        self.done = False
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._pump, name="docker-save-reader", daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        try:
            while not self.halt.is_set():
                chunk = self.pipe.read(1 << 20)
                if self.on_bytes is not None and chunk:
                    self.on_bytes(len(chunk))
                self._put(chunk)
                if not chunk:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reading side, which raises it
            self._put(exc)

    def _put(self, item: bytes | BaseException) -> None:
        while not self.halt.is_set():
            try:
                self.chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        if not self.buf:
            if self.done:
                return 0
            item = self.chunks.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                self.done = True
                return 0
            self.buf = memoryview(item)
        out = memoryview(b).cast("B")
        n = min(len(out), len(self.buf))
        out[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

    def stop(self) -> None:
        self.halt.set()


def scan_daemon(ref: str, on_layer: Callable[[str, BinaryIO], T],
                on_bytes: Callable[[int], None] | None = None, engine: Engine | None = None) -> StreamResult[T]:
    """Run `on_layer` over each layer of `ref` in one `docker save` pass (`on_bytes` sees the bytes read)."""
    with save_stream(ref, on_bytes, engine) as stream:
        return read_archive_stream(stream, on_layer, f"docker save {ref}")


@dataclass(frozen=True)
class SaveMember:
    """An opener for one layer of a daemon image: runs `docker save` again and reads that member (slow)."""

    ref: str
    member: str

    def __call__(self) -> BinaryIO:
        grabbed: list[bytes] = []

        def keep(name: str, fh: BinaryIO) -> None:
            if name == self.member:
                grabbed.append(fh.read())

        scan_daemon(self.ref, keep)
        return io.BytesIO(grabbed[0] if grabbed else b"")


def open_daemon(ref: str, engine: Engine | None = None) -> Image:
    """The image `ref` in the engine (metadata from one `docker save` pass; layers re-open lazily)."""
    result = scan_daemon(ref, lambda name, fh: name, engine=engine)
    return build_image(result.resolved, lambda member: SaveMember(ref, member), ref, "daemon", f"docker save {ref}")
