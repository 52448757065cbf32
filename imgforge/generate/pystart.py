"""A Python project's start command, first match wins: Procfile `web:`, a hosting platform's start command
(railway.json, render.yaml, nixpacks.toml, fly.toml, .do/app.yaml), a `[project.scripts]` entry that starts a
server, Django, Flask, Quart, FastAPI, Starlette, Litestar, BlackSheep, Sanic, Falcon, Bottle, Pyramid, the UI
frameworks of pyui.py (Streamlit, Dash, Gradio, Shiny, Panel, Chainlit), the CMD of the project's own Dockerfile, any
other `[project.scripts]` entry (not a dependency's command line), then `main.py`/`app.py`, a package's
`__main__.py`, a script that starts its server when run as such."""

from __future__ import annotations

import re
from pathlib import Path

from imgforge.generate.deployhints import dockerfile_start, platform_start
from imgforge.generate.facts import Start, find_python, procfile_web, python_module, read_text, shell, source_files
from imgforge.generate.pyui import UI_RULES, script_start
from imgforge.generate.pydeps import _norm, _pyproject, dependencies

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
    server = _asgi_server(deps)
    if server is not None and (folder / "asgi.py").is_file():
        return Start(shell(server[1].format(app=f"{package}.asgi:application")),
                     f"Django project (manage.py, {package}/asgi.py) with {server[0]} in its dependencies")
    return Start(shell("python3 manage.py runserver 0.0.0.0:${PORT} --noreload"),
                 "Django project (manage.py) without gunicorn or uvicorn: Django's development server; "
                 "add gunicorn to the dependencies for production")


def _flask(root: Path, deps: set[str]) -> Start | None:
    if "flask" not in deps:
        return None
    factory = find_python(root, r"^def (create_app)\s*\(")
    target = f"{factory[0]}:create_app()" if factory else None
    what = "create_app() factory"
    if factory is None:
        obj = find_python(root, r"^(\w+)\s*=\s*(?:flask\.)?Flask\(")
        target, what = (f"{obj[0]}:{obj[1]}", "Flask app object") if obj else (None, what)
    if target is None:
        entry = _factory_entry(root, "Flask")
        if entry:
            target, what = f"{entry[0]}:{entry[1]}", "app object made at import by its factory"
    if target is None:
        return None
    if "gunicorn" in deps:
        return Start(shell(f"gunicorn --bind 0.0.0.0:${{PORT}} '{target}'"),
                     f"Flask {what} {target} with gunicorn in its dependencies")
    return Start(shell(f"flask --app '{target}' run --host 0.0.0.0 --port ${{PORT}}"),
                 f"Flask {what} {target}, no gunicorn: Flask's own server; add gunicorn for production")


def _factory_entry(root: Path, cls: str) -> tuple[str, str] | None:
    """(module, name) of an entry module's app made at import by the project's own factory (`app = main_app()`
    in run.py, the factory defined there or imported from a module that makes a `cls`): what a WSGI or ASGI
    server imports, whatever the factory is called (gabrielkrneiro/flask-blueprint-factory-app's `main_app`,
    rednafi/fastapi-nano's `create_app` whose `FastAPI()` is inside the function)."""
    files = sorted(source_files(root, (".py",)), key=lambda p: (len(p.relative_to(root).parts), str(p)))
    for path in files:
        if len(path.relative_to(root).parts) > 3 or path.name.startswith(("test", "conftest")):
            continue
        text = read_text(path)
        for m in re.finditer(r"^(app|application)\s*=\s*(\w+)\(", text, re.M):
            factory = re.escape(m.group(2))
            here = re.search(rf"^def\s+{factory}\s*\(", text, re.M)
            imported = re.search(rf"^from\s+([\w.]+)\s+import\s+[^\n]*\b{factory}\b", text, re.M)
            if here:
                made = text
            elif imported:
                base = root / imported.group(1).replace(".", "/")
                made = read_text(base.with_suffix(".py")) or read_text(base / "__init__.py")
            else:
                continue
            if re.search(rf"\b{cls}\(", made):
                return python_module(root, path), m.group(1)
    return None


