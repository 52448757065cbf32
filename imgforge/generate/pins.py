"""Choose the Python from a project's exact pins: the newest catalog version every pin installs on.

A pin (`psycopg2-binary==2.9.5` in requirements.txt, a locked package) whose compiled wheels stop before the
catalog's newest Python installs there only from its sdist, which needs a compiler and headers the builder has
not; a release whose `Requires-Python` excludes a version does not install there at all. The pins are read from
the file the python recipe installs from (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, requirements.txt and the
files it includes with -r), their files asked of the package index (build/pyindex.py), and each candidate judged
as pip on that catalog image would: CPython tags (cp3X, abi3, py3), manylinux up to the image's glibc, its arch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from imgforge.build.pyindex import IndexFile, PackageIndex, index_for, lookup
from imgforge.errors import ImgforgeError
from imgforge.generate.facts import dig, parse_json, parse_toml, read_text
from imgforge.generate.runtimes import FULL, available, choose, declarations, line_key, replacement
from imgforge.generate.wheels import arch, glibc_of, platform_fits, python_fits, wheel_tags

_MAX_LOCK = 16_000_000
_MAX_INCLUDES = 20
# Releases that import pkg_resources at run time (below these versions), which setuptools 82 and later no longer
# ship; their `setuptools>=3.0` requirement lets pip take the newest.
_PKG_RESOURCES = {"gunicorn": "21"}
SETUPTOOLS_BOUND = "82"
# Without a requirements.txt, the python recipe installs the first of these (a requirements/ folder per
# environment, as cookiecutter-django's): production includes base with -r; local and test files are not installed.
REQUIREMENTS_FOLDER = ("requirements/production.txt", "requirements/prod.txt", "requirements/base.txt",
                       "requirements/common.txt")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][A-Za-z0-9.+!_-]*)\s*(?:;(.*))?$")


@dataclass(frozen=True)
class Pin:
    """One exact version the project installs, the file that pins it, and its environment marker."""

    name: str
    version: str
    where: str
    marker: str | None = None

    def applies(self, python: str) -> bool:
        """Whether pip installs it on CPython `python` (its marker, read for a Linux image of that version)."""
        if not self.marker:
            return True
        try:
            return Marker(self.marker).evaluate(_environment(python))
        except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
            return True


@dataclass(frozen=True)
class Choice:
    """The chosen Python and why, or no choice (version None) and the note saying why not."""

    version: str | None
    why: str
    replaced: bool = False  # a version file's line the catalog has not was replaced by this one
    partial: bool = False  # no catalog Python suits every pin: this one has the fewest that do not
    from_source: tuple[str, ...] = ()  # the pins pip builds from their sdists on it (no wheel fits)


def _environment(python: str) -> dict[str, str]:
    return {"python_version": python, "python_full_version": FULL.get(python, python + ".0"),
            "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": arch(),
            "implementation_name": "cpython", "platform_python_implementation": "CPython"}






def _requirements(path: Path, root: Path, seen: set[Path]) -> list[Pin]:
    if path in seen or len(seen) >= _MAX_INCLUDES:
        return []
    seen.add(path)
    text = re.sub(r"\\\r?\n", " ", read_text(path))
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    pins = []
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if m := re.match(r"^(?:-r|--requirement)[\s=]\s*(\S+)", line):
            included = (path.parent / m.group(1)).resolve()
            if included.is_relative_to(root.resolve()):
                pins += _requirements(included, root.resolve(), seen)
            continue
        line = re.sub(r"\s--hash[=\s]\S+", "", line).strip()
        if m := _PIN.match(line):
            pins.append(Pin(m.group(1), m.group(2), where, (m.group(3) or "").strip() or None))
    return pins


def _lock_packages(root: Path, name: str) -> list[Pin]:
    try:
        lock = parse_toml(read_text(root / name, _MAX_LOCK))
    except ValueError:
        return []
    pins = []
    for package in lock.get("package") or []:
        if not isinstance(package, dict) or not isinstance(package.get("version"), str):
            continue
        found = package.get("source")
        source: dict[str, Any] = found if isinstance(found, dict) else {}
        if source.get("type") not in (None, "legacy") or (name == "uv.lock" and "registry" not in source):
            continue  # git, a folder, a file or URL, the project itself: nothing to ask an index about
        groups = package.get("groups")
        if package.get("category") == "dev" or (isinstance(groups, list) and groups and "main" not in groups
                                                   and "default" not in groups):
            continue
        marker = package.get("markers") if isinstance(package.get("markers"), str) else None
        pins.append(Pin(str(package.get("name")), package["version"], name, marker))
    return pins


def _pipfile_lock(root: Path) -> list[Pin]:
    try:
        lock = parse_json(read_text(root / "Pipfile.lock", _MAX_LOCK) or "{}")
    except ValueError:
        return []
    pins = []
    default = dig(lock, "default")
    for name, entry in default.items() if isinstance(default, dict) else []:
        version = entry.get("version") if isinstance(entry, dict) else None
        if isinstance(version, str) and version.startswith("=="):
            marker = entry.get("markers")
            pins.append(Pin(name, version[2:], "Pipfile.lock", marker if isinstance(marker, str) else None))
    return pins


def exact_pins(root: Path) -> list[Pin]:
    """The exact versions the python recipe installs, from the first of its dependency files the project has."""
    for lock in ("uv.lock", "poetry.lock", "pdm.lock"):
        if (root / lock).is_file():
            return _lock_packages(root, lock)
    if (root / "Pipfile.lock").is_file():
        return _pipfile_lock(root)
    if (root / "requirements.txt").is_file():
        return _requirements(root / "requirements.txt", root, set())
    folder = next((root / name for name in REQUIREMENTS_FOLDER if (root / name).is_file()), None)
    return _requirements(folder, root, set()) if folder else []






def installs(files: Sequence[IndexFile], python: str, glibc: int, machine: str) -> bool:
    """Whether pip installs one of a release's `files` on CPython `python` (glibc 2.`glibc`, `machine`) without
    a compiler: a wheel that fits, or an sdist when the release has no Linux compiled wheels (then it is pure
    Python, or needs a compiler on every version alike)."""
    full = _environment(python)["python_full_version"]
    allowed = [f for f in files if _allows(f.requires_python, full)]
    for file in allowed:
        if file.wheel and any(python_fits(t, python) and platform_fits(t, machine, glibc)
                              for t in wheel_tags(file.filename)):
            return True
    compiled = any(t.platform.startswith(("manylinux", "linux_")) and t.abi not in ("none",)
                   for f in files if f.wheel for t in wheel_tags(f.filename))
    return not compiled and any(not f.wheel for f in allowed)




def _allows(requires: str | None, full: str) -> bool:
    if not requires:
        return True
    try:
        return SpecifierSet(requires).contains(full, prereleases=True)
    except (InvalidSpecifier, ValueError):
        return True


def blocker(pin: Pin, files: Sequence[IndexFile], python: str) -> str | None:
    """Why `pin` does not install on CPython `python` from the index's `files` ("psycopg2-binary 2.9.5 has no
    cp313 wheel"), or None when it does (or the index lists no file of it)."""
    if not files or not pin.applies(python) or installs(files, python, glibc_of(python), arch()):
        return None
    full = _environment(python)["python_full_version"]
    if not any(_allows(f.requires_python, full) for f in files):
        needs = next((f.requires_python for f in files if f.requires_python), "")
        return f"{pin.name} {pin.version} requires Python {needs}"
    return f"{pin.name} {pin.version} has no cp3{python.split('.')[1]} wheel"


