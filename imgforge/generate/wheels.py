"""Which Python versions a project's lockfile has Linux wheels for.

A uv.lock or poetry.lock names every file of every locked package. A package whose Linux wheels are all built
for some CPython versions (uvloop 0.20.0: cp38 to cp312) installs on another version only from its sdist: a C
compiler, the Python headers and source support for that version, which the builder images do not have. The
runtime choice prefers a version every such package has wheels for, and generation says which packages miss.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from imgforge.env.bases import find
from imgforge.generate.facts import parse_toml, read_text

_LOCKS = ("uv.lock", "poetry.lock")
_MAX_LOCK = 16_000_000  # locks outgrow the 256 KB other project files are read up to
# The C library of each catalog Debian release: a manylinux_2_X wheel needs glibc 2.X or newer.
GLIBC = {"bookworm": 36, "trixie": 41}
_LEGACY = {"manylinux1": 5, "manylinux2010": 12, "manylinux2014": 17}
_ANY_GLIBC = 99


def arch() -> str:
    """The machine the images are built for, as wheel tags name it."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def glibc_of(python: str) -> int:
    """The glibc minor of the catalog image that runs Python `python`."""
    base = find(f"imgforge/python:{python}")
    return GLIBC.get(base.suite if base else "", min(GLIBC.values()))


def wheel_tags(filename: str) -> frozenset[Tag]:
    """The tags of a wheel file name; none when it is not one."""
    try:
        return parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return frozenset()


def python_fits(tag: Tag, python: str) -> bool:
    """Whether pip on CPython `python` ("3.13", not free-threaded) takes a wheel of this tag's interpreter/abi."""
    minor = int(python.split(".")[1])
    if tag.interpreter in ("py3", f"py3{minor}") and tag.abi == "none":
        return True
    if m := re.match(r"^cp3(\d+)$", tag.interpreter):
        built = int(m.group(1))
        exact = built == minor and tag.abi in (tag.interpreter, f"{tag.interpreter}m", "none")
        return exact or (tag.abi == "abi3" and built <= minor)
    return False


def platform_fits(tag: Tag, machine: str, glibc: int) -> bool:
    """Whether a glibc Linux of `machine` with glibc 2.`glibc` takes a wheel of this tag's platform (musllinux
    and other systems' wheels never)."""
    if tag.platform in ("any", f"linux_{machine}"):
        return True
    if m := re.match(rf"^manylinux_2_(\d+)_{re.escape(machine)}$", tag.platform):
        return int(m.group(1)) <= glibc
    if m := re.match(rf"^(manylinux\d+)_{re.escape(machine)}$", tag.platform):
        return _LEGACY.get(m.group(1), _ANY_GLIBC) <= glibc
    return False


@dataclass(frozen=True)
class Compiled:
    """A locked package that has Linux wheels (for this machine) only for some CPython versions."""

    name: str
    version: str
    wheels: tuple[Tag, ...]  # the tags of its Linux wheels for this machine

    def covers(self, python: str) -> bool:
        """Whether one of its Linux wheels installs on the catalog's CPython `python` ("3.13"): its glibc too."""
        glibc, machine = glibc_of(python), arch()
        return any(python_fits(t, python) and platform_fits(t, machine, glibc) for t in self.wheels)

    def span(self) -> str:
        """The CPython versions its wheels name, as `cp38–cp312`."""
        found = sorted({int(t.interpreter[2:]) for t in self.wheels if re.match(r"^cp3\d+$", t.interpreter)})
        if not found:
            return "some versions"
        return f"cp{found[0]}" if len(found) == 1 else f"cp{found[0]}–cp{found[-1]}"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _files(package: dict[str, Any], listed: dict[str, Any]) -> list[str]:
    """The wheel file names of a uv.lock (`wheels[].url`/`filename`) or poetry.lock (`files[].file`) package;
    `listed` is a Poetry 1.1 lock's `[metadata.files]` (lock-version 1.1 keeps them there, by package name)."""
    names = []
    for key, field in (("wheels", "url"), ("wheels", "filename"), ("files", "file"), ("listed", "file")):
        entries = listed.get(_norm(str(package.get("name")))) if key == "listed" else package.get(key)
        for entry in entries if isinstance(entries, list) else []:
            value = entry.get(field) if isinstance(entry, dict) else None
            if isinstance(value, str) and value.endswith(".whl"):
                names.append(value.rsplit("/", 1)[-1])
    return names


def _dev_only(package: dict[str, Any]) -> bool:
    """A poetry.lock development package (Poetry 1.1 `category`, Poetry 2 `groups`): never installed."""
    groups = package.get("groups")
    return package.get("category") == "dev" or (isinstance(groups, list) and bool(groups) and "main" not in groups)


def compiled_packages(root: Path) -> list[Compiled]:
    """Locked packages whose Linux wheels are only for some CPython versions (none pure, none for any Python)."""
    text = next((t for lock in _LOCKS if (t := read_text(root / lock, _MAX_LOCK))), "")
    if not text:
        return []
    try:
        lock = parse_toml(text)
    except ValueError:
        return []
    packages = lock.get("package")
    files = lock.get("metadata", {}).get("files") if isinstance(lock.get("metadata"), dict) else None
    listed = {_norm(k): v for k, v in files.items()} if isinstance(files, dict) else {}
    found = []
    for package in packages if isinstance(packages, list) else []:
        if not isinstance(package, dict) or _dev_only(package):
            continue
        machine = arch()
        tags = {t for name in _files(package, listed) for t in wheel_tags(name)}
        linux = tuple(sorted((t for t in tags if platform_fits(t, machine, _ANY_GLIBC)), key=str))
        # No Linux wheel at all (sdist only, or another OS's package): nothing to prefer. A pure or abi3 wheel
        # installs on any later Python.
        if linux and not any(python_fits(t, "3.99") for t in linux):
            found.append(Compiled(str(package.get("name")), str(package.get("version")), linux))
    return found


def missing(root: Path, python: str) -> list[Compiled]:
    """The locked compiled packages with no Linux wheel for CPython `python`."""
    return [p for p in compiled_packages(root) if not p.covers(python)]
