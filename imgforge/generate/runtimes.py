"""Pick each toolchain's version from what the project declares: the newest catalog version that satisfies it.

Declarations read: `.python-version`, `runtime.txt`, Pipfile's `python_version`, `requires-python` (python);
`engines.node`, `.nvmrc`, `.node-version` (node); package.json's `packageManager` (bun@1.3.2), `engines.bun`,
`.bun-version` (bun); go.mod's `go` and `toolchain` lines (go); and for each, asdf's
`.tool-versions` and mise's `[tools]`. Of the Python versions
they allow, one that the lockfile's compiled packages have wheels for comes first. Node goes past its default (22,
as Railpack's) only for a project whose declarations rule the default and older versions out (`24`, `lts/krypton`,
`>=23`); 20 (Debian's) and 18 only for one that asks for them. A recipe image written as
`imgforge/python-dev:{python}` gets the chosen version; an image without a placeholder is left alone.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from imgforge.env.bases import BUN_UPSTREAM, NODE_UPSTREAM, versions
from imgforge.errors import UsageError
from imgforge.generate.facts import dig, parse_json, parse_toml
from imgforge.generate.semver import satisfies
from imgforge.generate.wheels import compiled_packages

# Placeholder -> catalog families whose versions it must exist in (builder and runtime images).
FAMILIES: dict[str, tuple[str, ...]] = {
    "python": ("python", "python-dev"),
    "node": ("node", "node-dev"),
    "bun": ("bun", "bun-dev"),
    "go": ("golang",),
    "gcc": ("gcc",),
}
# The patch level each Debian release ships, so `>=3.13.2` or `^20.19.0` is judged on the real version.
FULL = {"3.11": "3.11.2", "3.13": "3.13.5", "18": "18.19.0", "20": "20.19.2", "1.19": "1.19.8", "1.24": "1.24.4",
        "12": "12.2.0", "14": "14.2.0", **{line: node.version for line, (node, _npm) in NODE_UPSTREAM.items()},
        **{line: bun.version for line, bun in BUN_UPSTREAM.items()}}
# The newest version a project gets unless its declarations rule it out, so adding a newer line to the catalog moves
# no project that did not ask for it. Node 22: 20 ended upstream in April 2026, and current frameworks use 22's APIs
# without declaring it (Nuxt 4.5's build calls Set.prototype.difference); Railpack's default is 22 too.
DEFAULT = {"node": "22"}
_NVM_ALIASES = {"lts/hydrogen": "18", "lts/iron": "20", "lts/jod": "22", "lts/krypton": "24", "lts/*": "*",
                "node": "*", "stable": "*"}


@dataclass(frozen=True)
class Declaration:
    """One version constraint and the file (and key) that states it."""

    where: str
    text: str
    accepts: Callable[[str], bool]
    line: str | None = None  # the release line a version file names (python 3.10, node 23, go 1.25), else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _minor_of(text: str) -> Callable[[str], bool]:
    """`3.12` or `3.12.1`: the same major.minor (pyenv and Heroku semantics)."""
    parts = text.split(".")[:2]
    return lambda v: v.split(".")[:2] == parts


def _major_of(text: str) -> Callable[[str], bool]:
    """`20.11.1` or `20.11` in a version file: the same major line. The catalog holds one release per line, and
    a release line keeps its API within the major (Node's semver policy), as `.python-version` is read by minor."""
    major = text.split(".")[0]
    return lambda v: FULL.get(v, v).split(".")[0] == major


def _pep440(spec: SpecifierSet) -> Callable[[str], bool]:
    def accepts(version: str) -> bool:
        try:
            return spec.contains(FULL.get(version, version), prereleases=True)
        except ValueError:  # a bound with thousands of digits is past int()'s limit: it holds no catalog version
            return False

    return accepts


def _npm_range(spec: str) -> Callable[[str], bool]:
    def accepts(version: str) -> bool:
        return satisfies(FULL.get(version, version), spec)

    return accepts


def _at_least(wanted: str) -> Callable[[str], bool]:
    def accepts(version: str) -> bool:
        return _version(FULL.get(version, version)) >= _version(wanted)

    return accepts


def _pipenv_python(root: Path) -> tuple[str, str] | None:
    """(where, version) of a Pipfile's `[requires] python_version` (or python_full_version), else its lock's:
    pipenv runs the project on that Python."""
    tables: list[tuple[str, object]] = []
    with contextlib.suppress(ValueError):
        tables.append(("Pipfile requires", dig(parse_toml(_read(root / "Pipfile") or ""), "requires")))
    with contextlib.suppress(ValueError):
        lock = parse_json(_read(root / "Pipfile.lock") or "{}")
        tables.append(("Pipfile.lock _meta.requires", dig(lock, "_meta", "requires")))
    for where, requires in tables:
        for key in ("python_version", "python_full_version"):
            value = dig(requires, key)
            if isinstance(value, str) and re.match(r"^\d+\.\d+", value):
                return f"{where}.{key}", value
    return None


# asdf's `.tool-versions` (`nodejs 22.11.0`) and mise's `[tools]` (`node = "22"`) name each toolchain; their
# other words (`latest`, `lts`, `system`, `ref:…`, `path:…`) leave the version open.
_TOOL_NAMES = {"python": ("python",), "node": ("nodejs", "node"), "go": ("golang", "go"), "bun": ("bun",)}
_MISE_FILES = ("mise.toml", ".mise.toml", ".config/mise.toml", "mise/config.toml", ".config/mise/config.toml")


def _tool_versions(root: Path, name: str) -> list[tuple[str, str]]:
    """(where, version) of toolchain `name` in `.tool-versions` and mise's settings: the first version given."""
    found = []
    for line in (_read(root / ".tool-versions") or "").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0] in _TOOL_NAMES[name]:
            found.append((f".tool-versions {words[0]}", words[1]))
    for file in _MISE_FILES:
        text = _read(root / file)
        if not text:
            continue
        try:
            tools = dig(parse_toml(text), "tools")
        except ValueError as exc:
            raise UsageError(f"reading {root / file}: {exc}") from exc
        for tool in _TOOL_NAMES[name]:
            value = tools.get(tool) if isinstance(tools, dict) else None
            value = value[0] if isinstance(value, list) and value else value
            value = value.get("version") if isinstance(value, dict) else value
            if isinstance(value, str):
                found.append((f"{file} tools.{tool}", value))
        break  # mise reads the first of these it finds
    return [(where, v.removeprefix("v")) for where, v in found if re.match(r"^v?\d+(\.\d+)*$", v)]