def _from_source(pin: Pin, files: Sequence[IndexFile], python: str) -> bool:
    """Whether pip builds `pin` from its sdist on CPython `python`: no wheel fits, though the release allows it."""
    full = _environment(python)["python_full_version"]
    return (blocker(pin, files, python) is not None and any(not f.wheel for f in files)
            and any(_allows(f.requires_python, full) for f in files))


def choose_for_pins(preferred: Sequence[str], pins: Sequence[Pin],
                    files: Callable[[Pin], Sequence[IndexFile]]) -> Choice:
    """The first of `preferred` that every pin installs on, with the blockers of those before it; when none
    does, the one with the fewest blockers (the oldest of them on a tie), with the blockers of each: a project
    pinned in 2023 has cp311 wheels for all but a 2022 pin or two, and none for 3.13 of many."""
    passed: list[tuple[str, list[str]]] = []
    for python in preferred:
        blockers = [b for pin in pins if (b := blocker(pin, files(pin), python)) is not None]
        if not blockers:
            why = "; ".join(_shown(b) for _v, b in passed) if passed else f"every exact pin installs on {python}"
            return Choice(python, why)
        passed.append((python, blockers))
    if not passed:
        return Choice(None, "no catalog Python to choose from")
    # A tie goes to the oldest: the pins of a tie build from their sdists on each, and an older Python with its
    # release's compiler is what their C was written for (psycopg2-binary 2.8.6 compiles on 3.11 with bookworm's
    # gcc 12; trixie's gcc 14 makes its implicit gettimeofday declaration an error on 3.13).
    fewest = min(passed, key=lambda found: (len(found[1]), line_key(found[0])))
    built = tuple(p.name for p in pins if _from_source(p, files(p), fewest[0]))
    tie = sum(len(b) == len(fewest[1]) for _v, b in passed) > 1
    return Choice(fewest[0], "no catalog Python suits every exact pin (" + "; ".join(
        f"{v}: {_shown(b)}" for v, b in passed) + f"); {fewest[0]} has the fewest that do not" + (
        ", the oldest of a tie (old sdists compile with its older compiler)" if tie else ""), partial=True,
        from_source=built)


