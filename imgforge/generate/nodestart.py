"""A Node project's start command (Procfile, then `scripts.start` as plain `node …`, then `main`) and whether it
is front-end only (a build script and no server)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

from imgforge.generate.facts import Start, parse_json, procfile_web, read_text, shell, source_files
from imgforge.generate.nodebuild import after_build, compiled_start, emitted_script

# Packages that mean "this project runs a server", so it is not a static front-end.
SERVER_PACKAGES = frozenset({
    "express", "fastify", "koa", "@hapi/hapi", "hapi", "@nestjs/core", "next", "nuxt", "hono", "@hono/node-server",
    "restify", "polka", "micro", "@remix-run/serve", "@remix-run/express", "@react-router/serve",
    "@react-router/express", "socket.io", "ws", "@adonisjs/core",
    "sails", "@feathersjs/feathers", "@strapi/strapi", "loopback", "@sveltejs/adapter-node", "h3", "@apollo/server",
    "apollo-server", "json-server", "@astrojs/node", "@solidjs/start", "nitropack",
})
# Static site generators whose pages are not html files (src/pages/index.astro, docs/*.md): with a build script
# and no server package, the build output is the site.
_STATIC_GENERATORS = frozenset({"astro", "@docusaurus/core", "vitepress"})
# Start scripts of front-end tools: a dev or preview server, or a static file server over the build output
# (sveltejs/template's `sirv public`), not a server of the project's own.
_DEV_SERVERS = ("vite", "react-scripts", "ng ", "vue-cli-service", "parcel", "webpack", "astro", "serve ", "next dev",
                "http-server", "live-server", "snowpack", "gatsby", "docusaurus ", "sirv ", "vitepress")
_ENTRY_FILES = ("server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs", "src/server.js",
                "src/index.js", "dist/server.js", "dist/index.js")


def package_json(root: Path) -> dict[str, Any]:
    """package.json as a mapping ({} when missing or not a JSON object)."""
    try:
        data = parse_json(read_text(root / "package.json") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def scripts_of(pkg: dict[str, Any]) -> dict[str, str]:
    """package.json's scripts that are strings (the rest is not a command)."""
    scripts = pkg.get("scripts")
    return {k: v for k, v in scripts.items() if isinstance(v, str)} if isinstance(scripts, dict) else {}


def frontend_only(root: Path) -> bool:
    """A build script, an index.html, no server package, and no start script beyond a dev/preview server."""
    pkg = package_json(root)
    scripts = scripts_of(pkg)
    if "build" not in scripts:
        return False
    if SERVER_PACKAGES & _deps(pkg) or not node_app(root):
        return False
    start = scripts.get("start", "")
    if start and not _dev_server(start, scripts):
        return False
    if procfile_web(root):
        return False
    # Vite, CRA and Angular keep index.html at the root, in public/ or src/; a webpack or Parcel project's
    # html template may sit anywhere in its own sources (src/templates/index.html), as may a server's page, so
    # there a `main` that exists (a server's entry point) says it is not front-end only.
    if any((root / p).is_file() for p in ("index.html", "public/index.html", "src/index.html")):
        return True
    if _STATIC_GENERATORS & _deps(pkg):
        return True
    main = pkg.get("main")
    if isinstance(main, str) and (root / main).is_file():
        return False
    return any(path.name == "index.html" for path in source_files(root, (".html",)))


# Files that make a folder a Python project (its package.json, if any, may be tooling only).
_PYTHON_MARKERS = ("manage.py", "requirements.txt", "pyproject.toml", "setup.py", "Pipfile")


def _deps(pkg: dict[str, Any]) -> set[str]:
    return {name for key in ("dependencies", "devDependencies") if isinstance(table := pkg.get(key), dict)
            for name in table}


def _python_project(root: Path) -> bool:
    return any((root / name).is_file() for name in _PYTHON_MARKERS)


