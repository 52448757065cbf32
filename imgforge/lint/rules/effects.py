"""What one RUN leaves behind: packages installed and not purged, caches cleaned, sources deleted.

Official images build in one RUN and clean up in the same RUN (`apt-mark auto '.*'` + `apt-get purge
--auto-remove`, `apk add --virtual .build-deps ... && apk del .build-deps`, `rm -rf /usr/src/python`); only what
survives the RUN lands in the layer, so the rules judge that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from imgforge.lint import lazy_re
from imgforge.lint.rules.shell import args, commands, has_option, operands, program, subcommand

_ASSIGN = lazy_re.compile(r"(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=(?:'([^']*)'|\"([^\"$`]*)\"|([^\s;&|'\"$`()]+))")
_VAR = lazy_re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
_APT = {"apt-get", "apt", "aptitude"}
_RPM = {"dnf", "microdnf", "yum", "zypper"}
_CACHE_DIRS = lazy_re.compile(r"^(/var/lib/apt/lists|/var/cache/|/root/\.cache|/tmp/?\*?$|/root/\.npm|~/\.cache)")
# An image's own clean-up script run to end the RUN (`docker-image-cleanup`, `/tmp/cleanup.sh`, `clean-layer.sh`):
# such scripts exist to empty the package managers' lists and caches before the layer is committed.
_CLEANUP_SCRIPT = lazy_re.compile(r"^([\w.-]*[-_.])?clean(up)?([-_.][\w.-]*)?$", re.I)


@dataclass(frozen=True)
class RunEffects:
    """The package and file effects of one RUN script that outlive it."""

    installed: tuple[str, ...]  # OS packages installed here, as written (versions stripped)
    kept: tuple[str, ...]  # those still present when the RUN ends
    purges: bool  # the RUN removes packages (purge, apk del, dnf remove)
    deletes_sources: bool  # the RUN deletes something other than caches (build trees, downloads)
    apt_lists_cleaned: bool  # /var/lib/apt/lists removed, or `apt-get dist-clean`
    cleanup_script: bool = False  # a clean-up script runs after the last install (it empties the caches)


def _variables(script: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in _ASSIGN.finditer(script):
        value = next((g for g in m.group(2, 3, 4) if g is not None), "")
        out[m.group(1)] = value.split()
    return out


def _expand(words: list[str], env: dict[str, list[str]]) -> tuple[list[str], bool]:
    """Words with `$VAR` replaced by its assigned words; the flag says some variable stayed unknown."""
    out: list[str] = []
    unknown = False
    for w in words:
        m = _VAR.match(w)
        if m and m.group(1) in env:
            out += env[m.group(1)]
        elif "$" in w:
            unknown = True
        else:
            out.append(w)
    return out, unknown


def _name(pkg: str) -> str:
    return re.split(r"[=<>~]", pkg, maxsplit=1)[0]


def _apk_group(cmd: tuple[str, ...]) -> str | None:
    for k, w in enumerate(cmd):
        if w in ("--virtual", "-t") and k + 1 < len(cmd):
            return cmd[k + 1]
        if w.startswith("--virtual="):
            return w.split("=", 1)[1]
    return None


# Options of apt, apk, dnf and yum that take a value (`apk add --virtual .build-deps …`, `apt-get -o X=Y …`).
_VALUED = frozenset({"-o", "-t", "--virtual", "--repository", "-X", "--target-release", "--setopt", "--enablerepo",
                          "--disablerepo", "-c", "--option"})


def package_operands(cmd: tuple[str, ...]) -> list[str]:
    """The package operands of an install/remove command (options and their values, redirections dropped)."""
    return [w for w in operands(cmd[1:], _VALUED) if not w.startswith((">", "<", "2>"))][1:]  # [1:]: the subcommand


@lru_cache(maxsize=4096)
def run_effects(script: str) -> RunEffects:
    """Model the package installs, purges and deletions of one RUN script."""
    env = _variables(script)
    installed: list[str] = []
    groups: dict[str, list[str]] = {}
    removed: set[str] = set()
    remove_all = purges = deletes = lists = False
    marked_auto = auto_removed = cleanup = False
    for c in commands(script):
        prog, sub = program(c), subcommand(c)
        words, unknown = _expand(package_operands(c), env)
        if _CLEANUP_SCRIPT.match(prog.rsplit("/", 1)[-1]):
            cleanup = True
        elif prog in _APT | _RPM | {"apk"} and sub in ("update", "install", "in", "add", "upgrade"):
            cleanup = False  # only a clean-up that comes after the installs empties what they fetched
        if (prog in _APT | _RPM and sub in ("install", "in")) or (prog == "apk" and sub == "add"):
            names = [_name(w) for w in words]
            installed += names
            group = _apk_group(c) if prog == "apk" else None
            if group:
                groups[group] = names
        elif (prog in _APT and sub in ("purge", "remove", "autoremove")) or \
                (prog in _RPM and sub in ("remove", "erase", "autoremove", "rm")) or (prog == "apk" and sub == "del"):
            purges = True
            removed.update(_name(w) for w in words)
            for w in words:
                removed.update(groups.get(w, ()))
            remove_all |= unknown  # `apt-get purge $buildDeps` with a value we cannot see: trust it
            auto_removed |= sub == "autoremove" or has_option(c, "--auto-remove", abbrev="--auto-r")
        elif prog == "apt-mark" and sub == "auto":
            marked_auto = True
        elif prog in _APT and sub == "dist-clean":
            lists = True
        elif prog == "rm":
            targets = args(c)
            lists |= any(t.startswith("/var/lib/apt/lists") for t in targets)
            deletes |= any(not _CACHE_DIRS.match(t) for t in targets)
    remove_all |= marked_auto and auto_removed  # everything installed here was marked auto, then autoremoved
    kept = () if remove_all else tuple(p for p in installed if p not in removed)
    return RunEffects(tuple(installed), kept, purges, deletes, lists or cleanup, cleanup)
