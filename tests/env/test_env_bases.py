"""The base catalog's definitions (pure): a changed recipe means a rebuild, down the whole tree."""

from __future__ import annotations

from imgforge.env import bases


def test_definitions_are_distinct_and_stable():
    defs = [bases.definition(b) for b in bases.CATALOG]
    assert len(set(defs)) == len(defs)
    assert defs == [bases.definition(b) for b in bases.CATALOG]


def test_root_change_propagates_to_children(monkeypatch):
    before = {b.ref: bases.definition(b) for b in bases.CATALOG}
    monkeypatch.setattr(bases, "ROOT_RECIPE", bases.ROOT_RECIPE + " changed")
    after = {b.ref: bases.definition(b) for b in bases.CATALOG}
    assert all(before[ref] != after[ref] for ref in before)


def test_every_derived_image_starts_from_the_root():
    for base in bases.CATALOG[1:]:
        assert base.dockerfile is not None and base.dockerfile.startswith(f"FROM {bases.ROOT_IMAGE}")


def test_find_with_registry_prefix():
    assert bases.find("127.0.0.1:5000/imgforge/python:3.11") is bases.find("imgforge/python:3.11") is not None
    assert bases.find("imgforge/nope:1") is None
