"""`manifest.config_files`: files read into the ConfigMap, confined to the project (a pull request's settings
must not copy the CI runner's secrets, devices or /proc into a manifest that is then published).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from imgforge.errors import UsageError
from imgforge.smallfile import confined

# A ConfigMap holds at most 1 MiB in etcd; beyond that `kubectl apply` fails anyway.
MAX_TOTAL_BYTES = 1024 * 1024


def _refuse(key: str, rel: str, why: str) -> UsageError:
    return UsageError(f"manifest.config_files.{key} ({rel}): {why}")


def read_config_file(root: Path, key: str, rel: str, budget: int) -> str:
    """The UTF-8 text of `rel` under the project `root`, refused unless it is a regular file inside it of at most
    `budget` bytes."""
    target = confined(root, rel, lambda why: _refuse(key, rel, why))
    if not target.exists():
        raise _refuse(key, rel, "cannot be read (No such file or directory)")
    try:
        # O_NOFOLLOW|O_NONBLOCK: the resolved path is final, and a FIFO must not block the open.
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise _refuse(key, rel, f"cannot be opened ({exc.strerror or exc})") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _refuse(key, rel, "is not a regular file (devices, FIFOs, sockets and folders are refused)")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > budget:
            raise _refuse(key, rel, f"is {info.st_size} bytes; the ConfigMap's files may total {MAX_TOTAL_BYTES}")
        data = handle.read(budget + 1)
    if len(data) > budget:
        raise _refuse(key, rel, f"grew beyond {budget} bytes while it was read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(key, rel, "is not UTF-8 text (a ConfigMap's data holds text)") from exc


def read_config_files(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Every configured file's text, key by key, within one total size budget."""
    out: dict[str, str] = {}
    budget = MAX_TOTAL_BYTES
    for key, rel in files.items():
        out[key] = read_config_file(root, key, rel, budget)
        budget -= len(out[key].encode("utf-8"))
    return out
