"""package-cache: package-manager caches must be cleaned (or cache-mounted) in the layer that made them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction, Stage
from imgforge.lint.parser import substitute
from imgforge.lint.rules.base import Hit, hit, rule
from imgforge.lint.rules.effects import package_operands, run_effects
from imgforge.lint.rules.shell import (
    commands,
    has_option,
    is_apt_install,
    is_apt_update,
    is_pip_install,
    is_probe,
    option_value,
    program,
    runs_script,
    subcommand,
)
from imgforge.lint.rules.toolchain import update_env


def _cache_mounted(ins: Instruction, *prefixes: str, env: dict[str, str | None] | None = None) -> bool:
    """True when a cache or tmpfs mount covers one of these folders for the RUN: what the RUN writes there never
    reaches its layer (`--mount=type=tmpfs,target=/var/lib/apt` keeps the lists out as a cache mount does). With
    `env`, a target written with variables (`target=${PIP_CACHE_DIR}`) is expanded first."""
    targets = [m.get("target") or m.get("dst") or m.get("destination") or ""
               for m in ins.mounts() if m.get("type") in ("cache", "tmpfs")]
    return any(substitute(t, env).rstrip("/").startswith(prefixes) if env is not None and "$" in t
               else t.rstrip("/").startswith(prefixes) for t in targets)


def _layered_runs(df: Dockerfile) -> Iterator[tuple[Stage, Instruction]]:
    # Only the stages whose layers the final image is made of: a build stage's cache never ships, even when
    # another build stage starts FROM it (hadolint flags those too; a reviewer leaves them alone, so we do).
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                yield stage, ins


def _removes(script: str, pattern: str) -> bool:
    return any(program(c) == "rm" and any(re.match(pattern, w) for w in c[1:]) for c in commands(script))


@rule("PC001", "package-cache", "warning", "apt lists left in the layer",
      "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use "
      "`--mount=type=cache,target=/var/lib/apt/lists`.")
def apt_lists(df: Dockerfile) -> Iterator[Hit]:
    for _stage, ins in _layered_runs(df):
        cmds = commands(ins.script)
        # The lists are written by `apt-get update`: an install-only RUN adds none to its layer (when the update
        # ran in an earlier RUN, PC002 reports that one).
        installs = any(is_apt_install(c) or _apt_installs_otherwise(c) for c in cmds)
        if not installs or not any(is_apt_update(c) for c in cmds) or _cache_mounted(ins, "/var/lib/apt"):
            continue
        if not run_effects(ins.script).apt_lists_cleaned:
            yield hit(ins, "apt-get update leaves /var/lib/apt/lists (tens of MB) in this layer; "
                           "removing it in a later layer does not shrink the image")


def _apt_installs_otherwise(cmd: tuple[str, ...]) -> bool:
    """An apt command other than `install` that installs from the lists: upgrades, `satisfy` (dependency
    strings), `reinstall`, `build-dep`."""
    return program(cmd) in ("apt-get", "apt") and subcommand(cmd) in (
        "upgrade", "dist-upgrade", "full-upgrade", "satisfy", "reinstall", "build-dep")


# Helpers that run `apt-get install` over their arguments and clean up after it (minideb's `install_packages`,
# Gitpod's `install-packages`): run after an update, they install from the lists it fetched.
_APT_INSTALLERS = frozenset({"install_packages", "install-packages"})


def _uses_index(cmd: tuple[str, ...]) -> bool:
    """A command that reads the package index an update fetched: an install or upgrade (`apt-get satisfy` installs
    what a dependency line names), an install helper, or a script (which, run after an update, most likely installs
    packages: `apt-get update && bash /tmp/scripts/setup-sshd.sh`)."""
    prog, sub = program(cmd), subcommand(cmd)
    if prog in ("apt-get", "apt", "aptitude"):
        return sub in ("install", "reinstall", "satisfy", "upgrade", "dist-upgrade", "full-upgrade", "build-dep",
                       "source")
    if prog in _APT_INSTALLERS:
        return True
    if prog == "mk-build-deps":  # `mk-build-deps -ri`: installs the package it builds with apt-get (its -t tool)
        return any(w == "--install" or (w.startswith("-") and not w.startswith("--") and "i" in w[1:])
                   for w in cmd[1:])
    if prog == "apk":
        return sub in ("add", "upgrade", "fix")
    return runs_script(cmd)


@rule("PC002", "package-cache", "warning", "Package index update in its own layer",
      "Run `apt-get update && apt-get install -y ...` in one RUN (on Alpine: `apk add --no-cache ...`).")
def apt_update_alone(df: Dockerfile) -> Iterator[Hit]:
    for stage in df.stages:
        for i, ins in enumerate(stage.instructions):
            if ins.keyword != "RUN":
                continue
            cmds = commands(ins.script)  # with those of `sudo bash -c "..."` strings: they run in this RUN too
            update = next((k for k, c in enumerate(cmds) if is_apt_update(c) or
                           (program(c) == "apk" and subcommand(c) == "update")), None)
            if update is None or any(_uses_index(c) for c in cmds[update + 1:]):
                continue
            if program(cmds[update]) != "apk" and _later_installs_refresh(stage.instructions[i + 1:]):
                # every later install fetches fresh lists first: none reads these, which only add to this layer
                if not run_effects(ins.script).apt_lists_cleaned:
                    yield hit(ins, "apt-get update runs in a layer of its own and no install reads its lists (each "
                                   "later install updates again): they only add tens of MB to this layer")
                continue
            if program(cmds[update]) == "apk":
                yield hit(ins, "apk update runs in a layer of its own: it leaves an index in /var/cache/apk "
                               "and a stale cached layer; use `apk add --no-cache` instead")
            elif not run_effects(ins.script).apt_lists_cleaned:  # else what the update fetched is gone at the end
                yield hit(ins, "apt-get update runs in a layer of its own: the cached layer keeps stale package "
                               "lists, so a later install can fetch outdated or missing versions")


def _later_installs_refresh(later: tuple[Instruction, ...]) -> bool:
    """True when at least one later RUN installs with apt and each that does runs `apt-get update` before it."""
    users = 0
    for ins in later:
        if ins.keyword != "RUN":
            continue
        for c in commands(ins.script):
            if is_apt_update(c):
                break
            if program(c) in ("apt-get", "apt", "aptitude") and _uses_index(c):
                return False
        else:
            continue
        users += any(program(c) in ("apt-get", "apt", "aptitude") and _uses_index(c) for c in commands(ins.script))
    return users > 0


@rule("PC003", "package-cache", "warning", "apk cache left in the layer",
      "Use `apk add --no-cache ...`.")
def apk_cache(df: Dockerfile) -> Iterator[Hit]:
    for _stage, ins in _layered_runs(df):
        for c in commands(ins.script):
            # --no-network installs from local files or a cache mount: no index is downloaded
            local = all(p.endswith(".apk") for p in package_operands(c))  # files, not the index
            if program(c) == "apk" and subcommand(c) == "add" and not has_option(c, "--no-cache") and \
                    not has_option(c, "--no-network") and not local:
                if not _cache_mounted(ins, "/var/cache/apk", "/etc/apk/cache") and \
                        not _removes(ins.script, r"/var/cache/apk") and not run_effects(ins.script).cleanup_script:
                    yield hit(ins, "apk add without --no-cache keeps the package index in /var/cache/apk in this layer")
                break


def _pip_cache_dirs(cmd: tuple[str, ...], env: dict[str, str | None]) -> tuple[str, ...]:
    """Where this pip writes its cache: `--cache-dir`, else $PIP_CACHE_DIR from an ARG/ENV, else ~/.cache."""
    given = option_value(cmd, "--cache-dir") or env.get("PIP_CACHE_DIR")
    return (substitute(given, env).rstrip("/"),) if given else ("/root/.cache",)


def _downloads_nothing(cmd: tuple[str, ...]) -> bool:
    """`pip install --no-index --find-links=/wheels`: wheels already on disk, nothing fetched to cache."""
    return has_option(cmd, "--no-index")


_PIP = lazy_re.compile(r"pip[\d.]*")


def _pip_cache_purge(cmd: tuple[str, ...]) -> bool:
    """`pip cache purge`, `pip3 cache purge`, `python -m pip cache purge`."""
    k = next((k for k, w in enumerate(cmd[:4]) if _PIP.fullmatch(w.rsplit("/", 1)[-1])), None)
    return k is not None and cmd[k + 1:k + 3] == ("cache", "purge")


_PIP_CACHE_RM = r"^(~|/root|\$HOME|\$\{HOME\}|/home/[^/]+)/\.cache(/pip)?/?\*?$"


@rule("PC004", "package-cache", "warning", "pip cache left in the layer",
      "Use `pip install --no-cache-dir ...` or `--mount=type=cache,target=/root/.cache/pip`.")
def pip_cache(df: Dockerfile) -> Iterator[Hit]:
    # The ARG/ENV values so far are kept as we go: looking them up again for each RUN would walk the file again.
    env: dict[str, str | None] = dict(df.global_args)
    for stage in df.shipped():
        no_cache = False  # PIP_NO_CACHE_DIR set by an ENV or ARG of this stage (an ARG is in the RUN's environment)
        for ins in stage.instructions:
            update_env(env, ins)
            if ins.keyword in ("ENV", "ARG"):
                no_cache = no_cache or re.search(r"\bPIP_NO_CACHE_DIR\b", ins.args) is not None
            if ins.keyword != "RUN" or no_cache:
                continue
            cmds = commands(ins.script)
            for c in cmds:
                if is_pip_install(c) and not has_option(c, "--no-cache-dir", abbrev="--no-ca") and \
                        not _downloads_nothing(c):
                    # `rm -rf /root/.cache/pip` (or the whole ~/.cache) or `pip cache purge` at the end of the same
                    # RUN: looked for only once a RUN has a pip install that caches (most RUNs have none)
                    purged = _removes(ins.script, _PIP_CACHE_RM) or any(_pip_cache_purge(other) for other in cmds)
                    if not purged and not _cache_mounted(ins, *_pip_cache_dirs(c, env), env=env):
                        yield hit(ins, "pip install keeps downloaded wheels in ~/.cache/pip inside this layer")
                    break


# `rm -rf ~/.npm` (or its `_cacache`) at the end of the RUN removes the cache as `npm cache clean --force` does.
_NPM_CACHE_RM = r"^(~|/root|\$HOME|\$\{HOME\}|/home/[^/]+)/\.npm(/_cacache)?/?\*?$"


@rule("PC005", "package-cache", "warning", "npm cache left in the layer",
      "Add `&& npm cache clean --force` to the same RUN, or use `--mount=type=cache,target=/root/.npm`.")
def npm_cache(df: Dockerfile) -> Iterator[Hit]:
    for _stage, ins in _layered_runs(df):
        cmds = commands(ins.script)
        if any(program(c) == "npm" and subcommand(c) in ("install", "ci", "i") for c in cmds):
            cleaned = any(program(c) == "npm" and subcommand(c) == "cache" for c in cmds) or \
                _removes(ins.script, _NPM_CACHE_RM)
            if not cleaned and not _cache_mounted(ins, "/root/.npm", "/home"):
                yield hit(ins, "npm install/ci keeps its download cache (~/.npm) inside this layer")


@rule("PC006", "package-cache", "warning", "yarn cache left in the layer",
      "Add `&& yarn cache clean` to the same RUN, or use a cache mount for the yarn cache.")
def yarn_cache(df: Dockerfile) -> Iterator[Hit]:
    for _stage, ins in _layered_runs(df):
        cmds = commands(ins.script)
        installs = any(program(c) == "yarn" and subcommand(c) in ("install", "add", "") and not is_probe(c)
                       for c in cmds)
        if installs and not any(program(c) == "yarn" and subcommand(c) == "cache" for c in cmds) \
                and not _cache_mounted(ins, "/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn"):
            yield hit(ins, "yarn install keeps its package cache inside this layer")


@rule("PC007", "package-cache", "warning", "dnf/yum/zypper cache left in the layer",
      "End the same RUN with `&& dnf clean all` (yum clean all / zypper clean).")
def rpm_cache(df: Dockerfile) -> Iterator[Hit]:
    managers = {"dnf", "microdnf", "yum", "zypper"}
    for _stage, ins in _layered_runs(df):
        cmds = commands(ins.script)
        used = [c for c in cmds if program(c) in managers and subcommand(c) in ("install", "in", "upgrade", "update")]
        if not used or _cache_mounted(ins, "/var/cache/dnf", "/var/cache/yum", "/var/cache/zypp"):
            continue
        cleaned = any(program(c) in managers and subcommand(c) in ("clean", "cc") for c in cmds) or \
            _removes(ins.script, r"/var/cache/(dnf|yum|zypp)") or run_effects(ins.script).cleanup_script
        if not cleaned:
            yield hit(ins, f"{program(used[0])} {subcommand(used[0])} leaves its metadata and package cache "
                           "in this layer")
