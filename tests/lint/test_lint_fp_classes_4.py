"""False-positive classes from a fourth hand-labelled public sample (s3, drawn from repositories the earlier
samples did not touch): branch-named and curl-only bases, caches kept out by tmpfs mounts or an image's clean-up
script, public keys with a `.key` name, and docker-in-docker images.

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied.
Each class is tested both ways: the false positive is gone and a nearby true positive is still reported.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _rules(text: str) -> list[str]:
    return [f.rule for f in lint(text, "Dockerfile") if f.severity != "info"]


_SERVE = 'EXPOSE 8080\nCMD ["/usr/local/bin/webapp", "--listen", ":8080"]\n'


# MS001: which base tags name a toolchain


@pytest.mark.parametrize("base", [
    "acme/desktop-core:develop",  # a branch tag, not the -devel flavour
    "acme/desktop-core:development-2024",
    "buildpack-deps:bookworm-curl",  # curl, wget and CA certificates only
    "buildpack-deps:scm",  # adds git and friends, still no compiler
])
def test_branch_tags_and_curl_only_bases_are_no_toolchain(base: str) -> None:
    assert "MS001" not in _rules(f"FROM {base}\nCOPY webapp /usr/local/bin/\n{_SERVE}")


@pytest.mark.parametrize("base", [
    "nvidia/cuda:12.4.1-devel-ubuntu22.04",  # the devel flavour: compilers and headers
    "acme/toolbox:devel",
    "buildpack-deps:bookworm",  # the full variant: gcc, make, -dev headers
])
def test_devel_flavours_and_full_buildpack_deps_still_ship_a_toolchain(base: str) -> None:
    assert "MS001" in _rules(f"FROM {base}\nCOPY webapp /usr/local/bin/\n{_SERVE}")