def _python(root: Path) -> list[Declaration]:
    found = [Declaration(where, v, _minor_of(v), _line("python", v)) for where, v in _tool_versions(root, "python")
             if "." in v]
    pinned = _read(root / ".python-version")
    if pinned:
        first = pinned.splitlines()[0].strip()
        if re.match(r"^\d+\.\d+", first):
            found.append(Declaration(".python-version", first, _minor_of(first), _line("python", first)))
    runtime = _read(root / "runtime.txt")
    if runtime and (m := re.match(r"^python-(\d+\.\d+)", runtime)):
        found.append(Declaration("runtime.txt", runtime, _minor_of(m.group(1)), m.group(1)))
    pipenv = _pipenv_python(root)
    if pipenv:
        found.append(Declaration(pipenv[0], pipenv[1], _minor_of(pipenv[1]), _line("python", pipenv[1])))
    text = _read(root / "pyproject.toml")
    if text:
        try:
            data = parse_toml(text)
        except ValueError as exc:
            raise UsageError(f"reading {root / 'pyproject.toml'}: {exc}") from exc
        requires = dig(data, "project", "requires-python")
        poetry = dig(data, "tool", "poetry", "dependencies", "python")
        if isinstance(requires, str):
            try:
                found.append(Declaration("pyproject.toml project.requires-python", requires,
                                         _pep440(SpecifierSet(requires))))
            except InvalidSpecifier as exc:
                raise UsageError(f"reading {root / 'pyproject.toml'}: project.requires-python: "
                                 f"invalid specifier {_clip(requires)!r}") from exc
        elif isinstance(poetry, str):
            # A bare version (`python = "3.10.4"`, Poetry's exact constraint) names the line the project was made
            # with, as runtime.txt does: the nearest catalog line replaces it when the catalog has not that one.
            bare = re.fullmatch(r"\s*(\d+\.\d+)(?:\.\d+)?\s*", poetry)
            found.append(Declaration("pyproject.toml tool.poetry.dependencies.python", poetry,
                                     _npm_range(poetry.replace(",", " ")),
                                     _line("python", poetry.strip()) if bare else None))
    return found


def _node(root: Path) -> list[Declaration]:
    found = [Declaration(where, v, _major_of(v), _line("node", v)) for where, v in _tool_versions(root, "node")]
    for name in (".nvmrc", ".node-version"):
        text = _read(root / name)
        if text:
            first = text.splitlines()[0].strip().lower().removeprefix("v")
            first = _NVM_ALIASES.get(first, first)
            exact = re.match(r"^\d+\.\d+(\.\d+)?$", first) is not None  # a release, not a range or a major
            line = _line("node", first) if exact or first.isdigit() else None
            found.append(Declaration(name, first, _major_of(first) if exact else _npm_range(first), line))
    text = _read(root / "package.json")
    if text:
        try:
            wanted = dig(parse_json(text), "engines", "node")
        except ValueError as exc:
            raise UsageError(f"reading {root / 'package.json'}: not valid JSON ({exc})") from exc
        if isinstance(wanted, str):
            # One major (`14.x.x`, `^16.13.0`, `~18`) names a line as a version file does: an old one the catalog
            # has not gets the nearest under overrides from init (javieraviles/node-typescript-koa-rest: 14.x.x).
            one = re.fullmatch(r"\s*[\^~=]?v?(\d+)(?:\.(?:\d+|x|\*)){0,2}\s*", wanted, re.I)
            found.append(Declaration("package.json engines.node", wanted, _npm_range(wanted),
                                     _line("node", one.group(1)) if one else None))
    return found


