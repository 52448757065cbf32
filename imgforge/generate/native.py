"""Debian packages a Python project's dependencies need beside what pip installs.

Some popular packages publish no Linux wheel: pip builds them from source, against a C library's headers, and
the built module loads that library at run time. psycopg2 (`pg_config executable not found`), mysqlclient and
uWSGI are the common ones in web projects; psycopg 3 is pure Python but loads libpq when imported, GitPython runs
the git program (`Bad git executable` at import) and python-magic loads libmagic. The builder
that installs the dependencies gets a compiler and the headers, the runtime only the shared library. The names
are the same in bookworm and trixie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from imgforge.generate.pydeps import dependencies

COMPILER = ("gcc", "libc6-dev", "make", "python3-dev")


@dataclass(frozen=True)
class Native:
    """What one dependency needs: apt packages for the builder that installs it, and for the runtime."""

    build: tuple[str, ...]
    runtime: tuple[str, ...]


NATIVE = {
    "psycopg2": Native((*COMPILER, "libpq-dev"), ("libpq5",)),
    "mysqlclient": Native((*COMPILER, "default-libmysqlclient-dev", "pkg-config"), ("libmariadb3",)),
    "uwsgi": Native(COMPILER, ()),
    "psycopg": Native((), ("libpq5",)),
    "gitpython": Native((), ("git",)),
    "python-magic": Native((), ("libmagic1",)),
}
# Packages whose wheels bundle their libraries, built from their sdist (no wheel of the pinned release fits the
# chosen Python: psycopg2-binary 2.9.3 has none past cp310, Pillow 8.4.0 neither): pip compiles them against the
# system's headers, and the module it builds loads the system's libraries (zlib is in every Debian image; Pillow's
# setup refuses to build without zlib and libjpeg).
FROM_SOURCE = {"psycopg2-binary": Native(("libpq-dev",), ("libpq5",)),
               "pillow": Native(("libjpeg-dev", "zlib1g-dev"), ("libjpeg62-turbo",)),
               # Python itself loads libffi: the runtime has it.
               "cffi": Native(("libffi-dev",), ())}
# Packages that bring their own build of the library: psycopg[binary] and psycopg[c] need no system libpq.
_BUNDLES = {"psycopg": ("psycopg-binary",)}


@dataclass(frozen=True)
class SystemPackages:
    """The apt packages the project's dependencies need, and which dependencies need them."""

    build: tuple[str, ...] = ()
    runtime: tuple[str, ...] = ()
    because: tuple[str, ...] = ()


def built_from_source(names: Iterable[str]) -> SystemPackages:
    """What pip needs to build the packages `names` from their sdists (a compiler, the Python headers, the headers
    of the libraries some compile against) and what the modules it builds load at run time."""
    found = sorted({canonicalize_name(name) for name in names})
    if not found:
        return SystemPackages()
    own = [FROM_SOURCE[name] for name in found if name in FROM_SOURCE]
    build = set(COMPILER) | {p for need in own for p in need.build}
    return SystemPackages(tuple(sorted(build)), tuple(sorted({p for need in own for p in need.runtime})),
                          tuple(found))


def python_system_packages(root: Path, from_source: Iterable[str] = ()) -> SystemPackages:
    """What the Python project at `root` needs from Debian; `from_source`: the locked packages with no wheel for the
    chosen Python, which pip builds (built_from_source)."""
    deps = dependencies(root)
    found = sorted(name for name in NATIVE if name in deps and not any(b in deps for b in _BUNDLES.get(name, ())))
    built = built_from_source(from_source)
    build = {p for name in found for p in NATIVE[name].build} | set(built.build)
    runtime = {p for name in found for p in NATIVE[name].runtime} | set(built.runtime)
    return SystemPackages(tuple(sorted(build)), tuple(sorted(runtime)), tuple(found))
