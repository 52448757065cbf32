"""What `init` reads from a project's own files: start command, port and health endpoints, each with a reason.

The language-specific readers live in `pystart` and `nodestart`; this module holds the shared model and
the scans every language uses (port numbers stated in code, health routes, a Procfile's `web:`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "vendor", "dist", "build", "__pycache__", "tests", "test",
              ".tox", "site-packages", "coverage"}
_MAX_FILES = 400
_MAX_BYTES = 256_000


@dataclass(frozen=True)
class Start:
    """A start command (exec form) and why it was chosen."""

    entrypoint: tuple[str, ...]
    why: str
    # A build output folder that holds all the server needs, dependencies bundled (Nitro's .output): the runtime
    # image takes only it, not the production node_modules.
    bundle: str | None = None


@dataclass(frozen=True)
class Port:
    """A port the project states, and where."""

    number: int
    why: str


def read_text(path: Path, limit: int = _MAX_BYTES) -> str:
    """A project file's text, or "" when it is missing, bigger than `limit` or not text."""
    try:
        if not path.is_file() or path.stat().st_size > limit:
            return ""
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def parse_json(text: str) -> Any:
    """A project file's JSON; ValueError when it is not JSON or nests too deeply for the parser."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def parse_toml(text: str) -> dict[str, Any]:
    """A project file's TOML; ValueError (TOMLDecodeError is one) when it is not TOML or nests too deeply."""
    try:
        return tomllib.loads(text)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def dig(data: Any, *keys: str) -> Any:
    """`data[k1][k2]...` when each step is a mapping that holds the key, else None (a project file may hold
    any JSON or TOML type at any key)."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def source_files(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """The project's own source files with these suffixes (dependencies, builds and tests left out), sorted."""
    count = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        if path.suffix in suffixes and path.is_file():
            count += 1
            if count > _MAX_FILES:
                return
            yield path


def shell(command: str) -> tuple[str, ...]:
    """Run `command` through sh so `$PORT` expands at start; exec keeps the server as PID 1 for signals.

    In a list (`migrate && collectstatic && gunicorn …`, `cd web; gunicorn …`) the exec goes before the last
    command, the server: one in front would replace the shell with the first command and end the list there.
    Variable assignments stay in front of it (`exec FOO=1 cmd` is not a command). A command sh would run in
    another shape (a pipe, `||`, `&`, a subshell, a group) keeps no exec: the shell stays PID 1 but the
    command runs as written.
    """
    at = _last_command(command)
    if at is None:
        return ("/bin/sh", "-c", command)
    return ("/bin/sh", "-c", f"{command[:at]}exec {command[at:]}")


