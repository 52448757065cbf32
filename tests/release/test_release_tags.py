"""Tag planning: examples (the backport case) and hypothesis properties over random release histories."""

from __future__ import annotations

import semver
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from imgforge.errors import UsageError
from imgforge.tags import bump_version, parse_version, plan_tags, version_tag, versions_at, versions_in


def test_first_stable_release_gets_full_set_and_sha():
    plan = plan_tags("1.2.3", {}, git_sha="abcdef0123", latest=True)
    assert plan.names == ["1.2.3", "1.2", "1", "latest", "sha-abcdef0"]
    assert all(t.action == "create" for t in plan.tags)
    assert plan.exact.immutable


def test_backport_moves_its_own_lines_but_never_latest_or_newer_major():
    existing = {"2.0.1": "sha256:b", "2.0": "sha256:b", "2": "sha256:b", "latest": "sha256:b",
                "1.9.0": "sha256:a", "1.9": "sha256:a", "1": "sha256:a"}
    plan = plan_tags("1.9.1", existing, latest=True)
    assert plan.names == ["1.9.1", "1.9", "1"]
    moves = {t.tag: t for t in plan.tags}
    assert moves["1.9"].action == "move" and moves["1.9"].current == "sha256:a"
    assert dict(plan.skipped)["latest"] == "2.0.1 is the highest stable version"


def test_backport_below_highest_in_minor_line_moves_only_major_when_highest_there():
    plan = plan_tags("1.8.5", ["1.9.0", "1.8.4", "2.0.0"])
    assert plan.names == ["1.8.5", "1.8"]
    assert "1" in dict(plan.skipped)


def test_prerelease_gets_only_exact_and_channel():
    plan = plan_tags("1.2.0-rc.1", ["1.1.0"], latest=True, channel="rc", git_sha="abcdef0")
    assert plan.names == ["1.2.0-rc.1", "rc"]
    assert {tag for tag, _ in plan.skipped} == {"1.2", "1", "latest"}


def test_build_metadata_becomes_underscore_and_no_plain_version_tag():
    plan = plan_tags("1.2.3+build.5", [])
    assert plan.names == ["1.2.3_build.5", "1.2", "1"]
    assert versions_in(["1.2.3_build.5"]) == {"1.2.3_build.5": semver.Version.parse("1.2.3+build.5")}


def test_existing_exact_tag_is_kept_not_moved():
    plan = plan_tags("1.0.0", {"1.0.0": "sha256:x"})
    assert plan.exact.action == "keep" and plan.exact.current == "sha256:x"


def test_bad_inputs_are_usage_errors():
    with pytest.raises(UsageError, match="not a semantic version"):
        plan_tags("1.2", [])
    with pytest.raises(UsageError, match="channel"):
        plan_tags("1.2.3", [], channel="1.2.3")


def test_bump_reads_highest_stable():
    assert bump_version(["1.2.3", "1.10.0", "2.0.0-rc.1", "latest", "1.2"], "minor") == "1.11.0"
    assert bump_version([], "patch") == "0.0.1"
    assert bump_version(["v9.9.9", "0.3.0"], "major") == "1.0.0"  # `v9.9.9` is not a version tag


def test_parse_version_accepts_v_prefix():
    assert parse_version("v1.2.3") == semver.Version(1, 2, 3)


# --- properties -------------------------------------------------------------------------------

versions = st.builds(
    lambda ma, mi, pa, pre, build: semver.Version(ma, mi, pa, f"rc.{pre}" if pre is not None else None,
                                                  f"b.{build}" if build is not None else None),
    st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
    st.none() | st.integers(1, 2), st.none() | st.integers(1, 2),
)


def _release(registry: dict[str, str], version: semver.Version, digest: str) -> None:
    """Apply a plan the way push does: exact tags refuse another digest, everything else is put."""
    plan = plan_tags(version, dict(registry), latest=True, channel="rc" if version.prerelease else None)
    exact = plan.exact
    if exact.tag in registry:
        return  # push would raise ImmutableTagError (different digest) and change nothing
    for move in plan.tags:
        registry[move.tag] = digest


@settings(max_examples=200, deadline=None)
@given(st.lists(versions, min_size=1, max_size=25))
def test_history_invariants(history: list[semver.Version]):
    registry: dict[str, str] = {}
    released: dict[str, semver.Version] = {}  # exact tag -> version, in push order
    first_digest: dict[str, str] = {}
    for n, version in enumerate(history):
        digest = f"sha256:{n:064x}"
        _release(registry, version, digest)
        tag = version_tag(version)
        first_digest.setdefault(tag, digest)
        released.setdefault(tag, version)

        # Exact tags never move.
        for t, d in first_digest.items():
            assert registry[t] == d
        stable = {t: v for t, v in released.items() if not v.prerelease}
        by_digest = {registry[t]: v for t, v in released.items()}
        # Floating tags point at the highest stable version of their line (equal precedence: latest push).
        for t, d in registry.items():
            if t in released or t.startswith("sha-") or t == "rc":
                continue
            target = by_digest[d]
            assert not target.prerelease, f"{t} points at a prerelease"
            if t == "latest":
                line = list(stable.values())
            elif "." in t:
                ma, mi = map(int, t.split("."))
                line = [v for v in stable.values() if (v.major, v.minor) == (ma, mi)]
            else:
                line = [v for v in stable.values() if v.major == int(t)]
            assert target in line
            assert all(target.compare(v) >= 0 for v in line), f"{t} -> {target} but line has {max(line)}"
        # Every stable line that exists has its floating tags.
        for v in stable.values():
            assert f"{v.major}.{v.minor}" in registry and str(v.major) in registry and "latest" in registry


@given(versions)
def test_prerelease_plans_never_contain_floating_tags(version: semver.Version):
    plan = plan_tags(version, [], latest=True)
    kinds = {t.kind for t in plan.tags}
    assert ("floating" in kinds or "latest" in kinds) == (not version.prerelease)


def test_versions_at_names_what_a_floating_tag_points_at():
    existing = {"1.0.0": "sha256:a", "1.0.1": "sha256:b", "1.0": "sha256:b", "1": "sha256:b", "x": "sha256:b"}
    assert versions_at("sha256:b", existing) == ["1.0.1"]
    assert versions_at(None, existing) == []