def _quart(root: Path, deps: set[str]) -> Start | None:
    """A Quart app object (or create_app() factory) served by Hypercorn, which Quart depends on: its own
    `app.run()` is a development server bound to 127.0.0.1, unreachable from outside the container."""
    if "quart" not in deps:
        return None
    obj = find_python(root, r"^(\w+)\s*=\s*(?:quart\.)?Quart\(")
    factory = None if obj else find_python(root, r"^(?:async\s+)?def (create_app)\s*\(")
    target = f"{obj[0]}:{obj[1]}" if obj else f"{factory[0]}:create_app()" if factory else None
    if target is None:
        return None
    return Start(shell(f"hypercorn --bind 0.0.0.0:${{PORT}} '{target}'"),
                 f"Quart app {target}, served by hypercorn (a dependency of Quart)")


# ASGI servers, in the order one is chosen when a project has several: (package, command; {app} = module:name).
_ASGI_SERVERS = (
    ("uvicorn", "uvicorn {app} --host 0.0.0.0 --port ${{PORT}}"),
    ("hypercorn", "hypercorn --bind 0.0.0.0:${{PORT}} '{app}'"),
    ("granian", "granian --interface asgi --host 0.0.0.0 --port ${{PORT}} '{app}'"),
    ("daphne", "daphne --bind 0.0.0.0 --port ${{PORT}} '{app}'"),
)


def _asgi_server(deps: set[str]) -> tuple[str, str] | None:
    """The first ASGI server among the project's dependencies: (package, command template)."""
    return next(((name, command) for name, command in _ASGI_SERVERS if name in deps), None)


def _app_object(root: Path, deps: set[str], package: str, cls: str, server: str, why: str) -> Start | None:
    """`package`'s app object (`app = Cls(...)`, the first found) run by `server` (`{app}` = module:name), when
    the project depends on `package` and on the server's package (its first word)."""
    if package not in deps or server.split()[0] not in deps:
        return None
    obj = find_python(root, rf"^(\w+)\s*=\s*(?:{package}\.)?{cls}\(") or _factory_entry(root, cls)
    if obj is None:
        return None
    app = f"{obj[0]}:{obj[1]}"
    return Start(shell(server.format(app=app)), why.format(app=app))


def _sanic(root: Path, deps: set[str]) -> Start | None:
    """A Sanic app object run by the `sanic` command Sanic installs (its `app.run()` is often in a
    `__main__` block that a server import never reaches)."""
    return _app_object(root, deps, "sanic", "Sanic", "sanic {app} --host 0.0.0.0 --port ${{PORT}}",
                       "Sanic app {app}, run by the sanic command")


# WSGI servers, in the order one is chosen: (package, command; {app} = module:name).
_WSGI_SERVERS = (
    ("gunicorn", "gunicorn --bind 0.0.0.0:${{PORT}} '{app}'"),
    ("waitress", "waitress-serve --listen 0.0.0.0:${{PORT}} '{app}'"),
)


def _wsgi_app(root: Path, deps: set[str], package: str, cls: str, fallback: str | None = None) -> Start | None:
    """`package`'s WSGI app object (`app = cls(...)`) served by the first WSGI server the project depends on, else
    by `fallback` (the framework's own command line), else nothing: the app's own `run()` binds localhost."""
    server = next(((name, command) for name, command in _WSGI_SERVERS if name in deps), None)
    if package not in deps or (server is None and fallback is None):
        return None
    obj = find_python(root, rf"^(\w+)\s*=\s*(?:{package}\.)?{cls}\(") or _factory_entry(root, cls)
    if obj is None:
        return None
    app = f"{obj[0]}:{obj[1]}"
    if server is None:
        return Start(shell(str(fallback).format(app=app)), f"{package} app {app}, run by {package}'s own command line "
                     "(no WSGI server in the dependencies; add gunicorn for production)")
    return Start(shell(server[1].format(app=app)), f"{package} app {app} with {server[0]} in its dependencies")


def _falcon(root: Path, deps: set[str]) -> Start | None:
    """A Falcon WSGI app (`falcon.App()`, `falcon.API()` before Falcon 3) under a WSGI server; its ASGI app
    (`falcon.asgi.App()`) under an ASGI server."""
    return _wsgi_app(root, deps, "falcon", "(?:App|API)") or _asgi_app(root, deps, "falcon", r"asgi\.App")


