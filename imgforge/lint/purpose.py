"""What the image a Dockerfile builds is for, and what that does to its findings' severity.

A dev container, a test or CI image, a parser fixture or a docs recipe never ships: a reviewer would not ask it to
be smaller or more reproducible, so the image-hygiene rules (PC, BL, MS, PIN, LO, USR001) report at info there, not
as warnings, and say why. Secrets keep their severity everywhere (a leaked key is leaked whether the image ships or
not) but for a key file a test image copies from its context (the test's fixture), and so do syntax errors except
in a fixture folder (`testfiles/`), whose files are parser input, often invalid on purpose.

The purpose comes from the file's path, folder by folder (whole names, never substrings: `integration-hub/` or a
repository called `test-app` say nothing), relative to its repository root when one is found (a folder holding
`.git`, else the outermost holding a repository's top-level files), and from a dev-container base image. Not from
stage names: a `development` stage is as often the app a compose file runs as a dev-only target.
The `purpose:` lint setting overrides it: `service` judges every image as shipped, `base` as a base to extend,
`dev`, `test`, `fixture` or `docs` as that.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from imgforge.lint import lazy_re
from imgforge.lint.context import ROOT_MARKS
from imgforge.lint.model import Dockerfile, Finding, Stage
from imgforge.lint.rules.multistage import is_base_image
from imgforge.lint.rules.user import is_service

Kind = Literal["service", "base", "dev", "test", "fixture", "docs"]
SETTINGS = ("auto", "service", "base", "dev", "test", "fixture", "docs")
_LABEL: dict[str, str] = {"dev": "a dev image", "test": "a test or CI image", "fixture": "a test fixture",
                          "docs": "a docs recipe", "base": "a base image", "service": "a shipped image"}
# Rules whose value is the size or reproducibility of a shipped image.
_HYGIENE = ("PC", "BL", "MS", "PIN", "LO")

# Hygiene rules whose finding is a step that does not do what it was written for, in any image: a clean-up RUN
# that saves nothing (BL002), an index update cached apart from its install, which a later install then uses stale.
_STILL_WRONG = frozenset({"BL002", "PC002"})
# Folder names, whole (lowercased). Not `dev` or `testing` alone: they name release channels (microsoft-edge/dev,
# debian/testing) of shipped images; not `examples`/`samples`: those are meant to be copied into production.
_DEV_DIRS = frozenset({".devcontainer", "devcontainer", ".devcontainers", "development", "devenv", "dev-env",
                       "dev-container", "dev-containers", ".gitpod"})
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "e2e", "e2e-tests", "e2e_tests", "integration",
                        "integration-tests", "integration_tests", "integrationtests", "ci", ".ci", ".kokoro",
                        ".github", ".circleci", ".buildkite", ".gitlab",
                        "qa", "cypress", "playwright"})  # the folders these browser-test frameworks set up
_FIXTURE_DIR = lazy_re.compile(r"^(test[-_]?files|test[-_]?fixtures?|fixtures?|__fixtures__)([-_][a-z0-9]+)*$")
_TESTDATA = "testdata"  # Go's test input folder: a fixture set when it holds several Dockerfiles, else a test image
_DOCS_DIRS = frozenset({"docs", "doc", "documentation"})
# First or last word of a file name (split at . - _): `Dockerfile.dev`, `dev.Dockerfile`, `test-db.dockerfile`,
# and last word of a folder name: `swift-ci/`, `discourse_test/`, `php-dev/` (not `testing`: debian's channel;
# not `tests` there: `rt-tests/` and `lkp-tests/` are test suites packaged as tool images).
# `.gitpod.Dockerfile`: the workspace image Gitpod (and its successor Ona) opens a repository in.
# `Dockerfile.tilt`: the image Tilt live-updates in a local cluster while one codes (Tilt is a dev loop, never a
# release build).
_DEV_WORDS = frozenset({"dev", "development", "devcontainer", "gitpod", "tilt"})
_TEST_WORDS = frozenset({"test", "tests", "e2e", "ci", "cicd", "qa"})
_TEST_SUFFIXES = (_TEST_WORDS - {"tests"}) | {"harness"}
# Base images that exist only for dev containers: an image built on one is a dev environment wherever it lies.
_DEVCONTAINER_BASE = lazy_re.compile(r"^mcr\.microsoft\.com/(vscode/)?devcontainers/", re.I)
_WORD = lazy_re.compile(r"[._-]+")
_DOCKERFILE = lazy_re.compile(r"(^|[._-])dockerfile($|[._-])", re.I)
FIXTURE_SET = 3  # Dockerfiles under a testdata folder that make it a fixture set
_WALK_LIMIT = 2000


@dataclass(frozen=True)
class Purpose:
    """What an image is for (None: nothing says, the rules judge it as they do) and what said so."""

    kind: Kind | None
    reason: str = ""


def classify(df: Dockerfile, setting: str = "auto", *, on_disk: bool = False) -> Purpose:
    """The purpose of `df`'s image: the `purpose:` setting unless it is auto, else from its path.

    `on_disk`: `df.path` is a file on disk, so its repository root (a folder holding `.git`) may be looked for
    and a testdata folder's Dockerfiles counted; otherwise the path is taken as given."""
    if setting != "auto":
        return Purpose(setting, f"`purpose: {setting}` in the lint settings")  # type: ignore[arg-type]
    path = df.path.replace("\\", "/")
    rel = _relative(path) if on_disk else path
    kind, reason = _from_path(rel, path if on_disk else None)
    if kind is None and df.final is not None and _DEVCONTAINER_BASE.match(df.final.image):
        kind, reason = "dev", f"FROM {df.final.image.split(':')[0].split('@')[0]}"
    return Purpose(kind, reason)