def _bun(root: Path) -> list[Declaration]:
    """Bun's version files and packageManager name a release (`1.2.21`) or a line (`1.2`): that minor line, as a
    `.python-version` is read (Bun adds features in minors, rarely breaks); engines.bun is an npm range."""
    found = [Declaration(where, v, _minor_of(v), _line("bun", v)) for where, v in _tool_versions(root, "bun")
             if "." in v]
    pinned = (_read(root / ".bun-version") or "").splitlines()
    first = pinned[0].strip().removeprefix("bun-").removeprefix("v") if pinned else ""
    if re.match(r"^\d+\.\d+", first):
        found.append(Declaration(".bun-version", first, _minor_of(first), _line("bun", first)))
    text = _read(root / "package.json")
    try:
        pkg = parse_json(text) if text else {}
    except ValueError as exc:
        raise UsageError(f"reading {root / 'package.json'}: not valid JSON ({exc})") from exc
    manager = dig(pkg, "packageManager")
    if isinstance(manager, str) and (m := re.match(r"^bun@v?(\d+\.\d+(?:\.\d+)?)", manager.strip())):
        found.append(Declaration("package.json packageManager", manager, _minor_of(m.group(1)),
                                 _line("bun", m.group(1))))
    wanted = dig(pkg, "engines", "bun")
    if isinstance(wanted, str):
        found.append(Declaration("package.json engines.bun", wanted, _npm_range(wanted)))
    return found


_GO_LINE = re.compile(r"^go\s+(\d+\.\d+(\.\d+)?)\s*$", re.M)


def go_line(root: Path) -> str | None:
    """go.mod's go line (`1.25.0`), or None."""
    m = _GO_LINE.search(_read(root / "go.mod") or "")
    return m.group(1) if m else None


def _go(root: Path) -> list[Declaration]:
    text = _read(root / "go.mod") or ""
    found = [Declaration(where, v, _at_least(v), _line("go", v)) for where, v in _tool_versions(root, "go")
             if "." in v]
    if m := _GO_LINE.search(text):
        wanted = m.group(1)
        # Since Go 1.21 the go line is a minimum; an older toolchain refuses the module (see GO_LINE_LOWERED).
        found.append(Declaration("go.mod go", wanted, _at_least(wanted), _line("go", wanted)))
    if m := re.search(r"^toolchain\s+go(\d+\.\d+(\.\d+)?)\s*$", text, re.M):
        wanted = m.group(1)
        # A preference, not a minimum: with GOTOOLCHAIN=local (Debian's go.env) a toolchain at least as new as the
        # go line builds the module, so it rules no catalog version out that the go line allows.
        found.append(Declaration("go.mod toolchain", f"go{wanted}", lambda _v: True))
    return found


def _line(name: str, version: str) -> str:
    """The release line of `version`: the major for node, major.minor for python and go."""
    return ".".join(version.split(".")[: 1 if name == "node" else 2])


def line_key(line: str) -> tuple[int, ...]:
    """`1.25.0` as (1, 25, 0), for comparing lines and releases (a part of more than nine digits, from a hostile
    version file, counts as 10**9: int() refuses strings past 4,300 digits)."""
    return tuple(int(p) if len(p) <= 9 else 10**9 for p in line.split(".") if p.isdigit())


def by_nearness(wanted: str, pool: list[str]) -> list[str]:
    """`pool` (catalog lines) by nearness to line `wanted`: the newer lines of its own or the next major first (its
    code may use that line's features; Node's majors are its lines), nearest first; then the older ones, nearest
    first; then the newer ones further off."""
    want = line_key(wanted)

    def rank(version: str) -> tuple[int, int]:
        have = line_key(version)
        distance = abs(have[-1] - want[-1]) if len(have) == len(want) == 2 else abs(have[0] - want[0])
        if have > want and have[0] - want[0] <= (1 if len(want) == 1 else 0):
            return 0, distance
        return (1, distance) if have < want else (2, distance)

    return sorted(pool, key=rank)


@dataclass(frozen=True)
class Replacement:
    """The catalog versions to use instead of a line the project's version files name and the catalog has not."""

    wanted: str  # the line, e.g. 23
    order: tuple[str, ...]  # the catalog versions the other declarations allow, nearest first
    note: str  # "<file> wants <text>, a line the catalog has not (<have>)"


