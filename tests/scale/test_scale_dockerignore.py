"""`.dockerignore` matching follows the engine's rules (examples from Docker's documentation and its tests)."""

from __future__ import annotations

import pytest

from imgforge.plan.dockerignore import DockerIgnore

CASES = [
    ("*.md\n!README.md\n", "notes.md", True),
    ("*.md\n!README.md\n", "README.md", False),
    ("*.md\n!README.md\n", "docs/notes.md", False),  # `*` never crosses a folder
    ("**/*.md\n", "docs/deep/notes.md", True),
    ("**/*.md\n", "notes.md", True),  # `**/` may match no folder at all
    ("docs\n", "docs/a/b.txt", True),  # a matched folder takes everything under it
    ("/build\n", "build/out.o", True),  # a leading slash is the context root
    ("build/\n", "src/build/out.o", False),
    ("temp?\n", "temp1", True),
    ("temp?\n", "temp12", False),
    ("[a-c].txt\n", "b.txt", True),
    ("[a-c].txt\n", "d.txt", False),
    ("# comment\n\n  spaced.txt  \n", "spaced.txt", True),
    ("*\n!src\n", "src/main.go", False),  # everything, then a folder re-included
    ("*\n!src\nsrc/*.tmp\n", "src/x.tmp", True),  # last match wins
    ("a/**/z\n", "a/z", True),
    ("a/**/z\n", "a/b/c/z", True),
    ("./x/../y\n", "y", True),  # patterns are cleaned like paths
    ("**/docs/\n", "sdk/python/docs/conf.py", True),  # a folder at any depth takes its files (seen on 20.10)
    ("src/*\n", "src/a/b.go", True),
]


@pytest.mark.parametrize(("text", "path", "excluded"), CASES)
def test_matches_like_the_engine(text: str, path: str, excluded: bool) -> None:
    assert DockerIgnore(text).excludes(path) is excluded
