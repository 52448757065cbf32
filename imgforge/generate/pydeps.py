"""What a Python project declares it depends on, read without running anything: requirements files (and a
requirements/ folder), pyproject's PEP 621 and Poetry tables, setup.py's literal `install_requires` (or the
requirements file it reads), setup.cfg's `[options] install_requires`, the Pipfile and the lockfiles."""

from __future__ import annotations

import ast
import configparser
import contextlib
import re
from pathlib import Path
from typing import Any

from imgforge.generate.facts import dig, parse_json, parse_toml, read_text

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject(root: Path) -> dict[str, Any]:
    try:
        return parse_toml(read_text(root / "pyproject.toml"))
    except ValueError:
        return {}


def _keys(table: Any) -> set[str]:
    """The normalised package names of a dependency table (nothing when it is not a table)."""
    return {_norm(k) for k in table} if isinstance(table, dict) else set()


def setup_requires(root: Path) -> list[str]:
    """setup.py's literal `install_requires` (a list, or a name bound to one), read without running it; when it is
    computed from a requirements file named in the call (`get_requirements('default.txt')`, at the root or in
    requirements/, as mher/flower does), that file's requirement lines."""
    try:
        tree = ast.parse(read_text(root / "setup.py"))
    except (SyntaxError, ValueError, RecursionError):
        return []
    bound = {n.targets[0].id: n.value for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)}
    for call in ast.walk(tree):
        for kw in call.keywords if isinstance(call, ast.Call) else []:
            if kw.arg == "install_requires":
                value = bound.get(kw.value.id, kw.value) if isinstance(kw.value, ast.Name) else kw.value
                if isinstance(value, (ast.List, ast.Tuple)):
                    return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                named = [e.value for e in ast.walk(value) if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                files = [root / q for n in named for q in (n, f"requirements/{n}")
                         if q.endswith((".txt", ".in")) and (root / q).is_file()]
                lines = read_text(files[0]).splitlines() if files else []
                return [line for line in lines if line.strip() and not line.lstrip().startswith(("#", "-"))]
    return []


def setup_cfg_requires(root: Path) -> list[str]:
    """setup.cfg's `[options] install_requires` lines (Flask 2.0's examples declare their dependencies there, with
    `setup()` alone in setup.py); a `file:` reference is not followed."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(root / "setup.cfg"))
    except configparser.Error:
        return []
    lines = parser.get("options", "install_requires", fallback="").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith(("#", "file:"))]


def dependencies(root: Path) -> set[str]:
    """Normalised names of the project's declared dependencies (requirements, pyproject, Pipfile, lockfiles)."""
    names: set[str] = set()
    for path in sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt")):
        for line in read_text(path).splitlines():
            m = _NAME.match(line)
            if m and not line.lstrip().startswith(("-", "#")):
                names.add(_norm(m.group(1)))
    data = _pyproject(root)
    listed = dig(data, "project", "dependencies")
    for spec in listed if isinstance(listed, list) else []:
        if isinstance(spec, str) and (m := _NAME.match(spec)):
            names.add(_norm(m.group(1)))
    names |= _keys(dig(data, "tool", "poetry", "dependencies"))
    for spec in setup_requires(root) + setup_cfg_requires(root):
        if m := _NAME.match(spec):
            names.add(_norm(m.group(1)))
    pipfile = read_text(root / "Pipfile")
    if pipfile:
        with contextlib.suppress(ValueError):
            names |= _keys(dig(parse_toml(pipfile), "packages"))
    with contextlib.suppress(ValueError):
        names |= _keys(dig(parse_json(read_text(root / "Pipfile.lock") or "{}"), "default"))
    for lock in ("uv.lock", "poetry.lock", "pdm.lock"):
        names |= {_norm(n) for n in re.findall(r'^name = "([^"]+)"', read_text(root / lock), re.M)}
    # fastapi[standard] and fastapi[all] carry uvicorn (fastapi[all] is the older spelling, still in many projects),
    # and so does litestar[standard].
    if any(re.search(r"(?:fastapi|litestar)\[[^\]]*\b(?:standard|all)\b", read_text(p), re.I)
           for p in (root / "pyproject.toml", root / "requirements.txt")):
        names.add("uvicorn")
    return names