def _relative(path: str) -> str:
    """`path` relative to its repository root, or as given when no root is found."""
    absolute = os.path.abspath(path)
    git, marked = _roots(os.path.dirname(absolute))
    root = git or marked
    return os.path.relpath(absolute, root).replace("\\", "/") if root is not None else path

@lru_cache(maxsize=1024)
def _roots(folder: str) -> tuple[str | None, str | None]:
    """The nearest folder at or above `folder` holding `.git`, and the outermost holding a repository's top-level
    files, never the home folder or one above it (a `~/.gitignore` says nothing about a checkout under it)."""
    parent = os.path.dirname(folder)
    git, marked = _roots(parent) if parent != folder else (None, None)
    if os.path.lexists(os.path.join(folder, ".git")):
        git = folder
    home = os.path.expanduser("~")
    if marked is None and not (home == folder or home.startswith(folder.rstrip(os.sep) + os.sep)) and \
            any(os.path.lexists(os.path.join(folder, mark)) for mark in ROOT_MARKS):
        marked = folder
    return git, marked


def _from_path(rel: str, real: str | None) -> tuple[Kind | None, str]:
    *folders, name = [p for p in rel.split("/") if p not in ("", ".", "..")] or [""]
    for k, folder in enumerate(folders):
        low = folder.lower()
        shown = ("…/" if k else "") + folder + "/…"
        if _FIXTURE_DIR.match(low):
            return "fixture", f"path {shown}"
        if low == _TESTDATA:
            many = real is not None and _dockerfiles_under(
                os.path.join(os.path.dirname(real), *([".."] * (len(folders) - k - 1)))) >= FIXTURE_SET
            return ("fixture" if many else "test"), f"path {shown}"
    for k, folder in enumerate(folders):  # a fixture folder anywhere wins over tests/ above it
        low = folder.lower()
        shown = ("…/" if k else "") + folder + "/…"
        if low in _DEV_DIRS:
            return "dev", f"path {shown}"
        if low in _TEST_DIRS:
            return "test", f"path {shown}"
        if low in _DOCS_DIRS:
            return "docs", f"path {shown}"
    for k, folder in enumerate(folders):  # weaker: the last word of a longer name
        words = _WORD.split(folder.lower())
        shown = ("…/" if k else "") + folder + "/…"
        if len(words) > 1 and words[0] and words[-1] in _DEV_WORDS:
            return "dev", f"path {shown}"
        if len(words) > 1 and words[0] and words[-1] in _TEST_SUFFIXES:
            return "test", f"path {shown}"
    if _DOCKERFILE.search(name):  # `Dockerfile.dev`, `test.Dockerfile`; not a name that only holds the word
        words = [w for w in _WORD.split(name.lower()) if w and w != "dockerfile"]
        ends = {words[0], words[-1]} if words else set()
        if ends & _DEV_WORDS:
            return "dev", f"file name {name}"
        if ends & _TEST_WORDS:
            return "test", f"file name {name}"
    return None, ""