def _shown(blockers: Sequence[str]) -> str:
    return ", ".join(blockers[:3]) + (f" and {len(blockers) - 3} more" if len(blockers) > 3 else "")


def pin_key(pin: Pin) -> tuple[str, str]:
    """The (project, version) the index is asked about."""
    return canonicalize_name(pin.name), pin.version


def _preferred(root: Path) -> tuple[list[str], str]:
    """The catalog Pythons the declarations allow, newest first; when a version file names a line the catalog
    has not (runtime.txt `python-3.10.2`), the others by nearness to it, and a note saying so."""
    found = declarations("python", root)
    allowed = [v for v in reversed(available("python")) if all(d.accepts(v) for d in found)]
    if allowed:
        return allowed, ""
    near = replacement("python", root)
    return (list(near.order), near.note) if near else ([], "")


def python_from_pins(root: Path, index: PackageIndex | None = None) -> Choice | None:
    """The Python the project's exact pins suit, of the catalog versions its declarations allow (or, when a
    version file names a line the catalog has not, the nearest); None when there is nothing to choose (one
    version allowed and no version file to replace, or nothing allowed). With IMGFORGE_NO_INDEX set and no
    `index`, or when the look-up fails, the pins are not judged: a failure's note names the index's answer."""
    preferred, replaced = _preferred(root)
    if not preferred or (len(preferred) < 2 and not replaced):
        return None
    fallback = Choice(preferred[0], f"{replaced}: {preferred[0]} is the nearest", replaced=True) if replaced else None
    pins = exact_pins(root)
    if len(preferred) < 2 or not pins or (index is None and os.environ.get("IMGFORGE_NO_INDEX")):
        return fallback
    try:
        answers = lookup(index or index_for(root), [pin_key(p) for p in pins])
    except ImgforgeError as exc:
        if fallback is not None:
            return fallback
        return Choice(None, f"the package index did not answer ({exc}): Python {choose('python', root)} from the "
                            "declarations and lockfile alone")
    choice = choose_for_pins(preferred, pins, lambda pin: answers.get(pin_key(pin), ()))
    if replaced:
        if choice.partial:  # the nearest with the fewest pins that will not install, and those pins said
            return Choice(choice.version, f"{replaced}; {choice.why}", replaced=True, partial=True,
                          from_source=choice.from_source)
        return Choice(choice.version, f"{replaced}: {choice.version} is the nearest" + (
            f" every exact pin installs on ({choice.why})" if choice.version != preferred[0] else ""), replaced=True)
    return choice


def pkg_resources_users(pins: Sequence[Pin]) -> list[Pin]:
    """The pins whose release imports pkg_resources at run time, when setuptools itself is not pinned."""
    if any(canonicalize_name(p.name) == "setuptools" for p in pins):
        return []
    found = []
    for pin in pins:
        bound = _PKG_RESOURCES.get(canonicalize_name(pin.name))
        try:
            if bound is not None and Version(pin.version) < Version(bound):
                found.append(pin)
        except InvalidVersion:
            continue
    return found
