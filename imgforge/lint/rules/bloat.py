"""bloat: bytes that a later layer deletes still ship, because layers only ever add."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction, Severity
from imgforge.lint.rules.base import Hit, hit, rule
from imgforge.lint.rules.shell import args, commands, is_apt_install, option_value, program, subcommand

# Scripts, configs and patches from the build context weigh kilobytes: deleting them later wastes nothing a
# reviewer would chase (a downloaded archive or a copied tree is another matter).
_SMALL_TEXT = lazy_re.compile(r"\.(sh|bash|py|pl|rb|js|conf|cfg|ini|json|ya?ml|toml|xml|txt|env|properties|sql|patch|"
                              r"diff|md|repo|list|pem|crt|gpg|asc|pub)$", re.I)
# Folders that take configuration and trust anchors (apt sources, preferences and keyrings): what is copied there
# weighs kilobytes, whatever its name (`/etc/apt/preferences.d/99nginx`).
_CONFIG_DEST = lazy_re.compile(r"^(/etc|/usr/share/keyrings)(/|$)")
WASTE_LIMIT = 1024 * 1024  # copied bytes deleted later below this are tidiness, not worth a warning
_ARCHIVE = lazy_re.compile(r"\.(tar|tgz|tbz2?|txz|tar\.(gz|bz2|xz|zst)|zip|gz|bz2|xz)$", re.I)
_CACHE_PATHS = lazy_re.compile(r"^(/var/lib/apt/lists|/var/cache/|/root/\.cache|/root/\.npm|/usr/local/share/\.cache)")


@dataclass(frozen=True)
class _Made:
    path: str
    line: int
    how: str
    source: str | None = None  # the build-context operand it was copied from (None: downloaded, cloned, a URL)


def _abs(path: str, workdir: str) -> str:
    path = path.strip("\"'")
    if path == "~" or path.startswith("~/"):
        path = "/root" + path[1:]  # the shell's home (RUN runs as root unless USER says otherwise)
    return posixpath.normpath(path if path.startswith("/") else posixpath.join(workdir, path))


def _created_by_run(ins: Instruction, workdir: str) -> Iterator[_Made]:
    for c in commands(ins.script):
        prog = program(c)
        if prog == "curl":
            out = option_value(c, "-o", "--output")
            if out:
                yield _Made(_abs(out, workdir), ins.line, "downloaded")
            elif "-O" in c or "--remote-name" in c:
                for url in (w for w in c if "://" in w):
                    yield _Made(_abs(url.rstrip("/").rsplit("/", 1)[-1], workdir), ins.line, "downloaded")
        elif prog == "wget":
            out = option_value(c, "-O", "--output-document")
            urls = [w for w in c if "://" in w]
            if out and out != "-":
                yield _Made(_abs(out, workdir), ins.line, "downloaded")
            elif not out:
                for url in urls:
                    yield _Made(_abs(url.rstrip("/").rsplit("/", 1)[-1], workdir), ins.line, "downloaded")
        elif prog == "git" and subcommand(c) == "clone":
            rest = args(c)[1:]
            if rest:
                target = rest[1] if len(rest) > 1 else rest[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
                yield _Made(_abs(target, workdir), ins.line, "cloned")


def _created_by_copy(ins: Instruction, workdir: str) -> Iterator[_Made]:
    words = list(ins.json_args) if ins.json_args is not None else ins.args.split()
    if len(words) < 2:
        return
    *srcs, dest = words
    dest_abs = _abs(dest, workdir)
    if _CONFIG_DEST.match(dest_abs):
        return
    how = "ADDed" if ins.keyword == "ADD" else "COPYed"
    for src in srcs:
        if src.startswith("<<"):
            continue
        base = src.rstrip("/").rsplit("/", 1)[-1]
        if "://" in src:
            base = base.split("?")[0]
        elif _SMALL_TEXT.search(base):
            continue
        # A directory source copies its contents into dest; a file lands in dest/ or becomes dest.
        is_dir = src.endswith("/") or base in (".", "*", "")
        into_dir = dest.endswith("/") or len(srcs) > 1 or dest in (".", "./")
        # ADD unpacks a local archive into more bytes than the archive: its size says too little
        local = "://" not in src and not (ins.keyword == "ADD" and _ARCHIVE.search(base))
        yield _Made(posixpath.join(dest_abs, base) if into_dir and not is_dir else dest_abs, ins.line, how,
                    src if local and ins.flag("from") is None else None)


def _matches(made: str, target: str) -> bool:
    if any(ch in target for ch in "*?["):
        return fnmatch.fnmatch(made, target) or any(
            fnmatch.fnmatch(made[: len(p)], target) for p in [made.rsplit("/", k)[0] for k in range(1, 3)])
    return made == target or made.startswith(target.rstrip("/") + "/")


def _weight(victims: list[_Made], df: Dockerfile) -> tuple[Severity | None, str]:
    """None (the rule's warning) unless every deleted file was copied from a build context where they add up to
    less than WASTE_LIMIT: then info, and the size to say. Downloads, clones, URLs, archives ADD unpacks and sizes
    stat cannot tell (no file on disk, sources not found) stay warnings."""
    if any(v.source is None for v in victims):
        return None, ""
    ctx = df.build_context()
    sizes = [ctx.size(v.source) for v in victims if v.source is not None] if ctx is not None else [None]
    if any(size is None for size in sizes):
        return None, ""
    total = sum(size for size in sizes if size is not None)
    if total >= WASTE_LIMIT:
        return None, ""
    return "info", f", but they weigh only {_human(total)} in the build context"


def _human(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.0f} KB"


@rule("BL001", "bloat", "warning", "File removed in a later layer",
      "Create, use and delete the file in one RUN (or use a build stage / RUN --mount=type=bind) so it never "
      "lands in a layer.")
def removed_later(df: Dockerfile) -> Iterator[Hit]:
    made: list[_Made] = []
    for stage in df.shipped():
        workdir = "/"
        for ins in stage.instructions:
            if ins.keyword == "WORKDIR":
                workdir = _abs(ins.args.strip(), workdir)
            elif ins.keyword in ("COPY", "ADD"):
                made.extend(_created_by_copy(ins, workdir))
            elif ins.keyword == "RUN":
                here = list(_created_by_run(ins, workdir))
                targets = [_abs(t, workdir) for c in commands(ins.script) if program(c) == "rm" for t in args(c)]
                for target in targets:
                    victims = [m for m in made if _matches(m.path, target)]
                    if victims:
                        v = victims[0]
                        severity, size = _weight(victims, df)
                        yield hit(ins, f"rm {target[:80]} deletes what was {v.how} on line {v.line}; the bytes "
                                       f"stay in that earlier layer and still ship{size}", severity)
                        made = [m for m in made if m not in victims]
                here = [m for m in here if not any(_matches(m.path, t) for t in targets)]
                made.extend(here)


def _cleanup_only(cmd: tuple[str, ...]) -> bool:
    prog, sub = program(cmd), subcommand(cmd)
    if prog == "rm":
        return bool(args(cmd)) and all(_CACHE_PATHS.match(a) for a in args(cmd))
    return (prog in ("apt-get", "apt", "yum", "dnf", "zypper") and sub in ("clean", "autoclean", "autoremove")) or \
        (prog in ("npm", "yarn") and sub == "cache") or (prog.startswith("pip") and sub == "cache") or \
        (prog == "apk" and sub == "cache")


@rule("BL002", "bloat", "warning", "Cache cleanup in its own layer",
      "Move the cleanup into the RUN that created the cache (`... && rm -rf /var/lib/apt/lists/*`).")
def cleanup_alone(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                cmds = [c for c in commands(ins.script) if program(c) not in ("set", "true", ":")]
                if cmds and all(_cleanup_only(c) for c in cmds):
                    yield hit(ins, "this RUN only deletes caches left by earlier layers; the cache bytes stay in "
                                   "those layers and the image does not get smaller")


@rule("BL003", "bloat", "info", "apt-get install pulls recommended packages",
      "Add --no-install-recommends to apt-get install.")
def recommends(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            for c in commands(ins.script):
                if is_apt_install(c) and not any(w.startswith("--no-install-recommends") or
                                                 "Install-Recommends=false" in w for w in c):
                    yield hit(ins, "apt-get install without --no-install-recommends installs recommended packages "
                                   "you did not ask for")
                    break


@rule("BL004", "bloat", "warning", "useradd with a high UID and no -l",
      "Pass -l (--no-log-init) to useradd, or use a UID below 65536.")
def useradd_lastlog(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword != "RUN":
            continue
        for c in commands(ins.script):
            if program(c) == "useradd" and "-l" not in c and "--no-log-init" not in c:
                uid = option_value(c, "-u", "--uid")
                if uid and uid.isdigit() and len(uid) > 5:
                    yield hit(ins, f"useradd -u {uid} without -l writes a sparse /var/log/lastlog sized by the UID, "
                                   "which can add gigabytes to the layer")
                    break
