"""A content-addressed cache of ShellCheck results, so RUN scripts that did not change are not checked again.

An entry is keyed by ShellCheck's version and options, the dialect and the script text, and holds ShellCheck's
comments for that script. The entries live under $IMGFORGE_CACHE_DIR, else $XDG_CACHE_HOME/imgforge, else
~/.cache/imgforge, in 256 JSON files by the key's first two hex digits, so a run reads and writes only the files
of its own scripts: a one-file lint costs the same with ten entries as with 50,000 (one file of them all took
~40 ms to read). IMGFORGE_NO_CACHE=1 turns the cache off. A cache that cannot be read or written is not used, and
lint goes on without it. Beside it, ShellCheck's version and options are remembered for the binary they were read
from (`recall`), so a run whose scripts are all cached starts no process.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_ENTRIES = 50_000  # ~6 MB of JSON at most; past a shard's share, its oldest half is dropped
_SHARDS = 256
_FOLDER = "shellcheck-results"
_OLD_FILE = "shellcheck-results.json"  # the one-file layout before the shards: removed on the first write
_PROBE = "shellcheck-version.json"
_KEPT = ("line", "column", "code", "level", "message", "endLine")
# In every entry's key: entries of an older layout (before 2, without the column a finding's filter reads) are
# not read back as if they held what this one does.
FORMAT = 2

Comments = list[dict[str, Any]]


def cache_dir() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    if os.environ.get("IMGFORGE_NO_CACHE"):
        return None
    if os.environ.get("IMGFORGE_CACHE_DIR"):
        return Path(os.environ["IMGFORGE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imgforge"


@dataclass
class ResultCache:
    """ShellCheck comments by script key, each shard read on the first look-up of one of its keys."""

    identity: str
    folder: Path | None
    shards: dict[str, dict[str, Comments]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)  # the shards `save` writes

    def key(self, dialect: str, script: str) -> str:
        """The entry key of one script as ShellCheck (this version, these options) reads it."""
        return hashlib.sha256(f"{self.identity}\0{dialect}\0{script}".encode()).hexdigest()

    def get(self, key: str) -> Comments | None:
        """The comments cached for `key`, or None."""
        return self._shard(key[:2]).get(key)

    def put(self, key: str, comments: Comments) -> None:
        """Record the comments of one script: only what findings use (no file name, no fix text from the script)."""
        shard = self._shard(key[:2])
        shard.pop(key, None)  # newest last: the oldest are dropped first
        shard[key] = [{k: c[k] for k in _KEPT if k in c} for c in comments]
        self.changed.add(key[:2])

    def save(self) -> None:
        """Write the changed shards back (atomically; a concurrent run's entries may be lost, never corrupted)."""
        if self.folder is None or not self.changed:
            return
        for name in sorted(self.changed):
            items = list(self.shards[name].items())
            if len(items) > MAX_ENTRIES // _SHARDS:
                items = items[len(items) - MAX_ENTRIES // _SHARDS // 2:]
            _write(self.folder / _FOLDER, f"{name}.json", dict(items))
        self.changed.clear()
        with contextlib.suppress(OSError):
            (self.folder / _OLD_FILE).unlink(missing_ok=True)

    def _shard(self, name: str) -> dict[str, Comments]:
        if name not in self.shards:
            self.shards[name] = _read_shard(self.folder / _FOLDER / f"{name}.json") if self.folder else {}
        return self.shards[name]


def _read_shard(path: Path) -> dict[str, Comments]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load(identity: str) -> ResultCache:
    """The cache for this ShellCheck identity (it reads nothing until a key is looked up)."""
    return ResultCache(f"{identity}\0format {FORMAT}", cache_dir())


def recall(stamp: str) -> tuple[str, tuple[str, ...]] | None:
    """The version text and options remembered for the ShellCheck binary `stamp` names, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / _PROBE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp or not isinstance(data.get("version"), str) \
            or not isinstance(data.get("options"), list):
        return None
    return data["version"], tuple(str(o) for o in data["options"])


def remember(stamp: str, version: str, options: tuple[str, ...]) -> None:
    """Keep the version text and options of the ShellCheck binary `stamp` names (one binary: the last one used)."""
    folder = cache_dir()
    if folder is None:
        return
    _write(folder, _PROBE, {"stamp": stamp, "version": version, "options": list(options)})


def _write(folder: Path, name: str, data: dict[str, Any]) -> None:
    """Replace `folder/name` with `data` as JSON, atomically: a concurrent run's write may be lost, never mixed in."""
    # Deferred: a run whose scripts are all cached writes nothing, and tempfile is ~1 ms of its start-up.
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sc-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(tmp, folder / name)
    except OSError:
        return  # a read-only home or a full disk: lint results do not depend on the cache