def node_app(root: Path) -> bool:
    """Whether package.json describes a Node program, not tooling beside a Python project.

    A Django or Flask site often has a package.json only for linters, prettier or an asset bundler; such a
    project (Python markers, and no start script, no existing `main`, no server package, no Procfile `web:`
    running node) is the Python project it looks like.
    """
    if not _python_project(root):
        return True
    pkg = package_json(root)
    scripts = scripts_of(pkg)
    web = procfile_web(root)
    if web:
        return _node_command(web, scripts) is not None
    main = pkg.get("main")
    return bool("start" in scripts or SERVER_PACKAGES & _deps(pkg)
                or (isinstance(main, str) and (root / main).is_file()))


def _dev_server(command: str, scripts: dict[str, str], depth: int = 0) -> bool:
    """Whether a start script only runs a front-end dev or preview server (following `npm run X`)."""
    steps = [step.strip() for step in re.split(r"&&|;", command) if step.strip()]
    for step in steps:
        ref = re.match(r"^(?:npm|yarn|pnpm)\s+(?:run\s+)?([\w:.-]+)", step)
        if step.startswith(_DEV_SERVERS):
            return True
        if ref and ref.group(1) in scripts and depth < 3 and _dev_server(scripts[ref.group(1)], scripts, depth + 1):
            return True
    return False


def env_prefix(words: list[str]) -> list[str]:
    """Take the leading `NAME=value` assignments (also after `cross-env`) off `words`, and return them."""
    env = []
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        env.append(words.pop(0))
    if words[:1] == ["cross-env"]:
        words.pop(0)
        while words and "=" in words[0]:
            env.append(words.pop(0))
    return env


