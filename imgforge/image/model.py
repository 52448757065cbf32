"""The read-only image model every source produces: an `Image` with its config and `Layer`s.

Layer bytes are reached only through an opener (`() -> BinaryIO`), never held or extracted,
in the style of go-containerregistry's `v1.Image`/`v1.Layer`. Openers of random-access sources
are small picklable values, so layers can be read in worker processes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from imgforge.errors import UsageError

Opener = Callable[[], BinaryIO]

BASE_NAME_KEY = "org.opencontainers.image.base.name"


@dataclass(frozen=True)
class HistoryEntry:
    """One `history` item of the image config."""

    created_by: str
    empty_layer: bool
    comment: str = ""


@dataclass(frozen=True)
class ImageConfig:
    """The parts of the image config a scan reads."""

    digest: str
    env: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    history: tuple[HistoryEntry, ...]
    diff_ids: tuple[str, ...]
    os: str = ""
    architecture: str = ""

    @classmethod
    def parse(cls, raw: bytes, where: str) -> ImageConfig:
        """Parse config JSON bytes; a malformed config is a UsageError naming `where`."""
        try:
            doc = json.loads(raw)
            cfg = doc.get("config") or doc.get("container_config") or {}
            env = tuple(str(e) for e in (cfg.get("Env") or ()))
            labels = tuple(sorted((str(k), str(v)) for k, v in (cfg.get("Labels") or {}).items()))
            history = tuple(
                HistoryEntry(str(h.get("created_by", "")), bool(h.get("empty_layer", False)), str(h.get("comment", "")))
                for h in (doc.get("history") or ())
            )
            diff_ids = tuple(str(d) for d in ((doc.get("rootfs") or {}).get("diff_ids") or ()))
        except (ValueError, AttributeError, TypeError) as exc:
            raise UsageError(f"reading image config in {where}: not a valid config ({type(exc).__name__})") from exc
        return cls(
            digest="sha256:" + hashlib.sha256(raw).hexdigest(),
            env=env,
            labels=labels,
            history=history,
            diff_ids=diff_ids,
            os=str(doc.get("os", "")),
            architecture=str(doc.get("architecture", "")),
        )

    def layer_commands(self) -> list[str | None]:
        """The `created_by` of each layer, bottom first (history entries with empty_layer skipped)."""
        cmds = [h.created_by for h in self.history if not h.empty_layer]
        if len(cmds) != len(self.diff_ids):
            return [None] * len(self.diff_ids)
        return list(cmds)

    def label(self, key: str) -> str | None:
        return dict(self.labels).get(key)


@dataclass(frozen=True)
class Layer:
    """One layer: its identity and how to open its (possibly compressed) tar stream."""

    index: int
    diff_id: str
    digest: str
    size: int | None
    media_type: str
    opener: Opener = field(repr=False, compare=False)

    def open(self) -> BinaryIO:
        return self.opener()


@dataclass(frozen=True)
class Image:
    """A read-only image: where it came from, its config and its layers (bottom first)."""

    name: str
    source: str
    config: ImageConfig
    layers: tuple[Layer, ...]
    annotations: tuple[tuple[str, str], ...] = ()
    manifest_digest: str | None = None

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)


def json_doc(raw: bytes, what: str) -> Any:
    """Parse a small JSON document from an image; malformed JSON is a UsageError naming `what`."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"reading {what}: not valid JSON") from exc
