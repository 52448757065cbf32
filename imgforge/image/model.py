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
from typing import Any, BinaryIO, TypeVar

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
        """Parse config JSON bytes; malformed JSON or a field of the wrong type is a UsageError naming `where`."""
        doc = _expect(json_doc(raw, f"image config in {where}"), dict, "the config", where)
        cfg = _expect(doc.get("config") or doc.get("container_config") or {}, dict, "config", where)
        env = tuple(_text(e, "config.Env[]", where) for e in _expect(cfg.get("Env") or [], list, "config.Env", where))
        labels = tuple(sorted((str(k), _text(v, f"config.Labels.{k}", where))
                              for k, v in _expect(cfg.get("Labels") or {}, dict, "config.Labels", where).items()))
        history = tuple(
            HistoryEntry(_text(h.get("created_by", ""), "history[].created_by", where),
                         bool(h.get("empty_layer", False)), _text(h.get("comment", ""), "history[].comment", where))
            for h in (_expect(h, dict, "history[]", where)
                      for h in _expect(doc.get("history") or [], list, "history", where))
        )
        rootfs = _expect(doc.get("rootfs") or {}, dict, "rootfs", where)
        diff_ids = tuple(_text(d, "rootfs.diff_ids[]", where)
                         for d in _expect(rootfs.get("diff_ids") or [], list, "rootfs.diff_ids", where))
        return cls(
            digest="sha256:" + hashlib.sha256(raw).hexdigest(),
            env=env,
            labels=labels,
            history=history,
            diff_ids=diff_ids,
            os=_text(doc.get("os", ""), "os", where),
            architecture=_text(doc.get("architecture", ""), "architecture", where),
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
    """Parse a small JSON document from an image; malformed or absurdly nested JSON is a UsageError naming `what`."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"reading {what}: not valid JSON") from exc
    except RecursionError as exc:
        raise UsageError(f"reading {what}: JSON nested too deeply") from exc


T = TypeVar("T")


def _expect(value: Any, kind: type[T], key: str, where: str) -> T:
    """`value` when it is a `kind`, else a UsageError naming the key (hostile or broken image JSON)."""
    if not isinstance(value, kind):
        raise UsageError(f"reading image config in {where}: {key} is a JSON {json_type(value)}, "
                         f"expected {json_type(kind())}")
    return value


def _text(value: Any, key: str, where: str) -> str:
    """A string field (numbers and booleans are taken as their text); maps and lists are an error."""
    if isinstance(value, (dict, list)):
        raise UsageError(f"reading image config in {where}: {key} is a JSON {json_type(value)}, expected a string")
    return value if isinstance(value, str) else str(value)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (for messages)."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "null" if value is None else "number"
