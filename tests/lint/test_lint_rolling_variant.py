"""PIN001/PIN002 and files that build a rolling variant on purpose.

Image collections keep one Dockerfile per published variant; the one published as `latest`, `nightly` or
`devel` (R-devel, a distribution's development branch) follows the newest base on purpose, and says so in its file
or folder name. Every Dockerfile here is written for these tests, modelled on patterns seen in public projects.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.lint import lint_files

_TEXT = "FROM {base}\nRUN echo build\nEXPOSE 8080\nUSER 10001\nCMD [\"/usr/local/bin/app\"]\n"


def _pins(tmp_path: Path, rel: str, base: str) -> list[str]:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_TEXT.format(base=base), encoding="utf-8")
    return [f.rule for f in lint_files([path], use_shellcheck=False).findings if f.rule in ("PIN001", "PIN002")]


@pytest.mark.parametrize("rel", [
    "images/ssh/latest/Dockerfile",
    "dockerfiles/r-base_devel.Dockerfile",
    "Dockerfile.nightly",
    "variants/edge/Dockerfile",
])
def test_a_file_named_for_its_rolling_variant_may_float(tmp_path: Path, rel: str) -> None:
    assert _pins(tmp_path, rel, "ubuntu:latest") == []
    assert _pins(tmp_path, rel, "ubuntu") == []


@pytest.mark.parametrize("rel", [
    "images/ssh/1.4/Dockerfile",
    "Dockerfile",
    "services/latestnews/Dockerfile",  # a word inside a name is no variant
    "deploy/develop-tools/Dockerfile",
])
def test_other_files_still_get_the_pinning_findings(tmp_path: Path, rel: str) -> None:
    assert _pins(tmp_path, rel, "ubuntu:latest") == ["PIN002"]
    assert _pins(tmp_path, rel, "ubuntu") == ["PIN001"]