def _bottle(root: Path, deps: set[str]) -> Start | None:
    """A Bottle app (`Bottle()`, `bottle.default_app()`) under a WSGI server, else bottle's own command line bound to
    every interface (`python3 -m bottle --bind`), not the script whose `run()` binds localhost."""
    return _wsgi_app(root, deps, "bottle", "(?:Bottle|default_app)",
                     "python3 -m bottle --bind 0.0.0.0:${{PORT}} '{app}'")


def _pyramid(root: Path, deps: set[str]) -> Start | None:
    """A Pyramid app deployed from its PasteDeploy settings (production.ini, else development.ini, as Pyramid's
    cookiecutter writes them): under gunicorn's `--paste` on $PORT when the project depends on gunicorn, else
    `pserve` when the file's `[server:main]` listens on every interface (`listen = *:6543`; its port is the
    service's). One that listens on localhost only is left alone: pserve cannot move it."""
    if "pyramid" not in deps:
        return None
    for name in ("production.ini", "development.ini"):
        text = read_text(root / name)
        if not re.search(r"^\[app:main\]", text, re.M):
            continue
        if "gunicorn" in deps:
            return Start(shell(f"gunicorn --paste {name} --bind 0.0.0.0:${{PORT}}"),
                         f"Pyramid app of {name} under gunicorn (a dependency)")
        server = re.search(r"^\[server:main\](.*?)(?=^\[|\Z)", text, re.M | re.S)
        body = server.group(1) if server else ""
        if re.search(r"^\s*listen\s*=.*?(?:\*|0\.0\.0\.0|\[::\]):\d+", body, re.M) \
                or re.search(r"^\s*host\s*=\s*(?:0\.0\.0\.0|\*)\s*$", body, re.M):
            return Start(("pserve", name), f"Pyramid app of {name}, served by pserve on every interface")
    return None


# Calls that start a server: aiohttp's run_app, an app's run(), uvicorn/hypercorn/waitress/bottle runners,
# the standard library's serve_forever(), Tornado's IOLoop start; not asyncio.run or subprocess.run, which run
# whatever they are given (mher/flower's broker.py runs a command-line query so).
_SERVES = (r"(?<!asyncio\.)(?<!subprocess\.)\b(?:run_app|run|serve|serve_forever|run_simple)\s*\("
           r"|\bIOLoop\.(?:current|instance)\(\)\.start\(")


def _package_main(root: Path) -> Start | None:
    """A package the project runs as `python3 -m PACKAGE` (its `__main__.py` starts the server)."""
    for main in sorted(root.glob("*/__main__.py")) + sorted(root.glob("src/*/__main__.py")):
        if re.search(_SERVES, read_text(main)):
            package = main.parent.name
            return Start(("python3", "-m", package), f"{package}/__main__.py starts the server (python3 -m {package})")
    return None