def _dockerfiles_under(folder: str) -> int:
    """Dockerfile-named files under `folder` (a bounded walk, links not followed)."""
    found, budget, stack = 0, _WALK_LIMIT, [folder]
    while stack and budget > 0:
        try:
            with os.scandir(stack.pop()) as entries:
                for e in entries:
                    budget -= 1
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    elif _DOCKERFILE.search(e.name):
                        found += 1
        except OSError:
            continue
    return found


def _demoted(rule: str, kind: Kind) -> bool:
    if kind == "service":
        return False
    if kind == "base":
        return rule in ("USR001", "MS001")  # a base leaves root and its toolchain to the images built on it
    if kind == "fixture":
        return not rule.startswith(("SEC", "INT"))
    if rule == "SEC003" and kind == "test":
        return True  # a key file a test image copies from its context is that test's fixture (a TLS key for a test
        # server): committed beside it, not leaked by the image. Credentials typed into ENV/ARG keep their weight.
    return (rule.startswith(_HYGIENE) or rule == "USR001") and rule not in _STILL_WRONG


def test_stage(df: Dockerfile) -> Stage | None:
    """The final stage when it only tests the stage it is built FROM (`FROM app AS test`: CI builds
    `--target test` to run the tests, and `--target app` is the image pushed), else None."""
    final = df.final
    if final is None or final.base_stage is None or not final.name:
        return None
    words = [w for w in _WORD.split(final.name.lower()) if w]
    return final if words and (words[0] in _TEST_WORDS or words[-1] in _TEST_WORDS) else None


def apply(findings: list[Finding], purpose: Purpose, keep: frozenset[str] | set[str] = frozenset(),
          tested: Stage | None = None) -> list[Finding]:
    """`findings` with those the image's purpose makes moot at info, each message saying why; rules in `keep`
    (given a severity in the settings) are left alone. `tested`: a final stage that only tests the stage it
    extends (`test_stage`), whose own hygiene findings are moot as a test image's are."""
    kind = purpose.kind
    if kind is None and tested is not None:
        note = f" — in stage {tested.name!r}, which only tests the stage it is built FROM, so info"
        # USR001 is left: the user the container runs as is the tested stage's, which ships
        return [replace(f, severity="info", message=f.message + note)
                if f.severity != "info" and f.rule not in keep and tested.line <= f.line <= tested.end_line
                and f.rule != "USR001" and _demoted(f.rule, "test") else f for f in findings]
    if kind is None or kind == "service":
        return findings
    note = f" — in {_LABEL[kind]} ({purpose.reason}), so info"
    return [replace(f, severity="info", message=f.message + note)
            if f.severity != "info" and f.rule not in keep and _demoted(f.rule, kind) else f for f in findings]


def report_kind(purpose: Purpose, df: Dockerfile) -> str:
    """The purpose to report for a file: the decided one, else `base`, `service` or `tool` as the rules judge it."""
    if purpose.kind is not None:
        return purpose.kind
    if not df.stages:
        return "service"
    if is_base_image(df):
        return "base"
    return "service" if is_service(df) else "tool"
