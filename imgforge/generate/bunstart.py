"""A Bun project: whether the folder is one (a Bun lockfile or packageManager) and its start command (Procfile,
`scripts.start`, a dev script without watch mode, package.json `module`/`main`, an index file), run with bun."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from imgforge.generate.facts import Port, Start, procfile_web, read_text, shell
from imgforge.generate.nodebuild import after_build
from imgforge.generate.nodestart import env_prefix, frontend_only, package_json, scripts_of

LOCKFILES = ("bun.lock", "bun.lockb")
# The order init reads a Bun project's start command in (its comment quotes it).
ORDER = ("Procfile web:, scripts.start as plain bun, scripts.dev without --watch/--hot, package.json module/main, "
         "index.ts/src/index.ts")
# Entry files `bun init` and the Elysia and Hono templates write, then the usual server names.
_ENTRY_FILES = ("index.ts", "src/index.ts", "index.js", "src/index.js", "server.ts", "src/server.ts", "main.ts",
                "src/main.ts", "app.ts", "src/app.ts", "index.tsx", "src/index.tsx")
# Watch mode restarts on file changes: a developer's loop, dropped when a dev script is the start command.
_WATCH_FLAGS = frozenset({"--watch", "--hot", "--no-clear-screen"})
# Dev and preview servers of front-end tools, never the production server.
_DEV_TOOLS = frozenset({"vite", "next", "astro", "nuxt", "react-scripts", "webpack", "parcel", "serve"})
_SCRIPT_RUNNERS = frozenset({"bun", "npm", "yarn", "pnpm"})


def uses_bun(root: Path) -> bool:
    """A Bun lockfile (bun.lock, or the older binary bun.lockb) or `packageManager: bun@…` in package.json."""
    if any((root / name).is_file() for name in LOCKFILES):
        return True
    manager = package_json(root).get("packageManager")
    return isinstance(manager, str) and manager.strip().startswith("bun@")


def bun_app(root: Path) -> bool:
    """A Bun project that runs a server: a front-end-only one (a build script, no server) is the spa recipe's."""
    return uses_bun(root) and not frontend_only(root)


def _words(command: str) -> list[str] | None:
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return None if any(w in ("&&", ";", "|", "||", "&") for w in words) else words


def bun_command(command: str, scripts: dict[str, str], depth: int = 0) -> tuple[str, ...] | None:
    """`command` as a plain `bun …` exec form (scripts followed, env assignments kept, watch flags and `run`
    before a file dropped; `node file` runs on bun, the runtime's only JavaScript engine), else None."""
    words = _words(after_build(command, scripts))
    if not words:
        return None
    env = env_prefix(words)
    if not words or words[0] not in ("bun", "node"):
        if words and words[0] in _SCRIPT_RUNNERS - {"bun"} and depth < 3:
            rest = words[2:] if words[1:2] == ["run"] else words[1:]
            if rest and rest[0] in scripts:
                return bun_command(scripts[rest[0]], scripts, depth + 1)
        return None
    args = [w for w in words[1:] if w not in _WATCH_FLAGS and not w.startswith("--watch=")]
    if words[0] == "bun":
        if args[:1] == ["run"]:
            args = args[1:]
        if args and args[0] in scripts and depth < 3:
            return bun_command(scripts[args[0]], scripts, depth + 1)
        # `bun --bun x`, `bun x pkg`, `bun install`, `bun test`: not a program of the project's own.
        if not args or args[0].startswith("-") or re.fullmatch(r"[a-z]+", args[0]):
            return None
    elif not args:
        return None
    return (("/usr/bin/env", *env) if env else ()) + ("bun", *args)


def _without_dev_env(command: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A dev script's command without its NODE_ENV assignment (`NODE_ENV=development bun --watch src/index.ts`):
    the image runs it in production, with the runtime's NODE_ENV."""
    if not command or command[0] != "/usr/bin/env":
        return command
    at = command.index("bun")
    env = [w for w in command[1:at] if not w.startswith("NODE_ENV=")]
    return (("/usr/bin/env", *env) if env else ()) + command[at:]


def _dev_tool(command: str) -> bool:
    words = _words(command) or []
    words = [w for w in words if not re.match(r"^[A-Za-z_]\w*=", w) and w not in ("bun", "bunx", "run", "x", "--bun")]
    return bool(words) and words[0] in _DEV_TOOLS


def bun_start(root: Path) -> Start | None:
    """The start command of the Bun project at `root`, or None."""
    pkg = package_json(root)
    scripts = scripts_of(pkg)
    web = procfile_web(root)
    if web:
        return Start(bun_command(web, scripts) or shell(web), "Procfile web: process")
    start = scripts.get("start")
    if start and not _dev_tool(start):
        plain = bun_command(start, scripts)
        if plain:
            return Start(plain, f"package.json scripts.start ({start!r}) run as plain bun, without `bun run`")
        # A start script that is not one command (`bun run migrate && bun src/index.ts`): bun runs it as written.
        return Start(("bun", "run", "start"), f"package.json scripts.start ({start!r}), run by `bun run start`")
    dev = scripts.get("dev")
    if dev and not _dev_tool(dev):
        plain = _without_dev_env(bun_command(dev, scripts))
        if plain and plain[-1] not in scripts:
            return Start(plain, f"package.json scripts.dev ({dev!r}) without watch mode and its NODE_ENV: there is "
                         "no start script (the Elysia and Hono templates have only dev); the image sets "
                         "NODE_ENV=production")
    for key in ("module", "main"):
        entry = pkg.get(key)
        if isinstance(entry, str) and (root / entry).is_file():
            return Start(("bun", entry), f"package.json {key} ({entry})")
    for name in _ENTRY_FILES:
        if (root / name).is_file():
            return Start(("bun", name), f"{name} in the project")
    return None


# `export default { port: 3000, fetch: app.fetch }` (Hono's Bun adapter) and `Bun.serve({ port: 3000 })`: the port
# the server object names (not a database's `port: 5432` elsewhere in the file); Bun.serve with no port honours PORT
# (then BUN_PORT, NODE_PORT, else 3000).
_SERVE_PORT = re.compile(r"(?:\bserve\(\s*|\bexport\s+default\s*)\{[^{}]*?\bport\s*:\s*['\"]?(\d{4,5})\b")


def serve_port(root: Path, files: list[Path]) -> Port | None:
    """A `port:` an entry file gives its server object, else None."""
    for path in files:
        m = _SERVE_PORT.search(read_text(path))
        if m and 1024 <= int(m.group(1)) <= 65535:
            return Port(int(m.group(1)), f"the server's port option in {path.relative_to(root)}")
    return None