def _last_command(command: str) -> int | None:
    """Where the last simple command of a `&&`/`;` list starts (after its assignments), or None when `command`
    has other top-level shell syntax or already execs."""
    start, quote, i = 0, "", 0
    while i < len(command):
        c = command[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "\\" or (c == "&" and command[i - 1:i] in "<>" and i > 0):
            i += 1 if c == "\\" else 0
        elif c == "$" and command[i + 1:i + 2] in ("{", "("):
            end = _closing(command, i + 1)
            if end is None:
                return None
            i = end
        elif command.startswith("&&", i):
            start, i = i + 2, i + 1
        elif c == ";":
            start = i + 1
        elif c in "|&(){}`\n" or (c == "#" and (i == 0 or command[i - 1].isspace())):
            return None
        i += 1
    rest = command[start:]
    words = re.match(r"\s*(?:[A-Za-z_]\w*=(?:'[^']*'|\"[^\"]*\"|\S)*\s+)*", rest)
    at = start + (words.end() if words else 0)
    return None if not command[at:].strip() or re.match(r"exec\b", command[at:]) else at


def _closing(command: str, i: int) -> int | None:
    """The index of the bracket closing the one at `i` (`${…}`, `$(…)`), or None."""
    pair = {"{": "}", "(": ")"}[command[i]]
    depth = 0
    for j in range(i, len(command)):
        depth += (command[j] == command[i]) - (command[j] == pair)
        if depth == 0:
            return j
    return None


def procfile_web(root: Path) -> str | None:
    """The `web:` process of a Heroku-style Procfile."""
    for line in read_text(root / "Procfile").splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "web" and command.strip():
            return command.strip()
    return None


# Where projects state their port: a server flag, a PORT default, a listen call. Numbers below 1024 and the
# placeholder 0 are skipped: a non-root container cannot bind them.
_PORT_PATTERNS = (
    (r"(?:--bind|-b)[= ]\S*?:(\d{4,5})\b", "a --bind flag"),
    (r"--port[= ](\d{4,5})\b", "a --port flag"),
    # `-p` is a port only for the servers that say so (daphne, `flask run`), not in `docker run -p` or `mkdir -p`.
    (r"\b(?:daphne|flask\s+run)\b[^\n]*?\s-p[= ]?(\d{4,5})\b", "a -p flag"),
    (r"--(?:http|http-socket|listen)[= ]\S*?:(\d{4,5})\b", "a --http or --listen flag"),  # uwsgi, waitress-serve
    # gunicorn's settings file (`bind = "0.0.0.0:5000"`, a list of them), read by `gunicorn -c gunicorn.conf.py`.
    (r"(?m)^bind\s*=\s*\[?\s*f?['\"][\w.*\[\]-]*:(\d{4,5})['\"]", "a gunicorn bind setting"),
    (r"\bPORT\b['\"]?\s*\]?\s*(?:\|\||\?\?|,|or)\s*['\"]?(\d{4,5})\b", "the default of PORT"),
    (r"getenv\(\s*['\"]PORT['\"]\s*,\s*['\"]?(\d{4,5})", "the default of PORT"),
    # port=8000 as a keyword, and the constant a listen call takes (`const PORT = 3000; app.listen(PORT)`).
    (r"\b(?:port|PORT|Port)\s*=\s*['\"]?(\d{4,5})\b", "a port assignment"),
    (r"\.listen\(\s*['\"]?:?(\d{4,5})\b", "a listen call"),
    # Tornado's option definitions (`define("port", default=5555, type=int)`: mher/flower, Tornado's demos).
    (r"\bdefine\(\s*['\"]port['\"]\s*,\s*default\s*=\s*(\d{4,5})\b", "tornado.options' port default"),
    # PasteDeploy's waitress server (`listen = *:6543` in [server:main]).
    (r"(?m)^\s*listen\s*=\s*\S*:(\d{4,5})\b", "a listen setting"),
    (r"ListenAndServe(?:TLS)?\(\s*\"[\w.]*:(\d{4,5})\"", "ListenAndServe"),
    # Go's flag package: the listen address a flag defaults to (flag.String("listen", ":5678", …)).
    # A Go listen address held in a port setting (Port: ":3000", defaultPort = ":3000").
    (r"(?:[Pp]ort|PORT)\s*:?=?\s*\":(\d{4,5})\"", "a port setting"),
    (r"flag\.(?:String|StringVar)\([^)\n]*?\"[\w.-]*:(\d{4,5})\"", "a flag's default address"),
    (r"runserver\s+(?:[\w.]+:)?(\d{4,5})\b", "runserver"),
)


# The ports of the databases, caches and brokers a service connects to (`pika.ConnectionParameters(port=5672)`,
# `redis.Redis(port=6379)`): a client's setting, never the port the service itself listens on.
_BACKING_PORTS = frozenset({1433, 1521, 2181, 3306, 5432, 5672, 6379, 9042, 9092, 9200, 11211, 27017})


def port_in(text: str, where: str) -> Port | None:
    """The first port `text` states, with the file and pattern that state it."""
    best: tuple[int, Port] | None = None
    for pattern, what in _PORT_PATTERNS:
        for m in re.finditer(pattern, text):
            number = int(m.group(1))
            if number in _BACKING_PORTS:
                continue
            if 1024 <= number <= 65535 and (best is None or m.start() < best[0]):
                best = (m.start(), Port(number, f"{what} in {where}"))
                break
    return best[1] if best else None


# Test runners' and bundlers' settings state the port of a test or dev server (louislam/uptime-kuma's
# config/playwright.config.js: 30001), never the service's.
_TOOL_CONFIG = re.compile(r"^(?:playwright|jest|vitest|cypress|karma|wdio|vite|webpack|rollup)[.-]conf(?:ig)?\b.*"
                          r"\.[cm]?[jt]s$")
# Go and JavaScript tests beside the code start servers on ports of their own (gomods/athens's config_test.go).
_TEST_FILE = re.compile(r"(?:_test\.go|\.(?:test|spec)\.[cm]?[jt]sx?)$")


def find_port(root: Path, first: list[Path], suffixes: tuple[str, ...]) -> Port | None:
    """A port stated in the Procfile, the entry files `first`, then any source file but a test runner's or
    bundler's settings."""
    web = procfile_web(root)
    if web and (found := port_in(web, "Procfile")):
        return found
    seen = set()
    for path in [*first, *source_files(root, suffixes)]:
        if path in seen or _TOOL_CONFIG.match(path.name) or _TEST_FILE.search(path.name):
            continue
        seen.add(path)
        text = read_text(path)
        found = port_in(text, str(path.relative_to(root))) or _config_port(root, path, text)
        if found:
            return found
    return _env_example_port(root)


# `process.env.PORT || config.port` with `config` read from a JSON file beside the code
# (developit/express-es6-rest-api: `import config from './config.json'`, `{"port": 8080}`).
_CONFIG_DEFAULT = re.compile(r"\bPORT\b['\"]?\s*\]?\s*(?:\|\||\?\?)\s*(\w+)\.port\b")
_JSON_IMPORT = r"(?:import\s+{name}\s+from\s*|\b{name}\s*=\s*require\(\s*)['\"](\.{{1,2}}/[^'\"]+\.json)['\"]"


def _config_port(root: Path, path: Path, text: str) -> Port | None:
    """The `port` of the JSON settings file a PORT default names (`PORT || config.port`)."""
    m = _CONFIG_DEFAULT.search(text)
    imported = m and re.search(_JSON_IMPORT.format(name=re.escape(m.group(1))), text)
    if not imported:
        return None
    config = (path.parent / imported.group(1)).resolve()
    if not config.is_relative_to(root.resolve()):
        return None
    try:
        number = parse_json(read_text(config)).get("port")
    except (ValueError, AttributeError):
        return None
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or not 1024 <= number <= 65535:
        return None
    return Port(number, f"the default of PORT, `port` in {config.relative_to(root.resolve())} "
                        f"(read by {path.relative_to(root)})")


def _env_example_port(root: Path) -> Port | None:
    """PORT in the environment template a project ships for its settings (.env.example, .env.sample): the port
    the code reads from the environment without a default of its own."""
    for name in (".env.example", ".env.sample", ".env.template", ".env.dist", "example.env"):
        m = re.search(r"^\s*(?:export\s+)?PORT\s*=\s*['\"]?(\d{4,5})['\"]?\s*(?:#.*)?$", read_text(root / name), re.M)
        if m and 1024 <= int(m.group(1)) <= 65535:
            return Port(int(m.group(1)), f"PORT in {name}")
    return None


def health_routes(root: Path, suffixes: tuple[str, ...], liveness: str, readiness: str) -> bool:
    """Whether the sources mention both health paths (as string literals)."""
    need = {liveness, readiness}
    for path in source_files(root, suffixes):
        text = read_text(path)
        need = {p for p in need if not re.search(rf"['\"`]{re.escape(p)}['\"`]", text)}
        if not need:
            return True
    return False


def go_main(root: Path) -> tuple[str, str] | None:
    """The main package to build, with why, when it is not at the module root: `./cmd/NAME` (the one named like
    the module, its `/vN` suffix aside, else the first), as golang-standards lay out a repository."""
    def is_main(folder: Path) -> bool:
        return any(re.search(r"^package main\b", read_text(p), re.M) for p in sorted(folder.glob("*.go"))
                   if not p.name.endswith("_test.go"))

    if is_main(root):
        return None
    mains = [d for d in sorted(root.glob("cmd/*")) if d.is_dir() and is_main(d)]
    if not mains:
        return None
    module = re.search(r"^module\s+(\S+)", read_text(root / "go.mod"), re.M)
    parts = module.group(1).split("/") if module else []
    if parts and re.fullmatch(r"v\d+", parts[-1]):
        parts = parts[:-1]
    named = [d for d in mains if parts and d.name == parts[-1]]
    chosen = (named or mains)[0]
    why = "named like the module" if named else "the only one" if len(mains) == 1 else \
        f"the first of {', '.join(d.name for d in mains)}"
    return f"./cmd/{chosen.name}", f"no package main at the module root; cmd/{chosen.name} is {why}"


_RULE = re.compile(r"^([A-Za-z0-9_./+-]+(?:[ \t]+[A-Za-z0-9_./+-]+)*)[ \t]*:(?!=)[ \t]*([^=\n#]*)$", re.M)


def make_program(root: Path) -> str | None:
    """The program the Makefile's default goal builds (its first rule, through `all:`'s first prerequisite), when
    it is a plain file name: `make` writes it at the root (emikulic/darkhttpd: `all: darkhttpd`)."""
    text = read_text(root / "Makefile") or read_text(root / "makefile")
    rules: dict[str, list[str]] = {}
    order: list[str] = []
    for m in _RULE.finditer(text):
        for target in m.group(1).split():
            if target.startswith(".") or "%" in target:
                continue
            rules.setdefault(target, m.group(2).split())
            order.append(target)
    goal = order[0] if order else None
    seen: set[str] = set()
    while goal in ("all", "default", "build") and goal not in seen and rules.get(goal):
        seen.add(goal)
        goal = rules[goal][0]
    if goal is None or "$" in goal or "/" in goal or goal.endswith((".o", ".a", ".so", ".c", ".h")):
        return None
    return goal if goal not in ("all", "default", "build", "install", "clean", "test") else None


def python_module(root: Path, path: Path) -> str:
    """The module a Python file of the project is imported as (`pkg.app`; src/ layout and `__init__` dropped)."""
    rel = path.relative_to(root)
    parts = list(rel.with_suffix("").parts)
    # src/ layout: the packages inside are what is imported, unless src/ is itself a package (`from src.x import`).
    if parts and parts[0] == "src" and not (root / "src" / "__init__.py").is_file():
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def find_python(root: Path, pattern: str) -> tuple[str, str] | None:
    """(module, name) of the first top-level match of `pattern` (group 1: the name) in the project's code."""
    files = sorted(source_files(root, (".py",)), key=lambda p: (len(p.relative_to(root).parts), str(p)))
    for path in files:
        if len(path.relative_to(root).parts) > 3:
            continue
        m = re.search(pattern, read_text(path), re.M)
        if m:
            return python_module(root, path), m.group(1)
    return None
