"""Which Python versions a project's lockfile has Linux wheels for.

A uv.lock or poetry.lock names every file of every locked package. A package whose Linux wheels are all built
for some CPython versions (uvloop 0.20.0: cp38 to cp312) installs on another version only from its sdist: a C
compiler, the Python headers and source support for that version, which the builder images do not have. The
runtime choice prefers a version every such package has wheels for, and generation says which packages miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.generate.facts import parse_toml, read_text

_LOCKS = ("uv.lock", "poetry.lock")
_MAX_LOCK = 16_000_000  # locks outgrow the 256 KB other project files are read up to
# name-version(-build)?-python-abi-platform.whl
_WHEEL = re.compile(r"^[^-]+-[^-]+(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$")


@dataclass(frozen=True)
class Compiled:
    """A locked package that has Linux wheels only for some CPython versions."""

    name: str
    version: str
    wheels: tuple[tuple[str, str, str], ...]  # (python, abi, platform) tags of its Linux wheels

    def covers(self, python: str) -> bool:
        """Whether one of its Linux wheels installs on CPython `python` ("3.13")."""
        return any(_fits(tags, python) for tags in self.wheels)

    def span(self) -> str:
        """The CPython versions its wheels name, as `cp38–cp312`."""
        found = sorted({int(t[2:]) for py, _, _ in self.wheels for t in py.split(".") if re.match(r"^cp3\d+$", t)})
        if not found:
            return "some versions"
        return f"cp{found[0]}" if len(found) == 1 else f"cp{found[0]}–cp{found[-1]}"


def _fits(tags: tuple[str, str, str], python: str) -> bool:
    pythons, abis, _ = (part.split(".") for part in tags)
    major, minor = python.split(".")[:2]
    here = int(major + minor)
    for py in pythons:
        if py in ("py3", f"py{major}{minor}", f"py{major}") and "none" in abis:
            return True
        if m := re.match(r"^cp(\d)(\d+)$", py):
            built = int(m.group(1) + m.group(2))
            if built == here or ("abi3" in abis and m.group(1) == major and built <= here):
                return True
    return False


def _linux(tags: tuple[str, str, str]) -> bool:
    """A wheel a glibc Linux (Debian) can install: `any`, `linux_*` or `manylinux*` (not musllinux)."""
    return any(p == "any" or p.startswith(("manylinux", "linux_")) for p in tags[2].split("."))


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
        tags = [(m.group(1), m.group(2), m.group(3)) for name in _files(package, listed) if (m := _WHEEL.match(name))]
        linux = tuple(sorted({t for t in tags if _linux(t)}))
        # No Linux wheel at all (sdist only, or another OS's package): nothing to prefer.
        if linux and not any(_fits(t, "3.99") or t[0].startswith("py") for t in linux):
            found.append(Compiled(str(package.get("name")), str(package.get("version")), linux))
    return found


def missing(root: Path, python: str) -> list[Compiled]:
    """The locked compiled packages with no Linux wheel for CPython `python`."""
    return [p for p in compiled_packages(root) if not p.covers(python)]