def replacement(name: str, root: Path) -> Replacement | None:
    """When no catalog version of toolchain `name` satisfies the project's declarations because its version files
    name one line the catalog has not (`.nvmrc` 23, go.mod `go 1.25.0`), the catalog versions by nearness to it
    that its other declarations (ranges: `engines.node`, `requires-python`) allow; else None (a range nothing
    satisfies, or two version files that disagree, keeps choose()'s error)."""
    have = available(name)
    found = declarations(name, root)
    if any(all(d.accepts(v) for d in found) for v in have):
        return None
    # The version files no catalog version satisfies must name one line, and every other declaration allow it
    # (a minimum such as go.mod's go line may; `.nvmrc` 20 beside `.node-version` 23 is a contradiction).
    pinned = [d for d in found if d.line is not None and not any(d.accepts(v) for v in have)]
    lines = {d.line for d in pinned if d.line is not None}
    if len(lines) != 1 or (wanted := lines.pop()) in {_line(name, v) for v in have}:
        return None
    others = [d for d in found if d not in pinned]
    if not all(d.accepts(wanted) for d in others if d.line is not None):
        return None
    pool = [v for v in have if all(d.accepts(v) for d in others)]
    if not pool:
        return None
    named = ", ".join(f"{d.where} wants {_clip(d.text)}" for d in pinned)
    return Replacement(wanted, tuple(by_nearness(wanted, pool)),
                       f"{named}, a line the catalog has not ({', '.join(have)})")


def _version(text: str) -> Version:
    try:
        return Version(text)
    except ValueError:  # InvalidVersion, or a part with thousands of digits (past int()'s limit)
        return Version("0")


READERS: dict[str, Callable[[Path], list[Declaration]]] = {"python": _python, "node": _node, "go": _go,
                                                          "bun": _bun}
OVERRIDE = {"python": "runtime.image / builders[].image", "node": "runtime.image / builders[].image",
            "go": "builders[].image", "gcc": "builders[].image", "bun": "runtime.image / builders[].image"}


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def available(name: str) -> list[str]:
    """Versions of placeholder `name` that every image family it stands for has in the catalog."""
    sets = [set(versions(f)) for f in FAMILIES[name]]
    common = set.intersection(*sets) if sets else set()
    return sorted(common, key=_key)


def declarations(name: str, root: Path) -> list[Declaration]:
    """What the project at `root` declares about toolchain `name`."""
    reader = READERS.get(name)
    return reader(root) if reader else []


def choose(name: str, root: Path) -> str:
    """The newest catalog version of toolchain `name` satisfying every declaration, up to its default when one of
    those fits; UsageError when none."""
    have = available(name)
    found = declarations(name, root)
    fits = [v for v in have if all(d.accepts(v) for d in found)]
    if name in DEFAULT:
        fits = [v for v in fits if _key(v) <= _key(DEFAULT[name])] or fits
    if fits and name == "python":
        # Of those, the newest that every compiled package of the lockfile has a wheel for: on another version
        # pip builds it from its sdist, which needs a compiler and may not support that Python at all. When none
        # has them all, the one the fewest lack (the oldest of a tie, see pins.choose_for_pins): a 2023 lock
        # misses cp313 wheels of many.
        compiled = compiled_packages(root)
        lacking = {v: sum(not p.covers(v) for p in compiled) for v in fits}
        if lacking[fits[-1]] == 0:
            return fits[-1]
        return min(fits, key=lambda v: lacking[v])
    if fits:
        return fits[-1]
    wanted = "; ".join(f"{d.where} wants {_clip(d.text)}" for d in found)
    near = replacement(name, root)
    rerun = f" (`imgforge init --force` writes the nearest, {near.order[0]})" if near else ""
    raise UsageError(
        f"choosing the {name} version for {root}: {wanted}, but the imgforge catalog has {', '.join(have)}; "
        f"set overrides.{OVERRIDE[name]} in imgforge.yaml to an image that has it (e.g. an official image "
        f"where pulling works){rerun}"
    )


def _clip(text: str, limit: int = 80) -> str:
    """A declared version as quoted in an error: a project file may hold thousands of characters there."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def placeholders(text: str) -> list[str]:
    """The `{name}` toolchain placeholders in an image reference."""
    return [p for p in re.findall(r"\{([a-z]+)\}", text) if p in FAMILIES]


def fill(image: str, root: Path, chosen: dict[str, str]) -> str:
    """`image` with its placeholders replaced by the chosen versions (memoised in `chosen`)."""
    for name in placeholders(image):
        if name not in chosen:
            chosen[name] = choose(name, root)
        image = image.replace("{" + name + "}", chosen[name])
    return image
