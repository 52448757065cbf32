"""Reading a file that settings name, whose path may come from a pull request: a regular file, and bounded."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from imgforge.errors import UsageError


def read_regular(path: Path | str, what: str, limit: int) -> bytes:
    """The bytes of `path`, refused with a UsageError naming `what` unless it is a regular file of at most `limit`
    bytes: a device (/dev/zero), FIFO or folder never blocks the read or fills memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO must not wait for a writer
    except OSError as exc:
        raise UsageError(f"reading {what} {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"reading {what} {path}: not a regular file (devices, FIFOs and folders are refused)")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UsageError(f"reading {what} {path}: larger than {limit} bytes")
    return data


def inside(root: Path, rel: str, what: str) -> Path | None:
    """`rel` resolved under the project folder `root` (None when nothing is there); a UsageError starting with `what`
    when it is absolute, climbs out with '..', or a symbolic link leads outside the project, so that a pull
    request's settings cannot name a host file (/etc/shadow, a runner's credentials)."""
    pure = PurePosixPath(rel)
    if not rel or "\0" in rel or pure.is_absolute() or Path(rel).is_absolute() or rel.startswith("~"):
        raise UsageError(f"{what}: {rel!r} must be a path relative to the project")
    if ".." in pure.parts:
        raise UsageError(f"{what}: {rel!r} must not contain '..': the file stays inside the project")
    base = root.resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        raise UsageError(f"{what}: {rel!r}: a symbolic link leads outside the project")
    return target if target.exists() else None
