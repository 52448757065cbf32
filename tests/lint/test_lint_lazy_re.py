"""`lazy_re.compile`: a pattern is compiled on its first use and then answers exactly as `re.compile`'s would."""

from __future__ import annotations

import re

import pytest

from imgforge.lint import lazy_re


@pytest.mark.parametrize("method, args", [
    ("search", ("x ab1 AB2",)), ("match", ("ab1",)), ("fullmatch", ("AB2",)), ("sub", ("-", "ab1 ab2")),
    ("subn", ("-", "ab1 ab2")), ("split", ("x ab1 y",)), ("findall", ("ab1 AB2",)),
])
def test_each_method_answers_as_the_compiled_pattern(method: str, args: tuple[str, ...]) -> None:
    lazy, real = lazy_re.compile(r"(ab)\d", re.I), re.compile(r"(ab)\d", re.I)
    first, again = getattr(lazy, method)(*args), getattr(lazy, method)(*args)
    expected = getattr(real, method)(*args)
    for got in (first, again):
        if isinstance(expected, re.Match):
            assert isinstance(got, re.Match) and got.span() == expected.span() and got.groups() == expected.groups()
        else:
            assert got == expected


def test_compiled_only_on_first_use_and_attributes_read_through() -> None:
    lazy = lazy_re.compile(r"(?P<name>[a-z]+)=(\d+)")
    assert "_compiled" not in vars(lazy)
    assert [m.group("name") for m in lazy.finditer("a=1 b=2")] == ["a", "b"]
    assert "_compiled" in vars(lazy)
    assert (lazy.pattern, lazy.groups, dict(lazy.groupindex)) == (r"(?P<name>[a-z]+)=(\d+)", 2, {"name": 1})


def test_a_bad_pattern_fails_when_used() -> None:
    lazy = lazy_re.compile(r"(unclosed")
    with pytest.raises(re.error):
        lazy.search("x")
