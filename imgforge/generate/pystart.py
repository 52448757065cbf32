"""A Python project's start command, first match wins: Procfile `web:`, `[project.scripts]`, Django, Flask,
FastAPI, Streamlit, then `main.py`/`app.py`."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from imgforge.generate.facts import Start, dig, parse_json, parse_toml, procfile_web, read_text, shell, source_files

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
    pipfile = read_text(root / "Pipfile")
    if pipfile:
        with contextlib.suppress(ValueError):
            names |= _keys(dig(parse_toml(pipfile), "packages"))
    with contextlib.suppress(ValueError):
        names |= _keys(dig(parse_json(read_text(root / "Pipfile.lock") or "{}"), "default"))
    for lock in ("uv.lock", "poetry.lock"):
        names |= {_norm(n) for n in re.findall(r'^name = "([^"]+)"', read_text(root / lock), re.M)}
    # fastapi[standard] and fastapi[all] carry uvicorn (fastapi[all] is the older spelling, still in many projects).
    if any(re.search(r"fastapi\[[^\]]*\b(?:standard|all)\b", read_text(p), re.I)
           for p in (root / "pyproject.toml", root / "requirements.txt")):
        names.add("uvicorn")
    return names


def _module(root: Path, path: Path) -> str:
    rel = path.relative_to(root)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _find(root: Path, pattern: str) -> tuple[str, str] | None:
    """(module, name) of the first top-level match of `pattern` (group 1: the name) in the project's code."""
    files = sorted(source_files(root, (".py",)), key=lambda p: (len(p.relative_to(root).parts), str(p)))
    for path in files:
        if len(path.relative_to(root).parts) > 3:
            continue
        m = re.search(pattern, read_text(path), re.M)
        if m:
            return _module(root, path), m.group(1)
    return None


def _django(root: Path, deps: set[str]) -> Start | None:
    manage = read_text(root / "manage.py")
    m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", manage)
    if not manage or not (m or "django" in manage):
        return None
    # The settings module may be chosen at run time (`settings_module = 'site.production' if … else …`): then
    # the project package is the folder next to manage.py whose wsgi.py or asgi.py is Django's.
    package = m.group(1).rsplit(".", 1)[0] if m else next(
        (p.parent.name for p in sorted(root.glob("*/[wa]sgi.py")) if "django" in read_text(p)), None)
    if package is None:
        return None
    folder = root / package.replace(".", "/")
    if "gunicorn" in deps and (folder / "wsgi.py").is_file():
        return Start(shell(f"gunicorn {package}.wsgi:application --bind 0.0.0.0:${{PORT}}"),
                     f"Django project (manage.py, {package}/wsgi.py) with gunicorn in its dependencies")
    if "uvicorn" in deps and (folder / "asgi.py").is_file():
        return Start(shell(f"uvicorn {package}.asgi:application --host 0.0.0.0 --port ${{PORT}}"),
                     f"Django project (manage.py, {package}/asgi.py) with uvicorn in its dependencies")
    return Start(shell("python3 manage.py runserver 0.0.0.0:${PORT} --noreload"),
                 "Django project (manage.py) without gunicorn or uvicorn: Django's development server; "
                 "add gunicorn to the dependencies for production")


def _flask(root: Path, deps: set[str]) -> Start | None:
    if "flask" not in deps:
        return None
    factory = _find(root, r"^def (create_app)\s*\(")
    target = f"{factory[0]}:create_app()" if factory else None
    if factory is None:
        obj = _find(root, r"^(\w+)\s*=\s*(?:flask\.)?Flask\(")
        target = f"{obj[0]}:{obj[1]}" if obj else None
    if target is None:
        return None
    what = "create_app() factory" if factory else "Flask app object"
    if "gunicorn" in deps:
        return Start(shell(f"gunicorn --bind 0.0.0.0:${{PORT}} '{target}'"),
                     f"Flask {what} {target} with gunicorn in its dependencies")
    return Start(shell(f"flask --app '{target}' run --host 0.0.0.0 --port ${{PORT}}"),
                 f"Flask {what} {target}, no gunicorn: Flask's own server; add gunicorn for production")


def _fastapi(root: Path, deps: set[str]) -> Start | None:
    if "fastapi" not in deps or "uvicorn" not in deps:
        return None
    obj = _find(root, r"^(\w+)\s*=\s*(?:fastapi\.)?FastAPI\(")
    if obj is None:
        return None
    return Start(shell(f"uvicorn {obj[0]}:{obj[1]} --host 0.0.0.0 --port ${{PORT}}"),
                 f"FastAPI app {obj[0]}:{obj[1]} with uvicorn in its dependencies")


def _streamlit(root: Path, deps: set[str]) -> Start | None:
    """A Streamlit app: `streamlit run` on its script (streamlit_app.py, as Streamlit's own examples name it,
    else a top-level script that imports streamlit), bound to every interface on $PORT, without prompts."""
    if "streamlit" not in deps:
        return None
    scripts = sorted(p for p in root.glob("*.py") if p.is_file())
    named = [p for p in scripts if p.name == "streamlit_app.py"]
    importing = [p for p in scripts if re.search(r"^\s*(?:import|from)\s+streamlit\b", read_text(p), re.M)]
    script = next(iter(named + importing), None)
    if script is None:
        return None
    return Start(shell(f"streamlit run {script.name} --server.address 0.0.0.0 --server.port ${{PORT}} "
                       "--server.headless true"),
                 f"Streamlit app {script.name} with streamlit in its dependencies")


def python_start(root: Path) -> Start | None:
    """The start command of the Python project at `root`, or None when nothing says how to run it."""
    web = _procfile(root)
    if web:
        return web
    data = _pyproject(root)
    scripts = data.get("project", {}).get("scripts") or {}
    if scripts and "build-system" in data:
        name = next(iter(scripts))
        return Start((name,), f"[project.scripts] {name} = {scripts[name]!r} (the project is installed)")
    deps = dependencies(root)
    for rule in (_django, _flask, _fastapi, _streamlit):
        found = rule(root, deps)
        if found:
            return found
    for name in ("main.py", "app.py", "server.py", "wsgi.py"):
        if (root / name).is_file():
            return Start(("python3", name), f"{name} at the project root")
    return None


def _procfile(root: Path) -> Start | None:
    web = procfile_web(root)
    return Start(shell(web), "Procfile web: process") if web else None
