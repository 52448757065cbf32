"""Semver tag planning: which tags a release creates or moves, as a pure function over data.

A stable version `X.Y.Z` gets its exact tag plus the floating tags `X.Y` and `X` — each only when it
is the highest stable version in that line — and `latest` only when asked and highest overall.
A prerelease gets only its exact tag (and an optional channel tag; no `sha-<7>`). Build metadata is made tag-safe
by turning `+` into `_` (`1.2.3+build.5` -> tag `1.2.3_build.5`); `-` is not used because it would
read back as a prerelease. Such a version gets no plain `X.Y.Z` tag: two builds differing only in
metadata would otherwise fight over one immutable tag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import semver

from imgforge.errors import UsageError

TagKind = Literal["exact", "floating", "latest", "sha", "channel"]
Action = Literal["create", "move", "keep"]
Bump = Literal["major", "minor", "patch"]


@dataclass(frozen=True)
class TagMove:
    """One tag of a plan: what it is, where it points now (digest or None) and what happens to it."""

    tag: str
    kind: TagKind
    action: Action
    current: str | None = None
    current_versions: tuple[str, ...] = ()  # the version tags that share `current`, lowest first

    @property
    def immutable(self) -> bool:
        """Exact version tags never move once pushed."""
        return self.kind == "exact"

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "kind": self.kind, "action": self.action, "current": self.current,
                "current_versions": list(self.current_versions)}


@dataclass(frozen=True)
class TagPlan:
    """The tag set for one version, plus the floating tags deliberately left alone and why."""

    version: str
    tags: tuple[TagMove, ...]
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def exact(self) -> TagMove:
        return next(t for t in self.tags if t.kind == "exact")

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape of a plan (CLI `--json` and pipeline.json alike)."""
        return {"version": self.version, "tags": [t.to_json() for t in self.tags],
                "skipped": [{"tag": tag, "why": why} for tag, why in self.skipped]}


def parse_version(text: str) -> semver.Version:
    """Parse `1.2.3`, `v1.2.3` or a tag-safe `1.2.3_build.5`; raise UsageError naming the text."""
    raw = text.strip()
    if raw[:1] in ("v", "V"):
        raw = raw[1:]
    if "+" not in raw and "_" in raw:
        raw = raw.replace("_", "+", 1)
    try:
        return semver.Version.parse(raw)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"reading version {text!r}: not a semantic version (X.Y.Z[-pre][+build])") from exc


def version_tag(version: semver.Version) -> str:
    """The exact, tag-safe tag of a version (`+` becomes `_`)."""
    return str(version).replace("+", "_")


def versions_in(tags: Iterable[str]) -> dict[str, semver.Version]:
    """The tags that are exact version tags (`X.Y.Z[-pre][_build]`, no `v`), mapped to their version."""
    found: dict[str, semver.Version] = {}
    for tag in tags:
        if tag[:1].isdigit() and tag.count(".") >= 2:
            try:
                ver = parse_version(tag)
            except UsageError:
                continue
            if version_tag(ver) == tag:
                found[tag] = ver
    return found


def _stable(versions: Iterable[semver.Version]) -> list[semver.Version]:
    return [v for v in versions if not v.prerelease]


def _is_highest(new: semver.Version, others: Iterable[semver.Version]) -> bool:
    # Build metadata does not take part in precedence, so an equal rebuild still counts as highest.
    return all(new.compare(o) >= 0 for o in others)


def plan_tags(
    version: str | semver.Version,
    existing: Mapping[str, str] | Iterable[str],
    *,
    git_sha: str | None = None,
    latest: bool = False,
    channel: str | None = None,
) -> TagPlan:
    """Plan the tags for `version` given the registry's tags (tag -> digest) or just its version list."""
    new = version if isinstance(version, semver.Version) else parse_version(version)
    current: Mapping[str, str] = existing if isinstance(existing, Mapping) else {}
    known = versions_in(existing.keys() if isinstance(existing, Mapping) else existing)
    stable = _stable(known.values())

    def move(tag: str, kind: TagKind) -> TagMove:
        # An existing exact tag is kept (push checks it holds the same digest); others move.
        present = tag in current or (kind == "exact" and tag in known)
        action: Action = "create" if not present else ("keep" if kind == "exact" else "move")
        now = current.get(tag)
        return TagMove(tag, kind, action, now, tuple(versions_at(now, current)))

    tags = [move(version_tag(new), "exact")]
    skipped: list[tuple[str, str]] = []
    if new.prerelease:
        for tag in (f"{new.major}.{new.minor}", str(new.major)):
            skipped.append((tag, "prereleases never move floating tags"))
        if latest:
            skipped.append(("latest", "prereleases never move latest"))
    else:
        lines = (
            (f"{new.major}.{new.minor}", [v for v in stable if (v.major, v.minor) == (new.major, new.minor)]),
            (str(new.major), [v for v in stable if v.major == new.major]),
        )
        for tag, line in lines:
            if _is_highest(new, line):
                tags.append(move(tag, "floating"))
            else:
                top = max(line)
                skipped.append((tag, f"{version_tag(top)} is higher in line {tag}"))
        if latest:
            if _is_highest(new, stable):
                tags.append(move("latest", "latest"))
            else:
                skipped.append(("latest", f"{version_tag(max(stable))} is the highest stable version"))
    if channel:
        tags.append(move(_checked_tag(channel, "channel"), "channel"))
    if git_sha and not new.prerelease:  # a prerelease gets only its exact tag and the channel tag
        tags.append(move(f"sha-{git_sha[:7]}", "sha"))
    return TagPlan(version=str(new), tags=tuple(tags), skipped=tuple(skipped))


def _checked_tag(tag: str, what: str) -> str:
    ok = tag[:1].isalnum() and all(c.isalnum() or c in "._-" for c in tag) and len(tag) <= 128
    if not ok or versions_in([tag]):
        raise UsageError(f"planning tags: {what} {tag!r} is not a valid tag name (or looks like a version)")
    return tag


def bump_version(existing: Iterable[str], part: Bump) -> str:
    """The next version after the highest stable version tag in `existing` (0.0.0 when there is none)."""
    stable = _stable(versions_in(existing).values())
    top = max(stable) if stable else semver.Version(0, 0, 0)
    bumped = {"major": top.bump_major, "minor": top.bump_minor, "patch": top.bump_patch}[part]()
    return str(bumped)


def versions_at(digest: str | None, existing: Mapping[str, str]) -> list[str]:
    """The exact version tags in `existing` (tag -> digest) that point at `digest`, lowest first."""
    if digest is None:
        return []
    found = versions_in(tag for tag, d in existing.items() if d == digest)
    return [tag for tag, _ in sorted(found.items(), key=lambda item: item[1])]
