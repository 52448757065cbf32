"""pinning: base images named by a moving tag (or none) make builds unreproducible."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.context import ROOT_MARKS
from imgforge.lint.model import BuildContext, Dockerfile, Stage
from imgforge.lint.parser import reference_error
from imgforge.lint.rules.base import Hit, rule


# Debian and Ubuntu release codenames: tags of the debian and ubuntu images (ubuntu:jammy), never images of their
# own on a registry. A bare `FROM jammy` names a root file system imported locally before the build
# (`debootstrap jammy … | docker import - jammy`, as reproducible-build setups do).
RELEASE_CODENAMES = frozenset({"jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke",
                               "trusty", "xenial", "bionic", "focal", "jammy", "kinetic", "lunar", "mantic", "noble",
                               "oracular", "plucky", "questing", "resolute"})


def _from_word(stage: Stage) -> str:
    """The image word of the stage's FROM as written, before ARG substitution ('' when absent)."""
    head = stage.instructions[0] if stage.instructions else None
    words = [w for w in head.args.split() if not w.startswith("--")] if head and head.keyword == "FROM" else []
    return words[0] if words else ""


def _stage_by_variable(df: Dockerfile, stage: Stage) -> bool:
    """`FROM build-$TARGETOS AS final`: a name built from ARGs whose literal start is that of an earlier stage's
    name picks one of those stages (an unset ARG would make it read as an untagged image)."""
    word = _from_word(stage)
    if "$" not in word:
        return False
    prefix = word.split("$", 1)[0].lower()
    return bool(prefix) and any(s.name and s.name.lower().startswith(prefix) for s in df.stages[: stage.index])


_ENDS_WITH_VAR = lazy_re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))$")


def _overridable(df: Dockerfile, stage: Stage) -> bool:
    """True when a build ARG with a default supplies the tag: `FROM $BASE_IMAGE` or `FROM elixir:${VARIANT}`.
    The base is then chosen at build time (`--build-arg`) by design; only its default can float."""
    word = _from_word(stage).partition("@")[0]
    last = word.rsplit("/", 1)[-1]
    if ":" in last:
        return "$" in last.partition(":")[2]
    # no literal tag: a variable that ends the name may bring one, when the file gives it a default to override
    m = _ENDS_WITH_VAR.search(word)
    return m is not None and (df.global_args.get(m.group(1) or m.group(3)) is not None or bool(m.group(2)))


def _external(df: Dockerfile, stage: Stage) -> tuple[str, str | None, bool] | None:
    """(image, tag, has_digest) for a FROM that names a registry image, else None."""
    image = stage.image
    if not image or "$" in image or image.lower() == "scratch" or stage.base_stage is not None \
            or _stage_by_variable(df, stage) or reference_error(image) is not None:
        return None  # no registry image, or not a valid reference at all (SYN013 says so)
    name, at, _digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] if ":" in last else None
    return name, tag, bool(at)


# The file's own name or folder says it builds the rolling variant (`latest/Dockerfile`, `Dockerfile.nightly`,
# `r-ver_devel.Dockerfile`): such a file follows the newest base on purpose, so a floating base is no finding there.
_ROLLING = lazy_re.compile(r"(^|[._-])(latest|nightly|edge|rolling|unstable|devel|canary|snapshot)([._-]|$)", re.I)


# Folders that only hold a variant's Dockerfile and say nothing of it (`unstable/alpine/docker/Dockerfile`).
_WRAPPER_FOLDERS = frozenset({"docker", "dockerfile", "dockerfiles", "container", "image"})


def _rolling_variant(df: Dockerfile) -> bool:
    *folders, name = df.path.replace("\\", "/").split("/")
    folders = [f for f in folders if f.lower() not in _WRAPPER_FOLDERS]
    parts = [*folders[-2:], name]  # the file's name and the two folders holding it
    return any(_ROLLING.search(part) for part in parts)


@rule("PIN001", "pinning", "warning", "Base image without a tag",
      "Name a version tag (python:3.12-slim), ideally also a digest (@sha256:...).")
