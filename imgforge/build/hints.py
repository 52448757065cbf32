"""What to change when a dependency install or build fails: read from the failed step's whole output (pip's, go's,
and a Node.js dependency's own version check).

A pinned package with no wheel for the image's Python is built from its source distribution; the builder
images have a C compiler only when generation knew it was needed (generate/native.py), the compile may fail on a
Python the package predates, and an old `setup.py` may import modules newer Pythons removed (`imp`, gone in
3.12). pip names the package near the top of a long traceback, so the last lines alone do not say which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

_COLLECTING = re.compile(r"^\s*Collecting ([A-Za-z0-9][A-Za-z0-9._-]*)")
_FAILED = re.compile(r"Failed (?:building wheel for|to build) (?!installable )([A-Za-z0-9][A-Za-z0-9._-]*)(?:\s|$)")
_PYTHON = re.compile(r"python3\.(\d+)\b|cpython-3(\d+)\b")
# The compiler itself missing (setuptools' and distutils' words for it), or the Python headers: not a failed compile.
_CC = r"(?:gcc|cc|x86_64-linux-gnu-gcc|aarch64-linux-gnu-gcc)"
_NO_COMPILER = re.compile(rf"(?:No such file or directory|unable to execute|not found)[^\n]{{0,20}}['\"]?{_CC}['\"]"
                          rf"|['\"]{_CC}['\"]:? (?:failed: )?No such file")
_NO_HEADERS = re.compile(r"Python\.h: No such file")
_SOURCE_BUILD = re.compile(r"Getting requirements to build wheel did not run successfully|metadata-generation-failed"
                           r"|Preparing metadata \(pyproject\.toml\) did not run successfully")
_REMOVED = re.compile(r"No module named '(imp|distutils|asynchat|asyncore|smtpd)'")
# Build tools of system libraries a source build asks for, and the package on PyPI that ships wheels instead.
_LIBRARY = {"pg_config": ("PostgreSQL's libpq", "psycopg2-binary (or psycopg[binary])"),
            "mysql_config": ("MySQL's client library", "PyMySQL")}
_BINARY = {"psycopg2-binary", "psycopg-binary", "pymysql"}
_GO_PROXY = re.compile(r"go: [^:\n]+: (?:Get|reading) \"?https?://([^/\s\"]+)/[^\n]*"
                       r"(?:no such host|dial tcp|i/o timeout|connection refused)")
# pip (urllib3), npm and curl when the build network's proxy refuses the login or does not answer.
_PROXY_FAILED = re.compile(r"407 Proxy Authentication Required|ProxyError\('Cannot connect to proxy"
                           r"|tunneling socket could not be established|Received HTTP code 407 from proxy")
# A dependency that needs a newer Node.js than the build's, as Next.js, Vite, yarn 1, pnpm and npm say it (npm's
# EBADENGINE is only a warning: the step fails later, on syntax or an API the old Node lacks).
_NODE_TOO_OLD = (
    re.compile(r"You are using Node\.js v?(?P<got>\d[\d.]*)\. For (?P<who>[\w.@/-]+), Node\.js version "
               r"\"(?P<want>[^\"]+)\" is required"),
    re.compile(r"You are using Node\.js v?(?P<got>\d[\d.]*)\. (?P<who>[\w.@/-]+) requires Node\.js version "
               r"(?P<want>[^.\n]+(?:\.\d+\+?)*(?: or [\d.]+\+?)?)"),
    re.compile(r"error (?P<who>\S+): The engine \"node\" is incompatible with this module\. "
               r"Expected version \"(?P<want>[^\"]+)\"\. Got \"(?P<got>[^\"]+)\""),
    re.compile(r"Unsupported engine \{\s*package: '(?P<who>[^']+)',\s*required: \{ node: '(?P<want>[^']+)'[^}]*\},"
               r"\s*current: \{ node: 'v?(?P<got>[^']+)'"),
    re.compile(r"ERR_PNPM_UNSUPPORTED_ENGINE[^\n]*\n(?:[^\n]*\n){0,6}?[^\n]*Your Node version is incompatible with "
               r"\"(?P<who>[^\"]+)\"\.\s*Expected version: (?P<want>\S+)\s*Got: v?(?P<got>\S+)"),
)

# next/font/google downloads each font's files while `next build` runs (create-next-app's layout uses Geist).
_GOOGLE_FONTS = re.compile(r"Failed to fetch (?:font )?[`'\"]?([^`'\"\n]+?)[`'\"]? from Google Fonts")

# SvelteKit inlines $env/static/* when `vite build` runs; a variable set nowhere (no .env in the context) is no export.
# Rollup names the virtual module with Vite's NUL prefix.
_SVELTE_STATIC_ENV = re.compile(r"\"(\w+)\" is not exported by \"[\s\x00]*\$env/static/(public|private)\"")

_NPM_WARN = re.compile(r"^npm (?:warn|WARN) EBADENGINE ?", re.M)

# pip's resolver on pins that exclude each other: `The user requested NAME==V`, then `DEP V depends on NAME SPEC`.
_REQUESTED = re.compile(r"The user requested ([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s,;]+)")
_DEPENDS = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]* \S+) depends on ([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$", re.M)


# pip 24.1 and later refuse a release whose metadata does not parse (celery 4.4.6's `pytz (>dev)`), then find no
# release for the pin.
_INVALID_METADATA = re.compile(r"Ignoring version (\S+) of ([A-Za-z0-9][A-Za-z0-9._-]*) since it has invalid metadata")


# An exact pin the index lists no file of (a lockfile's pre-release since deleted): pip lists what it has instead.
_NOT_LISTED = re.compile(r"Could not find a version that satisfies the requirement ([A-Za-z0-9][A-Za-z0-9._-]*)"
                         r"==([^\s;]+) \(from versions: ([^)]*)\)")
_OTHER_PYTHON = re.compile(r"Ignored the following versions that require a different python version: ([^\n]*)")


def _not_listed(text: str) -> tuple[str, str] | None:
    """(name, version) of an exact pin the index has no release of at all (not one for another Python)."""
    found = _NOT_LISTED.search(text)
    if found is None:
        return None
    name, version, listed = found.groups()
    other = _OTHER_PYTHON.search(text)
    if version in {v.strip() for v in listed.split(",")} or (other and f"{version} Requires-Python" in other.group(1)):
        return None
    return name, version


def _conflict(text: str) -> str | None:
    """The pin and the dependency that excludes it, when pip found the requested pins conflicting."""
    if "ResolutionImpossible" not in text or not (requested := _REQUESTED.search(text)):
        return None
    name, version = requested.groups()
    for who, dep, spec in _DEPENDS.findall(text):
        if canonicalize_name(dep) != canonicalize_name(name):
            continue
        try:
            if not SpecifierSet(spec.strip().replace(" and ", ",")).contains(version, prereleases=True):
                return f"{name}=={version} is pinned, and {who} needs {name}{spec.strip().replace(' and ', ',')}"
        except InvalidSpecifier:
            continue
    return f"{name}=={version} is pinned, and another pin needs another {name}"


def node_hint(text: str) -> str | None:
    """One sentence when a dependency needs a newer Node.js than the build has, or None."""
    text = _NPM_WARN.sub("", text)  # npm prefixes each line of its warning object
    for pattern in _NODE_TOO_OLD:
        if m := pattern.search(text):
            return (f"{m.group('who')} needs Node.js {m.group('want').strip()} and the build has "
                    f"{m.group('got').strip()}: imgforge takes the newest catalog Node.js that .nvmrc, .node-version "
                    "and package.json engines.node allow, so raise the version declared there (or set "
                    "overrides.builders[].image and runtime.image in imgforge.yaml)")
    return None


def install_hint(lines: Sequence[str]) -> str | None:
    """One sentence naming the package that could not be built and what to change, or None."""
    text = "\n".join(lines)
    if _PROXY_FAILED.search(text):
        return ("the build's HTTP proxy refused the connection or its login: check the proxy URL and credentials "
                "in HTTPS_PROXY / HTTP_PROXY or build.network.proxy in imgforge.yaml")
    if node := node_hint(text):
        return node
    if font := _GOOGLE_FONTS.search(text):
        return (f"next/font/google downloads {font.group(1)} from fonts.googleapis.com while `next build` runs, and "
                "the build could not reach it: let the build's proxy (HTTPS_PROXY or build.network.proxy in "
                "imgforge.yaml) reach fonts.googleapis.com and fonts.gstatic.com, or serve the font files from the "
                "project with next/font/local")
    if env := _SVELTE_STATIC_ENV.search(text):
        name, kind = env.groups()
        # .env never reaches the build: the generated .dockerignore leaves it out, as it may hold secrets.
        return (f"SvelteKit's $env/static/{kind} needs {name} when the build runs, and the build sets none (.env "
                f"stays out of the context): set it under overrides.builders[].env in imgforge.yaml (never a "
                f"secret), or import it from $env/dynamic/{kind} to read it at run time")
    if proxy := _GO_PROXY.search(text):
        return (f"Go modules could not be downloaded ({proxy.group(1)} is unreachable from the build): commit "
                "vendor/ (go mod vendor), or set a reachable proxy as GOPROXY in the environment or "
                "build.network.goproxy in imgforge.yaml")
    if "Unable to determine which files to ship inside the wheel" in text:
        # Hatchling (uv's and PDM's default backend) ships a package named like the project, else nothing.
        return ("the project's own wheel build found nothing to ship (hatchling looks for a package named like "
                "[project] name): set [tool.hatch.build.targets.wheel] packages in pyproject.toml, or remove "
                "[build-system] if the project is not a package")
    if invalid := _INVALID_METADATA.search(text):
        version, name = invalid.groups()
        return (f"{name} {version}'s metadata is invalid for pip 24.1 and later (the builder's pip), so pip ignores "
                f"that release: the pin is the project's to change, to a {name} release whose metadata is valid "
                "(a newer one)")
    if gone := _not_listed(text):
        name, version = gone
        return (f"{name} {version} is pinned, and the package index has no such release (deleted since the project "
                f"was locked, or never published there): the pin is the project's to change - re-lock it "
                f"(uv lock --upgrade-package {name}, poetry update {name}) or pin a release the index lists")
    if conflict := _conflict(text):
        return (f"pip cannot install the exact pins together on any Python ({conflict}): change one of the two pins "
                "so they agree")
    failed = _FAILED.findall(text)
    removed = _REMOVED.search(text)
    if not failed and not (removed or _SOURCE_BUILD.search(text)):
        return None
    # pip prints `Collecting NAME` before it downloads and builds NAME, so the last one before the error is it.
    collected = [m.group(1) for line in lines if (m := _COLLECTING.match(line))]
    package = failed[-1] if failed else collected[-1] if collected else None
    if package is None:
        return None
    needs = next(((tool, library, wheels) for tool, (library, wheels) in _LIBRARY.items()
                  if re.search(rf"{tool}(?: executable)?:? not found", text)), None)
    # The binary package itself (psycopg2-binary 2.9.9 has no wheel for 3.13) is built from source only for want
    # of a wheel for this Python: then the pin or the Python is what to change.
    if needs and package.lower() not in _BINARY:
        tool, library, wheels = needs
        return (f"{package} builds from source against {library} ({tool} not found in the builder): depend on "
                f"{wheels}, which ships wheels, instead")
    found = _PYTHON.search(text)
    python = f"Python 3.{found.group(1) or found.group(2)}" if found else "the image's Python"
    if removed:
        why = f"its build imports {removed.group(1)}, which {python} no longer has"
    elif needs:
        why = f"it has no wheel for it, and its source build needs {needs[1]}"
    elif _NO_COMPILER.search(text):
        why = "it has no wheel for it and the builder has no C compiler"
    elif _NO_HEADERS.search(text):
        why = "it has no wheel for it and the builder has no Python headers"
    else:
        why = "it has no wheel for it and its source build failed"
    return (f"{package} could not be installed on {python} ({why}): pin a newer {package}, or choose an older "
            "Python with a .python-version file")
