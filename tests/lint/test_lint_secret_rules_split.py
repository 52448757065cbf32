"""The secret rules' shell-word splitter matches shlex.split (POSIX) on quoted text, in a fraction of its time."""

from __future__ import annotations

import random
import shlex

import pytest

from imgforge.lint.rules.secret import shell_words


def _shlex(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


@pytest.mark.parametrize("text", [
    'a="b c" d=\'e f\'', 'x="a\\"b" y=\\$z', 'k="unterminated', "a='x'\"y\"z", 'p="a\\\\b\\nc"', "e=\"\" f=''",
    "trail\\", "m=a\\ b", "$''\n$", "'\ta\\' x\\$", 'LABEL="multi\nline" b=1', "\\\t",
])
def test_quoted_words_split_as_shlex_does(text: str) -> None:
    assert shell_words(text) == _shlex(text)


def test_random_shell_text_splits_as_shlex_does() -> None:
    rng = random.Random(12)
    alphabet = ["a", "b", " ", '"', "'", "\\", "=", "\t", "\n", "\r", "$"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert shell_words(text) == _shlex(text), repr(text)