def _script_module(root: Path) -> Start | None:
    """A module that starts its server under `if __name__ == "__main__":` (aiohttp's `web.run_app(app)`
    examples, `app.run(...)`, Tornado's `IOLoop.current().start()`): a script at the root by its path
    (bruxochico/tornado-helloworld's helloworld.py), one below it as `python3 -m module` so its package imports
    resolve."""
    files = sorted(source_files(root, (".py",)), key=lambda p: (len(p.relative_to(root).parts), str(p)))
    for path in files:
        if len(path.relative_to(root).parts) > 3 or path.name.startswith(("test", "conftest", "setup.py")):
            continue
        text = read_text(path)
        block = re.search(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:(.*)", text, re.M | re.S)
        if not block:
            continue
        called = re.findall(r"^\s+(?:asyncio\.run\(\s*)?(\w+)\(\s*\)", block.group(1), re.M)
        # The block may call a main() defined above that runs the server.
        bodies = [block.group(1)] + [m.group(1) for name in called
                                     if (m := re.search(rf"^(?:async\s+)?def {name}\(.*?\)[^:\n]*:(.*?)(?=^\S)", text,
                                                                  re.M | re.S))]
        if any(re.search(_SERVES, body) for body in bodies):
            if len(path.relative_to(root).parts) == 1:
                return Start(("python3", path.name), f"{path.name} starts its server when run as a script")
            module = python_module(root, path)
            return Start(("python3", "-m", module), f"{path.relative_to(root)} starts its server when run as a "
                         f"script (python3 -m {module})")
    return None


def _asgi_app(root: Path, deps: set[str], package: str, cls: str) -> Start | None:
    """`package`'s ASGI app object served by the first ASGI server the project depends on (uvicorn, else
    hypercorn, granian, daphne: Railway's FastAPI template runs hypercorn)."""
    server = _asgi_server(deps)
    if server is None:
        return None
    name = cls.replace("\\", "")
    return _app_object(root, deps, package, cls, server[1], f"{name} app {{app}} with {server[0]} in its dependencies")


def _fastapi(root: Path, deps: set[str]) -> Start | None:
    return _asgi_app(root, deps, "fastapi", "FastAPI")


def _starlette(root: Path, deps: set[str]) -> Start | None:
    return _asgi_app(root, deps, "starlette", "Starlette")


def _blacksheep(root: Path, deps: set[str]) -> Start | None:
    """A BlackSheep `Application()` served by an ASGI server: BlackSheep has no server of its own, and its examples
    make the app at import (`app = Application()`) with no `__main__` block (`uvicorn server:app`)."""
    return _asgi_app(root, deps, "blacksheep", "Application")


def _litestar(root: Path, deps: set[str]) -> Start | None:
    """A Litestar app object served by an ASGI server (litestar[standard] carries uvicorn), as Litestar's `run`
    command does."""
    return _asgi_app(root, deps, "litestar", "Litestar")


def _own_script(root: Path, target: object, deps: set[str]) -> bool:
    """Whether a `[project.scripts]` target may be the project's own code: one whose module is a dependency's
    (`app = "litestar.__main__:run_cli"`) starts that tool's command line (its help, then exit), not the service."""
    top = str(target).split(":", 1)[0].split(".", 1)[0].strip()
    local = any((base / top).is_dir() or (base / f"{top}.py").is_file() for base in (root, root / "src"))
    return local or _norm(top) not in deps


# A call that starts a server in a script's module (uvicorn.run, app.run, web.run_app, waitress.serve,
# serve_forever, run_simple); asyncio.run and subprocess.run do not.
_SERVE_CALL = re.compile(r"\b(?:uvicorn|hypercorn|granian|waitress|bjoern|web)\.(?:run|serve|run_app)\s*\("
                         r"|\b\w*app\w*\.run\s*\(|(?<!def )\b(?:run_app|serve|serve_forever|run_simple)\s*\(")


# Script functions named for starting a server (`svc.main:serve`, `app:run_server`, `web:start`).
_SERVER_FUNCTION = re.compile(r"(?:run_?)?(?:serve|server|web|api)|start(?:_?server|_?app)?|run(?:_?app)?")


def _script_serves(root: Path, target: object) -> bool:
    """Whether a `[project.scripts]` target starts a server: its function is named for it, or its module calls a
    server; a command line (click, typer, argparse) that does neither is a tool the package ships, not the service
    (coderamp-labs/gitingest: `gitingest.__main__:main`, a CLI beside its FastAPI server)."""
    module, _, function = str(target).partition(":")
    if _SERVER_FUNCTION.fullmatch(function.strip().split(".")[-1]):
        return True
    module = module.strip().replace(".", "/")
    for base in (root, root / "src"):
        for path in (base / f"{module}.py", base / module / "__init__.py", base / module / "__main__.py"):
            if _SERVE_CALL.search(read_text(path)):
                return True
    return False


def python_start(root: Path) -> Start | None:
    """The start command of the Python project at `root`, or None when nothing says how to run it."""
    web = _procfile(root) or _platform(root)
    if web:
        return web
    data = _pyproject(root)
    scripts = data.get("project", {}).get("scripts") or {}
    deps = dependencies(root)
    own = [name for name, target in scripts.items() if _own_script(root, target, deps)] \
        if isinstance(scripts, dict) else []
    installed = bool(own) and "build-system" in data
    serving = [n for n in own if _script_serves(root, scripts[n])]
    if installed and serving:
        name = serving[0]
        return script_start(name, f"[project.scripts] {name} = {scripts[name]!r} starts a server (the project is "
                            "installed)", deps)
    for rule in (_django, _flask, _quart, _fastapi, _starlette, _litestar, _blacksheep, _sanic, _falcon, _bottle,
                 _pyramid, *UI_RULES):
        found = rule(root, deps)
        if found:
            return _from_src(root, found)
    # After the framework rules: a Dockerfile's CMD often binds a port a non-root container cannot (`uvicorn
    # main:app --port 80`) where the framework's own rule serves on $PORT; it is the word for what they miss
    # (a Celery plugin's `celery flower`, aiohttp's gunicorn worker, twistd).
    built = _dockerfile(root)
    if built:
        return built
    if installed:
        name = own[0]
        return script_start(name, f"[project.scripts] {name} = {scripts[name]!r} (the project is installed)", deps)
    for name in ("main.py", "app.py", "server.py", "wsgi.py"):
        if (root / name).is_file():
            return Start(("python3", name), f"{name} at the project root")
    return _package_main(root) or _script_module(root)


_COMPILED = (".c", ".cpp", ".pyx", ".rs")


def _from_src(root: Path, start: Start) -> Start:
    """A src/-layout app found in src/ is imported from the sources (src/ first on PYTHONPATH), as the editable
    install it is developed with does: the built wheel holds only what the packaging settings name, often not the
    templates or static folder beside the packages (coderamp-labs/gitingest's server mounts src/static). Not for
    a project with compiled code in src/, whose extension modules only the installed copy has."""
    src = root / "src"
    if start.entrypoint[:2] != ("/bin/sh", "-c") or not src.is_dir() or (src / "__init__.py").is_file():
        return start
    command = start.entrypoint[2].removeprefix("exec ")
    tops = set(re.findall(r"(?<![\w./-])([A-Za-z_]\w*)(?:\.\w+)*:\w", command))
    if not any((src / top).is_dir() or (src / f"{top}.py").is_file() for top in tops):
        return start
    if any(p.suffix in _COMPILED for p in source_files(src, _COMPILED)):
        return start
    return Start(shell("PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} " + command),
                 f"{start.why}; imported from src/, as an editable install runs it (files the wheel leaves out stay "
                 "in reach)")


# Project tools that run a command inside the project's environment (`uv run gunicorn …`, `poetry run uvicorn …`):
# the image has no such tool, and its PATH already puts the venv's programs first.
_RUNNER = re.compile(r"(^|&&|;|\bexec\b|\b[A-Za-z_]\w*=\S*)(\s*)(?:uv|poetry|pipenv|pdm|rye)\s+run\b")
# uv run's options that take a value (`--with x`, `--env-file .env`); the others are flags (`--frozen`).
_RUNNER_VALUED = {"--with", "--with-editable", "--with-requirements", "--env-file", "--python", "-p", "--group",
                  "--only-group", "--no-group", "--extra", "--package", "--directory", "--project", "--index",
                  "--default-index", "--config-file", "--cache-dir", "-e", "--env"}


def without_runner(command: str) -> str:
    """`command` with each `uv run`/`poetry run`/`pipenv run`/`pdm run`/`rye run` prefix and its options taken
    off (`uv run -m pkg` is `python3 -m pkg`): what that tool would have run in the project's venv."""
    while m := _RUNNER.search(command):
        rest = command[m.end():]
        words = re.findall(r"\s+\S+", rest)
        taken, module = 0, False
        while taken < len(words) and words[taken].strip().startswith("-"):
            word = words[taken].strip()
            if word in ("-m", "--module"):
                module, taken = True, taken + 1
                break
            taken += 2 if word in _RUNNER_VALUED else 1
        skipped = sum(len(w) for w in words[:taken])
        command = command[:m.start()] + m.group(1) + m.group(2) + ("python3 -m" if module else "") + \
            (rest[skipped:] if module else rest[skipped:].lstrip())
    return command


def _procfile(root: Path) -> Start | None:
    web = procfile_web(root)
    return Start(shell(without_runner(web)), "Procfile web: process") if web else None


def _platform(root: Path) -> Start | None:
    hint = platform_start(root)
    return Start(shell(without_runner(hint.command)), f"{hint.where}") if hint else None


def _dockerfile(root: Path) -> Start | None:
    hint = dockerfile_start(root)
    if hint is None:
        return None
    return Start(shell(without_runner(hint.command)),
                 f"{hint.where} (kept; imgforge builds the Dockerfile.imgforge it writes beside it)")