def no_tag(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        ext = _external(df, stage)
        if ext and ext[1] is None and not ext[2] and not _overridable(df, stage) and not _rolling_variant(df):
            if ext[0].lower() in RELEASE_CODENAMES:
                yield Hit(stage.line, stage.line, f"FROM {ext[0]} names no registry image (a release codename is a "
                                                  "tag of debian or ubuntu): a root file system imported before the "
                                                  "build, which that import pins, not a tag", "info")
                continue
            own = _built_here(df, ext[0])
            if own is not None:  # no tag is :latest, judged as PIN002 judges it
                yield Hit(stage.line, stage.line, f"FROM {ext[0][:80]} has no tag, and names an image this "
                                                  f"repository builds itself ({own}): its build order, not a tag, "
                                                  "decides which", "info")
                continue
            yield Hit(stage.line, stage.line, f"FROM {ext[0][:80]} has no tag: it silently means :latest, which "
                                              "changes under you")


@rule("PIN002", "pinning", "warning", "Base image tagged latest",
      "Replace :latest with a version tag, ideally plus a digest (@sha256:...).")
def latest(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        ext = _external(df, stage)
        if ext and ext[1] == "latest" and not ext[2] and not _overridable(df, stage) and not _rolling_variant(df):
            own = _built_here(df, ext[0])
            if own is not None:
                yield Hit(stage.line, stage.line, f"FROM {ext[0][:80]} uses :latest of an image this repository "
                                                  f"builds itself ({own}): its build order, not a tag, decides which",
                          "info")
                continue
            yield Hit(stage.line, stage.line, f"FROM {ext[0][:80]} uses :latest, which changes under you and "
                                              "makes builds unreproducible")


def _built_here(df: Dockerfile, name: str) -> str | None:
    """The Dockerfile of this repository that builds `owner/name` (`Dockerfile.base` beside this file for
    `owner/runner-base`, `base/Dockerfile` beside it or in a folder above it for `owner/base`, and in an image
    collection `debian/base.dockerfile` in a folder of one above it), or None. Only for an image with an owner: a
    folder named `nginx/` says nothing about the official nginx image. Needs the file on disk."""
    if "/" not in name or not df.contexts:
        return None
    repo = name.rsplit("/", 1)[-1].partition(":")[0].lower()
    words = sorted({repo, re.split(r"[-_.]", repo)[-1]})
    me = df.path.replace("\\", "/").rsplit("/", 1)[-1]
    for w in words:
        for beside in (f"Dockerfile.{w}", f"{w}.Dockerfile", f"{w}.dockerfile"):
            if beside != me and df.contexts[0].holds(beside):
                return beside
    # Farther away, only the whole name: a last word alone (`arm` of `easypi/alpine-arm`) names variants there.
    if df.contexts[0].holds(f"{repo}/Dockerfile"):
        return f"{repo}/Dockerfile"  # a folder beside this file (`yosys/Dockerfile` for `…/pkg/yosys`)
    folder = df.path.replace("\\", "/").rsplit("/", 2)[-2:-1]
    inside = True  # the folder is in the repository: not above its top folder (a `.git`, a LICENSE)
    for up, ctx in enumerate(df.contexts[1:], 1):
        inside = inside and not _repository_top(df.contexts[up - 1])
        if not (up == 1 and me == "Dockerfile" and folder == [repo]) and ctx.holds(f"{repo}/Dockerfile"):
            return "../" * up + f"{repo}/Dockerfile"  # (not this file: `apisix/Dockerfile` naming `apache/apisix`)
        for named in (f"*/{repo}.dockerfile", f"*/{repo}.Dockerfile", f"*/Dockerfile.{repo}"):
            if inside and ctx.holds(named):  # an image collection's folder of files (`debian/base.dockerfile`)
                return "../" * up + named
    return None


def _repository_top(ctx: BuildContext) -> bool:
    """True when the context's folder is a repository's top folder (it holds `.git`, or a LICENSE, .gitignore...)."""
    return any(ctx.holds(mark) for mark in (".git", *ROOT_MARKS))


@rule("PIN008", "pinning", "info", "Overridable base image with a floating default",
      "Give the ARG a versioned default (ARG BASE_IMAGE=python:3.12-slim), so a build without --build-arg is "
      "reproducible too.")
def floating_default(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        ext = _external(df, stage)
        if ext and ext[1] in (None, "latest") and not ext[2] and _overridable(df, stage):
            floats = "has no tag" if ext[1] is None else "is :latest"
            yield Hit(stage.line, stage.line, f"FROM {_from_word(stage)[:60]} is chosen at build time (--build-arg) "
                                              f"by design, but its default {ext[0][:60]} {floats}: a build without "
                                              "the argument gets whatever that image is that day")


@rule("PIN003", "pinning", "info", "Base image not pinned by digest",
      "Append the digest: FROM image:tag@sha256:<digest> (tools like Renovate keep it current).")
def no_digest(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        ext = _external(df, stage)
        if ext and ext[1] not in (None, "latest") and not ext[2]:
            yield Hit(stage.line, stage.line, f"FROM {ext[0][:80]} is pinned by tag only; a tag can be re-pushed")
