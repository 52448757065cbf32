"""Debian packages a Python project's dependencies need beside what pip installs.

Some popular packages publish no Linux wheel: pip builds them from source, against a C library's headers, and
the built module loads that library at run time. psycopg2 (`pg_config executable not found`), mysqlclient and
uWSGI are the common ones in web projects; psycopg 3 is pure Python but loads libpq when imported, GitPython runs
the git program (`Bad git executable` at import) and python-magic loads libmagic. The builder
that installs the dependencies gets a compiler and the headers, the runtime only the shared library. The names
are the same in bookworm and trixie.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
# Packages that bring their own build of the library: psycopg[binary] and psycopg[c] need no system libpq.
_BUNDLES = {"psycopg": ("psycopg-binary",)}


@dataclass(frozen=True)
class SystemPackages:
    """The apt packages the project's dependencies need, and which dependencies need them."""

    build: tuple[str, ...] = ()
    runtime: tuple[str, ...] = ()
    because: tuple[str, ...] = ()


def python_system_packages(root: Path, from_source: bool = False) -> SystemPackages:
    """What the Python project at `root` needs from Debian; `from_source`: some locked package has no wheel for
    the chosen Python, so pip builds it and needs a compiler and the Python headers."""
    deps = dependencies(root)
    found = sorted(name for name in NATIVE if name in deps and not any(b in deps for b in _BUNDLES.get(name, ())))
    build = {p for name in found for p in NATIVE[name].build} | (set(COMPILER) if from_source else set())
    runtime = {p for name in found for p in NATIVE[name].runtime}
    return SystemPackages(tuple(sorted(build)), tuple(sorted(runtime)), tuple(found))
