"""pinning of packages: unpinned installs make two builds of one Dockerfile differ (hadolint DL3008/18/13/16)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules.base import Hit, hit, rule, runs
from imgforge.lint.rules.effects import package_operands
from imgforge.lint.rules.shell import commands, is_pip_install, operands, program, subcommand

# pip and the packaging tools a build runs to install the app (project managers, their plugins, pipx): tooling,
# not a dependency of the app; their newest release reads the lockfiles of older ones
_PIP_SELF = {"pip", "setuptools", "wheel", "pipenv", "poetry", "poetry-plugin-export", "uv", "pdm", "hatch", "pipx",
             "virtualenv"}
_PIP_OPTION_VALUE = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                     "--extra-index-url", "-f", "--find-links", "--target", "-t", "--prefix", "--root", "--platform",
                     "--python-version", "--implementation", "--abi", "--trusted-host", "--src", "--progress-bar",
                     "--cache-dir", "--report", "--only-binary", "--no-binary", "--upgrade-strategy", "--log",
                     # `--group NAME` names a pyproject dependency group (pip 25.1), not a package
                     "--group", "--root-user-action", "--python", "--config-settings", "-C", "--global-option",
                     "--exists-action", "--proxy", "--retries", "--timeout", "--cert", "--client-cert",
                     "--keyring-provider", "--log-file", "--index"}
# Installs whose versions a file decides (requirements, constraints, a pyproject dependency group): the pins, or
# their absence, live in that file, not on this line.
_FROM_FILE = {"-r", "-c", "--requirement", "--constraint", "--group"}


def _unpinned(words: list[str], pinned: re.Pattern[str]) -> list[str]:
    return [w for w in words if not pinned.search(w) and "$" not in w and not w.startswith(("/", ".", "<", ">"))
            and not w.endswith((".deb", ".rpm", ".apk"))]


def _names(ins: Instruction, test: object, pinned: re.Pattern[str]) -> list[str]:
    out: list[str] = []
    for c in commands(ins.script):
        if test(c):  # type: ignore[operator]
            out += _unpinned(package_operands(c), pinned)
    return out


@rule("PIN004", "pinning", "info", "apt package without a version",
      "Pin versions where reproducibility matters (`apt-get install -y curl=7.88.1-10+deb12u5`); Debian drops old "
      "versions from its mirrors, so many teams pin the base image digest instead.")
def apt_unpinned(df: Dockerfile) -> Iterator[Hit]:
    for ins in runs(df):
        names = _names(ins, lambda c: program(c) in ("apt-get", "apt") and subcommand(c) == "install",
                       re.compile(r"=|/"))
        if names:
            yield hit(ins, f"apt-get install {' '.join(names[:4])[:80]} without versions installs whatever the "
                           "mirror has on the day of the build")


@rule("PIN005", "pinning", "info", "apk package without a version",
      "Pin versions (`apk add --no-cache curl=8.5.0-r0`) or pin the base image digest.")
def apk_unpinned(df: Dockerfile) -> Iterator[Hit]:
    for ins in runs(df):
        names = _names(ins, lambda c: program(c) == "apk" and subcommand(c) == "add", re.compile(r"[=<>~]"))
        if names:
            yield hit(ins, f"apk add {' '.join(names[:4])[:80]} without versions installs whatever the "
                           "repository has on the day of the build")


def _pip_packages(cmd: tuple[str, ...]) -> list[str]:
    return operands(cmd[cmd.index("install") + 1:], _PIP_OPTION_VALUE)


@rule("PIN006", "pinning", "warning", "pip package without a version",
      "Pin it (`pip install flask==3.0.3`) or install from a requirements/constraints file with pinned versions.")
def pip_unpinned(df: Dockerfile) -> Iterator[Hit]:
    pinned = re.compile(r"[=<>~!@]|\.(whl|tar\.gz|zip)$|://|^\[|\$")
    for ins in runs(df):
        names: list[str] = []
        for c in commands(ins.script):
            if is_pip_install(c) and not _FROM_FILE & set(c):
                names += [w for w in _pip_packages(c) if not pinned.search(w) and not w.startswith((".", "/"))
                          and re.split(r"[\[]", w)[0].lower() not in _PIP_SELF]
        if names:
            yield hit(ins, f"pip install {' '.join(names[:4])[:80]} without versions: the next build can get a "
                           "new major version")


@rule("PIN007", "pinning", "warning", "npm package without a version",
      "Name a version (`npm install -g typescript@5.4.5`), or install from package.json with a lockfile (npm ci).")
def npm_unpinned(df: Dockerfile) -> Iterator[Hit]:
    for ins in runs(df):
        names: list[str] = []
        for c in commands(ins.script):
            if program(c) == "npm" and subcommand(c) in ("install", "i", "add"):
                words = [w for w in c[2:] if not w.startswith("-") and w != subcommand(c)]
                names += [w for w in words if "$" not in w and "://" not in w and not w.startswith((".", "/"))
                          and "@" not in w.lstrip("@") and not w.endswith(".tgz") and w not in ("npm",)]
        if names:
            yield hit(ins, f"npm install {' '.join(names[:4])[:80]} without versions: the next build can get a "
                           "new major version")
