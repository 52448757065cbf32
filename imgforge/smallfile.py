"""Reading a file that settings name, whose path may come from a pull request: a regular file, and bounded."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from imgforge.errors import UsageError


def read_regular(path: Path | str, what: str, limit: int, *, refuse: Callable[[str], UsageError] | None = None,
                 follow_links: bool = True) -> bytes:
    """The bytes of `path`, refused unless it is a regular file of at most `limit` bytes: a device (/dev/zero),
    FIFO or folder never blocks the read or fills memory. The UsageError names `what` and the path, or is
    `refuse(why)` when given; `follow_links=False` refuses a symbolic link (a path already resolved and checked)."""

    def fail(why: str) -> UsageError:
        return refuse(why) if refuse is not None else UsageError(f"reading {what} {path}: {why}")

    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)  # NONBLOCK: a FIFO must not wait
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise fail(str(exc.strerror or exc)) from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise fail("is not a regular file (devices, FIFOs, sockets and folders are refused)")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise fail(f"is {info.st_size} bytes, larger than {limit}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise fail(f"grew larger than {limit} bytes while it was read")
    return data


def confined(root: Path, rel: str, refuse: Callable[[str], UsageError]) -> Path:
    """`rel` resolved under the project folder `root`, whether or not it exists; `refuse(why)` is raised when it is
    empty, absolute, climbs out with '..', or a symbolic link leads outside the project, so that a pull request's
    settings cannot name a host file (/etc/shadow, a runner's credentials, /dev/zero)."""
    pure = PurePosixPath(rel)
    if not rel or "\0" in rel:
        raise refuse("must be a path relative to the project (it is empty or holds a NUL byte)")
    if pure.is_absolute() or Path(rel).is_absolute() or rel.startswith("~"):
        raise refuse("must be a path relative to the project, not an absolute one")
    if ".." in pure.parts:
        raise refuse("must not contain '..': the file stays inside the project")
    base = root.resolve()
    try:
        target = (base / rel).resolve()
    except (OSError, RuntimeError) as exc:  # a symbolic link loop
        raise refuse(f"cannot be read ({exc})") from exc
    if not target.is_relative_to(base):
        raise refuse("a symbolic link leads outside the project")
    return target


def inside(root: Path, rel: str, what: str) -> Path | None:
    """`rel` confined under `root` (see `confined`; the UsageError starts with `what`), None when nothing is there."""
    target = confined(root, rel, lambda why: UsageError(f"{what}: {rel!r}: {why}"))
    return target if target.exists() else None