def _node_command(command: str, scripts: dict[str, str], depth: int = 0,
                  bins: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """`command` as a plain `node …` exec form (npm run X followed, env assignments kept), else None. A command
    named after a production dependency (`next start`, `pm2-runtime app.js`; `bins`) runs that package's
    executable from node_modules/.bin, which the runtime's production tree keeps."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if "&&" in words or ";" in words or "|" in words:
        return None
    env = env_prefix(words)
    if not words:
        return None
    if words[0] in ("npm", "yarn", "pnpm") and depth < 3:
        rest = words[2:] if words[1:2] == ["run"] else words[1:]
        if rest and rest[0] in scripts:
            return _node_command(scripts[rest[0]], scripts, depth + 1, bins)
        return None
    if _provided(words[0], bins):
        words[0] = f"./node_modules/.bin/{words[0]}"
    elif words[0] != "node":
        return None
    return (("/usr/bin/env", *env) if env else ()) + tuple(words)


def _provided(word: str, bins: frozenset[str]) -> bool:
    """Whether `word` is an executable the production dependencies install: a name in `bins`, or two or more
    words all taken from a scoped package's name (`remix-serve` from `@remix-run/serve`)."""
    if word in bins:
        return True
    parts = set(word.split("-"))
    return len(parts) > 1 and any(parts <= set(re.split(r"[@/-]", name)) for name in bins if name.startswith("@"))


# Servers that listen on the address a variable names, which their own templates set to localhost (AdonisJS's
# .env.example `HOST=localhost`, validated as required by its start/env.ts): in a container that address must be
# every interface, or no probe reaches it.
_HOST_VARIABLES = {"@adonisjs/core": "HOST"}


def _without_env_files(command: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """`command` without node's `--env-file` options naming a .env file (`node --env-file=.env dist/index.js`):
    .dockerignore keeps .env and .env.* out of every image, and node exits when the file is missing; the variables
    come from the manifest's env instead. `--env-file-if-exists` is kept."""
    words, dropped = list(command), []
    for i, word in reversed(list(enumerate(words))):
        name = word.partition("=")[2] if word.startswith("--env-file=") else \
            words[i + 1] if word == "--env-file" and i + 1 < len(words) else None
        if name is not None and re.fullmatch(r"\.env(?:\..*)?", Path(name).name):
            del words[i:i + (1 if "=" in word else 2)]
            dropped.append(name)
    why = [f"--env-file {', '.join(dropped[::-1])} dropped: .env files are kept out of the image (set the "
           "variables in manifest.env)"] if dropped else []
    return tuple(words), why


def _container_env(pkg: dict[str, Any], command: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """`command` with the variables a container needs (unless the command sets them), and why each: the
    listen address of a server in `_HOST_VARIABLES`, and PM2_HOME for pm2-runtime, which keeps its state in
    ~/.pm2 (the home of the image's user is /, on the read-only root; /tmp is an emptyDir)."""
    env: dict[str, tuple[str, str]] = {}
    if var := next((v for name, v in _HOST_VARIABLES.items() if name in _deps(pkg)), None):
        env[var] = ("0.0.0.0", f"{var}=0.0.0.0: AdonisJS's template listens on localhost")
    if any(Path(w).name == "pm2-runtime" for w in command):
        env["PM2_HOME"] = ("/tmp/.pm2", "PM2_HOME=/tmp/.pm2: pm2-runtime writes its state in ~/.pm2, and the "
                                        "home is / on the read-only root")
    added = {k: v for k, v in env.items() if not any(w.startswith(f"{k}=") for w in command)}
    if not added:
        return command, []
    words = [f"{k}={value}" for k, (value, _) in added.items()]
    rest = command[1:] if command[:1] == ("/usr/bin/env",) else command
    return ("/usr/bin/env", *words, *rest), [why for _, why in added.values()]


# Executables named apart from their package, for lockfiles that do not list `bin` (package-lock v1, yarn, pnpm):
# pm2's container runner (pm2's package.json `bin`).
_KNOWN_BINS = {"pm2": ("pm2-runtime", "pm2-docker")}


def _production_bins(root: Path, pkg: dict[str, Any]) -> frozenset[str]:
    """Executable names the production dependencies may install in node_modules/.bin.

    A package's executable is often not its name: `@react-router/serve` installs `react-router-serve`,
    `@remix-run/serve` `remix-serve`, `pm2` also `pm2-runtime`. package-lock.json (v2, v3) lists each package's
    `bin`; without it, the name and a scoped name joined with its scope (`@scope/x` → `scope-x`) stand in, and
    `_provided` also takes words of a scoped name (`remix-serve`).
    """
    production = pkg.get("dependencies")
    names = {name for name in production if isinstance(name, str)} if isinstance(production, dict) else set()
    bins = set(names)
    bins |= {name[1:].replace("/", "-") for name in names if name.startswith("@") and "/" in name}
    bins |= {b for name in names for b in _KNOWN_BINS.get(name, ())}
    try:
        lock = parse_json(read_text(root / "package-lock.json", limit=64_000_000) or "{}")
    except ValueError:
        lock = {}
    packages = lock.get("packages") if isinstance(lock, dict) else None
    for name in names:
        entry = packages.get(f"node_modules/{name}") if isinstance(packages, dict) else None
        listed = entry.get("bin") if isinstance(entry, dict) else None
        if isinstance(listed, dict):
            bins |= {b for b in listed if isinstance(b, str)}
    return frozenset(bins)


# Frameworks whose build script writes a self-contained Node server, and where (their own docs' production start;
# each honours PORT). Nitro (Nuxt 3+, SolidStart, Nitro itself) writes .output/server/index.mjs; SvelteKit's
# adapter-node writes build/ (svelte.config.js may name another `out`); Astro's node adapter (standalone mode)
# writes dist/server/entry.mjs and listens on localhost unless HOST says otherwise.
_NITRO = ".output"  # Nitro bundles the server's dependencies into .output/server/node_modules
_FRAMEWORK_SERVERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("nuxt", ("node", ".output/server/index.mjs"), "Nuxt's build (Nitro) writes its server to .output/server"),
    ("@solidjs/start", ("node", ".output/server/index.mjs"), "SolidStart's build (Nitro) writes its server to "
     ".output/server"),
    ("nitropack", ("node", ".output/server/index.mjs"), "Nitro's build writes its server to .output/server"),
    ("@sveltejs/adapter-node", ("node", "build"), "SvelteKit's adapter-node writes its server to build/"),
    ("@astrojs/node", ("/usr/bin/env", "HOST=0.0.0.0", "node", "dist/server/entry.mjs"),
     "Astro's node adapter writes its standalone server to dist/server/entry.mjs (HOST=0.0.0.0: it listens on "
     "localhost otherwise)"),
)
_SVELTE_OUT = re.compile(r"""adapter\(\s*\{[^}]*?\bout\s*:\s*['"]([\w./-]+)['"]""", re.S)


def _framework_server(root: Path, pkg: dict[str, Any]) -> Start | None:
    """The production server a framework's build writes, for a project with no start script of its own."""
    deps = _deps(pkg)
    for package, command, why in _FRAMEWORK_SERVERS:
        if package not in deps:
            continue
        if package == "@sveltejs/adapter-node":
            config = read_text(root / "svelte.config.js") or read_text(root / "svelte.config.ts")
            if m := _SVELTE_OUT.search(config):
                out = os.path.normpath(m.group(1))
                return Start(("node", out), f"SvelteKit's adapter-node writes its server to {out}/ (svelte.config "
                             "out); the build script runs it")
        bundle = _NITRO if command[-1].startswith(f"{_NITRO}/") else None
        return Start(command, f"{why}; the build script runs it", bundle)
    return None


# Next.js writes a standalone server (.next/standalone/server.js with only the node_modules files its pages use,
# found by its output file tracing) when the config says `output: "standalone"`, or, from 13.4 on (checked in the
# releases' config-shared.js), when NEXT_PRIVATE_STANDALONE is set at build time: the image then needs neither the
# production node_modules (651 MB for a Next test project) nor npm. A static export (`output: "export"`) has no
# server; another explicit `output` is the project's own choice.
NEXT_STANDALONE = ".next/standalone"
_NEXT_OUTPUT = re.compile(r"""\boutput\s*:\s*['"`](\w+)['"`]""")
_NEXT_DIST = re.compile(r"""\bdistDir\s*:\s*['"`]([\w./-]+)['"`]""")


def _next_start(command: tuple[str, ...]) -> bool:
    words = [w for w in command if not w.startswith("-")]
    return "./node_modules/.bin/next" in words and words[words.index("./node_modules/.bin/next") + 1:][:1] == ["start"]


def _next_version(spec: object) -> tuple[int, int] | None:
    m = re.search(r"(\d+)(?:\.(\d+))?", spec) if isinstance(spec, str) else None
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


def _next_bin(pkg: dict[str, Any]) -> Start | None:
    production = pkg.get("dependencies")
    if isinstance(production, dict) and "next" in production:
        return Start(("./node_modules/.bin/next", "start"), "Next.js's production server (next start)")
    return None


def next_standalone(root: Path, pkg: dict[str, Any]) -> Start | None:
    """Next.js's standalone server, for a project served by `next start` whose Next can write it, else None."""
    production = pkg.get("dependencies")
    spec = production.get("next") if isinstance(production, dict) else None
    if spec is None:
        return None
    version = _next_version(spec)
    if version is not None and version < (13, 4) and not re.match(r"^(?:latest|canary|rc)$", str(spec)):
        return None
    output = _NEXT_OUTPUT.search(_next_config(root))
    if output and output.group(1) != "standalone":
        return None
    folder = f"{next_dist_dir(root)}/standalone"
    return Start(("/usr/bin/env", "HOSTNAME=0.0.0.0", "node", f"{folder}/server.js"),
                 f"Next.js's standalone server, which its build writes to {folder} (NEXT_PRIVATE_STANDALONE "
                 "at build time; HOSTNAME=0.0.0.0: it listens on the container's hostname otherwise)", folder)


def _next_config(root: Path) -> str:
    return next((read_text(root / n) for n in ("next.config.js", "next.config.mjs", "next.config.ts",
                                                "next.config.cjs") if (root / n).is_file()), "")


def next_dist_dir(root: Path) -> str:
    """The folder Next.js builds into: next.config's `distDir`, else .next."""
    m = _NEXT_DIST.search(_next_config(root))
    folder = os.path.normpath(m.group(1)) if m else ".next"
    return folder if not folder.startswith(("..", "/")) else ".next"


def is_next_standalone(bundle: str | None) -> bool:
    """Whether a start command's bundle is Next.js's standalone folder (<distDir>/standalone)."""
    return bundle is not None and bundle.endswith("/standalone")


def node_start(root: Path, standalone: bool = True) -> Start | None:
    """The start command of the Node project at `root` (no npm at run time), or None; `standalone` False keeps a
    Next.js app on `next start` (a workspace member, whose standalone output nests the workspace's layout)."""
    pkg = package_json(root)
    scripts = scripts_of(pkg)
    web = procfile_web(root)
    if web:
        plain = _node_command(web, scripts)
        return Start(plain or shell(web), "Procfile web: process")
    start = scripts.get("start")
    bins = _production_bins(root, pkg)
    if start and _dev_server(start, scripts):
        # `next dev` as the start script (timlrx/tailwind-nextjs-starter-blog) is the developer's loop, not the
        # production server: what the framework's build makes is looked for below instead.
        start = None
    if start:
        plain = _node_command(after_build(start, scripts), scripts, bins=bins)
        if plain and standalone and _next_start(plain) and (server := next_standalone(root, pkg)):
            return server
        if plain:
            emitted = emitted_script(root, plain, scripts)
            run, notes = _container_env(pkg, emitted)
            run, dropped = _without_env_files(run)
            notes += dropped
            how = "its package's executable" if any(w.startswith("./node_modules/.bin/") for w in plain) \
                else "plain node"
            if emitted != plain:
                built = next(new for old, new in zip(plain, emitted, strict=True) if old != new)
                notes.insert(0, f"the script runs as {built}, the build's output (tsconfig outDir; the sources "
                             "have only the .ts)")
            return Start(run, f"package.json scripts.start ({start!r}) run as {how}, without npm"
                         + "".join(f"; {note}" for note in notes))
        compiled = compiled_start(root, start, scripts)
        if compiled:
            return compiled
    # A CLI-run start (NestJS's `nest start`) often has its production form beside it: `start:prod`.
    for name in ("start:prod", "start:production", "serve:prod"):
        command = scripts.get(name)
        plain = _node_command(after_build(command, scripts), scripts, bins=bins) if command else None
        if plain:
            return Start(plain, f"package.json scripts.{name} ({command!r}) run as plain node, without npm "
                         f"(scripts.start{f' ({start!r})' if start else ''} is not)")
    if "build" in scripts and (framework := _framework_server(root, pkg) or (
            next_standalone(root, pkg) if standalone else _next_bin(pkg))):
        return framework
    main = pkg.get("main")
    if isinstance(main, str) and (root / main).is_file():
        return Start(("node", main), f"package.json main ({main})")
    for name in _ENTRY_FILES:
        if (root / name).is_file():
            return Start(("node", name), f"{name} in the project")
    return None


def entry_files(root: Path, start: Start | None) -> list[Path]:
    """Files of `start`'s command that exist in the project (read first for the port)."""
    if start is None:
        return []
    # A PasteDeploy .ini (`pserve production.ini`) states the port in its [server:main]; Bun runs .ts files itself.
    files = [root / w for w in start.entrypoint
             if (root / w).is_file() and w.endswith((".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".py", ".ini"))]
    words = list(start.entrypoint)
    if "-m" in words[:-1]:
        # `python3 -m pkg.mod`: pkg/mod.py or pkg/mod/__main__.py, at the root or under src/.
        module = words[words.index("-m") + 1].replace(".", "/")
        for base in (root, root / "src"):
            files += [p for p in (base / f"{module}.py", base / module / "__main__.py") if p.is_file()]
    return files
