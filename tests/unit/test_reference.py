"""Image reference parsing (pure)."""

import pytest

from imgforge.errors import UsageError
from imgforge.reference import Reference

D = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repo", "tag", "digest"),
    [
        ("alpine", None, "alpine", None, None),
        ("alpine:3.19", None, "alpine", "3.19", None),
        ("library/alpine:3", None, "library/alpine", "3", None),
        ("127.0.0.1:5000/app:1.2.3", "127.0.0.1:5000", "app", "1.2.3", None),
        ("localhost/team/app", "localhost", "team/app", None, None),
        (f"ghcr.io/o/app@{D}", "ghcr.io", "o/app", None, D),
        (f"ghcr.io/o/app:1@{D}", "ghcr.io", "o/app", "1", D),
        ("localhost:5000/a/b/c:sha-abc1234", "localhost:5000", "a/b/c", "sha-abc1234", None),
    ],
)
def test_parse(text, registry, repo, tag, digest):
    ref = Reference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repo, tag, digest)
    assert str(ref) == text


@pytest.mark.parametrize("bad", ["", "UPPER/case", "app:", "app@sha256:xyz", "a//b", "app:-bad", "app:has space"])
def test_parse_rejects(bad):
    with pytest.raises(UsageError, match="parsing image reference"):
        Reference.parse(bad)


def test_with_tag_and_digest():
    ref = Reference.parse("127.0.0.1:5000/app:1")
    assert str(ref.with_tag("2")) == "127.0.0.1:5000/app:2"
    assert str(ref.with_digest(D)) == f"127.0.0.1:5000/app@{D}"
