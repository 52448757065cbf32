"""What a Node project's build makes and which package.json script makes it: the script the node recipe's build
stage runs, a start command with the build steps it repeats taken off, and start commands that name what a
TypeScript build emits (tsconfig's outDir)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

from imgforge.generate.facts import Start, parse_json, read_text


# The package.json scripts the node recipe's build stage runs, the first the project has: a production variant of
# the build (labasubagia/apollo-server-ts: `"build": "webpack --config webpack.$NODE_ENV.ts"`, `"build:prod":
# "NODE_ENV=production npm run build"`), the build, else a compile script (the Feathers generator's
# `shx rm -rf lib/ && tsc` with `"start": "node lib/"`). The node and bun recipes' build commands name the same list.
BUILD_SCRIPTS = ("build:prod", "build:production", "build", "compile")
# `npm run build`, `yarn build`, `bun run build`: a step that runs a package.json script (group 1).
_RUN_SCRIPT = re.compile(r"(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?([\w:.-]+)")


def _build_steps(scripts: dict[str, str]) -> set[str]:
    """The commands the image's build stage runs: the build script's steps, `npm run X` followed."""
    steps: set[str] = set()
    todo = [next((scripts[name] for name in BUILD_SCRIPTS if scripts.get(name)), "")]
    while todo and len(steps) < 32:
        for step in (s.strip() for s in todo.pop().split("&&")):
            steps.add(step)
            ref = _RUN_SCRIPT.fullmatch(step)
            if ref and ref.group(1) in scripts:
                todo.append(scripts[ref.group(1)])
    return steps - {""}


def after_build(command: str, scripts: dict[str, str]) -> str:
    """`command` without leading build steps (`npm run build && node dist/server.js`; `bun run build:prod && bun
    dist/index.js`; `npm run compile && node …` where compile is `tsc` and the build script runs tsc too): the
    image's build stage (node's or bun's) ran the build already, so the server is what is left."""
    steps = [step.strip() for step in command.split("&&")]
    built = _build_steps(scripts)
    while len(steps) > 1:
        ref = _RUN_SCRIPT.fullmatch(steps[0])
        name = ref.group(1) if ref else None
        if not (name in BUILD_SCRIPTS or steps[0] in built
                or (name in scripts and scripts[name].strip() in built)):
            break
        steps.pop(0)
    return " && ".join(steps)


def build_script(scripts: dict[str, str]) -> str | None:
    """The package.json script the image's build stage runs (the first of BUILD_SCRIPTS), or None."""
    return next((name for name in BUILD_SCRIPTS if scripts.get(name)), None)


def emitted_script(root: Path, command: tuple[str, ...], scripts: dict[str, str]) -> tuple[str, ...]:
    """`command` with a script the sources do not have but a TypeScript build emits (AdonisJS's
    `node bin/server.js` beside bin/server.ts, run from its build/ folder) taken from tsconfig's outDir."""
    at = next((i for i, w in enumerate(command) if w == "node"), None)
    script = next((i for i, w in enumerate(command) if at is not None and i > at and not w.startswith("-")
                   and command[i - 1] not in ("-r", "--require", "--import", "--loader")), None)
    if script is None or build_script(scripts) is None:
        return command
    word = command[script]
    path = Path(os.path.normpath(word))
    if (root / path).exists() or not any((root / path.with_suffix(s)).is_file() for s in (".ts", ".mts", ".tsx")):
        return command
    options = tsconfig_options(root)
    out_dir, root_dir = options.get("outDir"), str(options.get("rootDir") or ".")
    if not isinstance(out_dir, str) or os.path.normpath(root_dir) != ".":
        return command
    target = os.path.normpath(Path(out_dir) / path)
    return (*command[:script], target, *command[script + 1:])


_TS_RUNNERS = ("nodemon", "ts-node", "ts-node-dev", "tsx", "node-dev")


def tsconfig_options(root: Path) -> dict[str, Any]:
    """tsconfig.json's compilerOptions (comments and trailing commas removed, as tsc allows them)."""
    raw = read_text(root / "tsconfig.json")
    text = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", raw, flags=re.S)
    try:
        data = parse_json(re.sub(r",(\s*[}\]])", r"\1", text) or "{}")
    except ValueError:
        return {}
    options = data.get("compilerOptions") if isinstance(data, dict) else None
    return options if isinstance(options, dict) else {}


def compiled_start(root: Path, command: str, scripts: dict[str, str]) -> Start | None:
    """A dev runner over a .ts entry (nodemon src/app.ts) as `node` on what the `build` script's tsc emits."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] not in _TS_RUNNERS or "tsc" not in scripts.get("build", ""):
        return None
    entry = next((w for w in words[1:] if w.endswith((".ts", ".mts")) and (root / w).is_file()), None)
    options = tsconfig_options(root)
    out_dir = options.get("outDir")
    if entry is None or not isinstance(out_dir, str):
        return None
    root_dir = str(options.get("rootDir") or ".")
    rel = Path(os.path.normpath(entry)).relative_to(os.path.normpath(root_dir)) if root_dir not in (".", "./") \
        else Path(entry)
    target = Path(os.path.normpath(Path(out_dir) / rel)).with_suffix(".mjs" if entry.endswith(".mts") else ".js")
    return Start(("node", str(target)), f"scripts.start runs {entry} with {words[0]}; the build script's tsc emits "
                 f"it as {target} (tsconfig outDir)")
