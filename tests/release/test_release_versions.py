"""Where versions and the `created` label come from: imgforge.yaml, VERSION files, git tags, commit time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from imgforge.build import created_timestamp
from imgforge.build.options import git_revision
from imgforge.errors import UsageError
from imgforge.gitinfo import latest_version, project_sha
from imgforge.project import load_project
from imgforge.push import latest_git_version, project_version

WHEN = "2024-02-03T04:05:06Z"


def _git_repo(path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": WHEN, "GIT_COMMITTER_DATE": WHEN, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    (path / "app").mkdir(exist_ok=True)
    (path / "app" / "main.c").write_text("int main(void) { return 0; }\n")
    for args in (["init", "-q"], ["add", "app"], ["commit", "-q", "-m", "one"], ["tag", "v1.2.3"],
                 ["tag", "v1.10.0"], ["tag", "v2.0.0-rc.1"], ["tag", "not-a-version"]):
        subprocess.run(["git", "-C", str(path), *args], check=True, env=env, capture_output=True)


def test_created_is_the_commit_time_so_rebuilds_match(tmp_path: Path):
    _git_repo(tmp_path)
    assert created_timestamp(tmp_path, {}) == WHEN
    # A later commit that does not touch the context leaves the label (and so the image) unchanged.
    later = {**os.environ, "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
             "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
             "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    (tmp_path / "README").write_text("docs\n")
    for args in (["add", "README"], ["commit", "-q", "-m", "docs"]):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, env=later, capture_output=True)
    assert created_timestamp(tmp_path / "app", {}) == WHEN
    assert git_revision(tmp_path / "app") != git_revision(tmp_path)
    assert created_timestamp(tmp_path, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        created_timestamp(tmp_path, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_version_sources(tmp_path: Path):
    _git_repo(tmp_path)
    assert latest_git_version(tmp_path) == "2.0.0-rc.1"  # highest semver, prereleases included
    assert project_version(tmp_path) == "2.0.0-rc.1"  # no imgforge.yaml, no VERSION file: git
    (tmp_path / "VERSION").write_text("3.1.4\n")
    assert project_version(tmp_path) == "3.1.4"
    (tmp_path / "imgforge.yaml").write_text("version:\n  source: fixed\n  value: 9.9.9\n")
    assert project_version(tmp_path) == "9.9.9"
    assert latest_git_version(tmp_path / "nowhere") is None


def test_one_version_rule_for_push_and_pipeline(tmp_path: Path):
    """`git describe` would answer `later-marker` (the nearest tag of any name); both paths say 2.0.0-rc.1."""
    _git_repo(tmp_path)
    subprocess.run(["git", "-C", str(tmp_path), "tag", "later-marker"], check=True, capture_output=True)
    (tmp_path / "imgforge.yaml").write_text("recipe: static\nversion: {source: git}\n")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("hi\n")
    assert load_project(tmp_path).version() == project_version(tmp_path) == latest_version(tmp_path) == "2.0.0-rc.1"


def test_sha_tag_comes_from_the_project_repository_only(tmp_path: Path):
    _git_repo(tmp_path)
    assert project_sha(tmp_path) is None  # a repository, but no project in it: the cwd case
    (tmp_path / "imgforge.yaml").write_text("recipe: static\n")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert project_sha(tmp_path) == head
    outside = tmp_path.parent / f"{tmp_path.name}-plain"
    outside.mkdir()
    (outside / "imgforge.yaml").write_text("recipe: static\n")
    assert project_sha(outside) is None  # outside git: no sha tag at all


def test_project_push_and_manifest_agree_without_a_version_file(tmp_path: Path):
    """The default `source: file` with no VERSION file falls back to the git tag everywhere (`Project.version`
    used to answer None there while push and the pipeline took the tag, so manifests lost the version)."""
    _git_repo(tmp_path)
    (tmp_path / "imgforge.yaml").write_text("recipe: static\n")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("hi\n")
    assert load_project(tmp_path).version() == project_version(tmp_path) == "2.0.0-rc.1"
    (tmp_path / "imgforge.yaml").write_text("recipe: static\nversion: {source: fixed}\n")  # fixed, but no value
    assert load_project(tmp_path).version() == project_version(tmp_path) == "2.0.0-rc.1"
