"""toolchain: which commands build, and when the image's job is to build, so its compilers are run-time needs.

MS001/MS002 call a compiler in the final image a build leftover. That is wrong for images whose program is a build
tool (a CI builder step), or which ship source they never built and start a program from inside it (a benchmark
suite that compiles its tests when it runs). Both are told from the Dockerfile alone; an app whose command is an
interpreter (`python app.py`) or a service of its own is never one of them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.parser import substitute
from imgforge.lint.rules.base import per_file
from imgforge.lint.rules.layer_order import copy_operands, source_copy
from imgforge.lint.rules.shell import (
    args,
    commands,
    is_pip_install,
    is_probe,
    operands,
    option_value,
    program,
    runs_script,
    subcommand,
)


def build_step(cmd: tuple[str, ...]) -> bool:
    """A command that compiles or bundles the application."""
    prog, sub = program(cmd), subcommand(cmd)
    if is_probe(cmd):
        return False
    if prog in ("make", "ninja") and args(cmd)[:1] in (["install"], ["clean"], ["uninstall"]):
        return False  # installs or cleans what an earlier step built (or only copies files)
    if prog in ("gcc", "g++", "cc", "c++", "clang", "clang++", "javac", "tsc", "rustc", "make", "ninja"):
        return True
    if prog == "go" and sub in ("build", "install"):
        return True
    if prog == "cargo" and sub in ("build", "install"):
        return True
    if prog in ("mvn", "./mvnw", "mvnw") and any(a in ("package", "install", "verify") for a in args(cmd)):
        return True
    if prog in ("gradle", "gradlew") and any(a in ("build", "assemble", "bootJar", "installDist") for a in args(cmd)):
        return True
    if prog in ("npm", "yarn", "pnpm") and "build" in args(cmd)[:2]:
        return True
    if prog == "dotnet" and sub in ("publish", "build"):
        return True
    if prog == "cmake" and "--build" in cmd:
        return True
    return prog.startswith("python") and "setup.py" in cmd and any(a in ("build", "bdist_wheel") for a in cmd)


# Installers that compile native extensions with whatever compiler the image has (node-gyp, mkmf, setup.py, ...).
_NATIVE_INSTALLERS = {("npm", "install"), ("npm", "ci"), ("npm", "i"), ("yarn", "install"), ("yarn", "add"),
                      ("pnpm", "install"), ("gem", "install"), ("gem", "i"), ("bundle", "install"),
                      ("cabal", "install"), ("go", "get"), ("luarocks", "install"), ("pecl", "install"),
                      ("opam", "install"), ("stack", "install"), ("cpanm", ""), ("cpan", ""),
                      ("docker-php-ext-install", ""), ("configure", "")}


def compiles_at_build(cmd: tuple[str, ...]) -> bool:
    """A build step, or an install that may compile native code (pip, npm, gem, R's install.packages)."""
    prog, sub = program(cmd), subcommand(cmd)
    if build_step(cmd) or is_pip_install(cmd):
        return True
    if (prog, sub) in _NATIVE_INSTALLERS or (prog, "") in _NATIVE_INSTALLERS:
        return True
    if prog == "bundle" and not sub:
        return True  # bare `bundle` installs the Gemfile
    if prog == "vagrant" and args(cmd)[:2] == ["plugin", "install"]:
        return True
    return prog in ("R", "Rscript") and any("install" in w for w in cmd[1:])


# Compilers, build systems and the package managers that build from source: an image whose program is one of these
# is a toolchain image on purpose (a CI builder step such as `ENTRYPOINT ["ballerina"]`) and needs it at run time.
# Tools that only build container images (buildah, kaniko, docker) do not use a compiler and are not here.
_TOOLCHAIN_PROGRAMS = {"go", "gcc", "g++", "cc", "clang", "make", "cmake", "ninja", "mvn", "mvnw", "gradle", "gradlew",
                       "ant", "sbt", "lein", "cargo", "rustc", "dotnet", "javac", "bazel", "bazelisk", "ballerina",
                       "bal", "dart", "flutter", "kotlinc", "scalac", "ghc", "cabal", "stack", "mix", "rebar3", "tsc",
                       "swift", "zig", "nim", "crystal", "webdev", "meson", "scons", "pants", "buck", "buck2", "mill",
                       "xmake", "conan", "opam", "dune", "esy",
                       # drives the build tool the image carries (`jfrog rt mvn`, `jfrog rt gradle`)
                       "jfrog",
                       # deploys a program it first builds with the SDK beside it (`mvn`, `go build`, `dotnet
                       # build`, pip installs of native wheels): Pulumi's language images ship that SDK on purpose
                       "pulumi",
                       # a project's own build script (`build.sh`, `hack/make.sh`)
                       "build", "compile",
                       # release and hook runners that build the project they are given: goreleaser runs `go build`
                       # (and cgo), pre-commit builds each hook's environment (pip, npm, go, cargo) when it runs
                       "goreleaser", "pre-commit"}
_RUNS_APP = {"run", "start", "serve", "exec", "spring-boot:run", "bootRun"}
# An entrypoint script (`docker-entrypoint.sh`, `mvn-entrypoint.sh`) or init that prepares and then runs the command
# it is given: the program is the word after it.
_ENTRY_SCRIPT = lazy_re.compile(r"^([\w.-]+[-_])?entrypoint(\.(sh|bash|ps1|cmd))?$", re.I)
_EXEC_WRAPPERS = {"tini", "/tini", "/sbin/tini", "/usr/bin/tini", "dumb-init", "/usr/bin/dumb-init", "--"}
_SCRIPT_SUFFIX = lazy_re.compile(r"\.(sh|bash|ash|py|pl)$")  # `go.ash`: a wrapper named for its tool
_WORD_SPLIT = lazy_re.compile(r"[-_.]+")


def _entry_words(df: Dockerfile) -> list[str]:
    """ENTRYPOINT then CMD words of the image that ships (shell form split on blanks)."""
    entry = df.entry()
    words: list[str] = []
    for kind in ("ENTRYPOINT", "CMD"):
        given = entry.get(kind)
        if given is not None:
            words += list(given.json_args if given.json_args is not None else given.args.split())
    return words


def _unwrapped(words: list[str]) -> list[str]:
    """`words` past an entrypoint script or init that runs the command after it: `ENTRYPOINT ["mvn-entrypoint.sh"]`
    + `CMD ["mvn"]` sets up, then runs mvn."""
    while len(words) > 1 and (_ENTRY_SCRIPT.match(words[0].rsplit("/", 1)[-1]) or words[0] in _EXEC_WRAPPERS):
        words = words[1:]
    return words


@per_file
def toolchain_entrypoint(df: Dockerfile) -> bool:
    """True when the final image's program is a compiler or build tool (`ENTRYPOINT ["mvn"]`), not `go run`."""
    entry = df.entry()
    given = entry.get("ENTRYPOINT") or entry.get("CMD")
    if given is not None and given.json_args is None:
        # shell form: `/bin/sh -c` runs it as a script, and each of its commands counts (`git clone /repo . && make`)
        return any(_starts_build(tuple(_unwrapped(list(c)))) for c in commands(given.args))
    words = _unwrapped(_entry_words(df))
    if not words:
        return False
    script = _shell_string(words)
    if script is not None:  # `bash -lc "make docs && yarn && hugo server"`: it builds each time it starts
        return any(_starts_build(c) for c in commands(script))
    return _starts_build(tuple(words))


# Project runners whose `run` starts the command after it in the project's environment (`uv run build.sh`).
_PROJECT_RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye"})
# The last word of a build script's name (`repro-build.sh`, `cross_compile.sh`).
_BUILD_SCRIPT_WORDS = frozenset({"build", "compile"})


def _starts_build(words: tuple[str, ...]) -> bool:
    if program(words) in _PROJECT_RUNNERS and subcommand(words) == "run":
        words = tuple(operands(words[words.index("run") + 1:], frozenset()))  # its options (`--frozen`) skipped
    name = _SCRIPT_SUFFIX.sub("", program(words))
    if name != program(words) and _WORD_SPLIT.split(name.lower())[-1] in _BUILD_SCRIPT_WORDS:
        return True  # a script named for the build it runs (`tools/repro-build.sh`)
    return name in _TOOLCHAIN_PROGRAMS and not _RUNS_APP & set(words[1:3])


_SHELL_NAMES = {"sh", "bash", "ash", "dash", "zsh"}


def _shell_string(words: list[str]) -> str | None:
    """The script of an exec-form `["/bin/bash", "-lc", "…"]`, or None when the words are not a shell given -c."""
    if words[0].rsplit("/", 1)[-1] not in _SHELL_NAMES:
        return None
    for k, w in enumerate(words[1:], 1):
        if not w.startswith("-"):
            return None
        if "c" in w[1:] and w[1:].isalpha() and not w.startswith("--"):
            return words[k + 1] if k + 1 < len(words) else None
    return None


# An interpreter running an app (`python app.py`, `node server.js`): its image builds nothing when it runs.
_INTERPRETER = lazy_re.compile(r"^(sh|bash|ash|python[\d.]*|node|nodejs|ruby|perl|php[\d.]*|java|jruby|Rscript|R|lua|"
                               r"deno|bun|dotnet|gunicorn|uwsgi|uvicorn|npm|yarn|pnpm|npx)$")


def env_at(df: Dockerfile, ins: Instruction) -> dict[str, str | None]:
    """The ARG/ENV values the shipped stages set before `ins` (simple `K=V` and `K V` forms)."""
    env: dict[str, str | None] = dict(df.global_args)
    for stage in df.shipped():
        for o in stage.instructions:
            if o.line >= ins.line:
                return env
            update_env(env, o)
    return env


def update_env(env: dict[str, str | None], ins: Instruction) -> None:
    """Apply what an ARG or ENV instruction sets to `env` (other instructions leave it as it is)."""
    if ins.keyword in ("ENV", "ARG") and ins.args.strip():
        pairs = re.findall(r"(?<!\w)([A-Za-z_]\w*)=(\"[^\"]*\"|'[^']*'|\S*)", ins.args)
        if not pairs and ins.keyword == "ENV":
            key, _, value = ins.args.strip().partition(" ")
            pairs = [(key, value.strip())]
        env.update((k, substitute(v.strip("\"'"), env)) for k, v in pairs)


def _path(word: str, workdir: str, env: dict[str, str | None]) -> str:
    word = substitute(word.strip("\"'"), env)
    return posixpath.normpath(posixpath.join(workdir, word))


_CLONE_VALUE_OPTIONS = {"-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "--reference", "-j", "--jobs",
                        "-u", "--upload-pack", "--separate-git-dir", "--shallow-since", "--filter", "--template"}


def _clone_target(cmd: tuple[str, ...]) -> str:
    """The folder `git clone [options] URL [DIR]` fills: DIR, or the URL's last part without `.git`."""
    positional = operands(cmd[cmd.index("clone") + 1:], _CLONE_VALUE_OPTIONS) if "clone" in cmd else []
    if len(positional) >= 2:
        return positional[1]
    url = positional[0].rstrip("/") if positional else ""
    return url.rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git") or "."


def _located(df: Dockerfile) -> Iterator[tuple[Instruction, str]]:
    """Each instruction of the shipped stages with the WORKDIR in effect there."""
    workdir = "/"
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "WORKDIR":
                workdir = _path(ins.args.strip(), workdir, env_at(df, ins))
            yield ins, workdir


Env = dict[str, str | None]


def _run_commands(df: Dockerfile, ins: Instruction, workdir: str) -> Iterator[tuple[tuple[str, ...], str, Env]]:
    """The commands of a RUN, each with the folder it runs in (`cd` followed) and the ARG/ENV values there."""
    env, here = env_at(df, ins), workdir
    for cmd in commands(ins.script):
        rest = args(cmd)
        if program(cmd) == "cd" and rest:
            here = _path(rest[0], here, env)
        yield cmd, here, env


def _inside(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


def _fetched_trees(df: Dockerfile) -> tuple[list[str], str]:
    """Folders the shipped stages fill with source (`git clone URL DIR`, `tar -x -C DIR`, `COPY src/ DIR`), and the
    final WORKDIR."""
    trees: list[str] = []
    workdir = "/"
    for ins, workdir in _located(df):
        if source_copy(ins):
            trees.append(_path(copy_operands(ins)[1], workdir, env_at(df, ins)))
        elif ins.keyword == "RUN":
            for cmd, here, env in _run_commands(df, ins, workdir):
                prog, rest = program(cmd), args(cmd)
                if prog == "git" and rest[:1] == ["clone"]:
                    trees.append(_path(_clone_target(cmd), here, env))
                elif prog == "tar" and (target := option_value(cmd, "-C", "--directory")) is not None:
                    trees.append(_path(target, here, env))
    return trees, workdir


@per_file
def runs_unbuilt_source(df: Dockerfile) -> bool:
    """True when the image brings in source, never compiles anything, and starts a program (not a service, not an
    interpreter) inside that tree or with it as WORKDIR: it builds when it runs (a benchmark suite's `Run`), so the
    compiler it installs is a run-time need."""
    words = _entry_words(df)
    name = words[0].rsplit("/", 1)[-1] if words else ""
    if not name or _INTERPRETER.match(name) or name in _TOOLCHAIN_PROGRAMS:
        return False  # an app run by an interpreter, or `go run .` (toolchain_entrypoint judges build tools)
    if any(ins.keyword == "EXPOSE" for stage in df.shipped() for ins in stage.instructions):
        return False  # a service: what it compiles, it could have compiled at build time
    shipped_runs = [ins for stage in df.shipped() for ins in stage.instructions if ins.keyword == "RUN"]
    if any(compiles_at_build(c) for ins in shipped_runs for c in commands(ins.script)):
        return False  # the compiler has a build-time use: whether it still ships is MS001's question
    trees, workdir = _fetched_trees(df)
    start = posixpath.normpath(posixpath.join(workdir, words[0])) if "/" in words[0] else workdir
    return any(_inside(start, t) for t in trees if t != "/")


def _copied_from_context(df: Dockerfile, start: str) -> bool:
    """True when a COPY/ADD of the build context in the shipped stages puts the file `start` names there (a path,
    or a bare name found on PATH, matched by file name)."""
    for ins, workdir in _located(df):
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None and not ins.heredocs:
            srcs, dest = copy_operands(ins)
            target = _path(dest, workdir, env_at(df, ins))
            into = dest.endswith("/") or len(srcs) > 1
            wanted = _path(start, workdir, {}) if "/" in start else None  # a bare name: found on PATH
            for src in (s for s in srcs if "://" not in s):
                placed = posixpath.join(target, src.rstrip("/").rsplit("/", 1)[-1]) if into else target
                if placed == wanted if wanted else placed.rsplit("/", 1)[-1] == start:
                    return True
    return False


def _unbuilt_clones(df: Dockerfile) -> list[str]:
    """Folders a shipped RUN clones source into that no build step works in or names, and no RUN deletes: source
    kept for later (`git clone .../wireguard-linux-compat.git /wireguard`, built by the entrypoint)."""
    trees: list[str] = []
    built: list[str] = []
    removed: list[str] = []
    for ins, workdir in _located(df):
        if ins.keyword != "RUN":
            continue
        for cmd, here, env in _run_commands(df, ins, workdir):
            prog, rest = program(cmd), args(cmd)
            if prog == "cd":
                continue  # _run_commands followed it
            if prog == "git" and rest[:1] == ["clone"]:
                # (not an unpacked download: that is mostly a prebuilt release; not a clone into a dot-folder:
                # editor plugins and dotfiles are not built)
                tree = _path(_clone_target(cmd), here, env)
                trees += [] if "/." in tree else [tree]
            elif prog == "rm":
                removed += [_path(w, here, env) for w in rest]
            elif _builds(cmd):
                where = option_value(cmd, "-C", "--directory") if prog == "make" else None
                built.append(_path(where, here, env) if where else here)
                built += [_path(w, here, env) for w in rest if "/" in w]  # `make -f /src/x/Makefile`
    return [t for t in trees if t != "/" and not any(_inside(b, t) for b in built)
            and not any(_inside(t, r) for r in removed)]


def _builds(cmd: tuple[str, ...]) -> bool:
    """Broader than `build_step`, to err towards "built": any build tool, installer or script run on a tree."""
    return build_step(cmd) or compiles_at_build(cmd) or runs_script(cmd) or \
        (program(cmd) in _TOOLCHAIN_PROGRAMS and not is_probe(cmd))


@per_file
def builds_cloned_source_at_start(df: Dockerfile) -> bool:
    """True when the image keeps source it cloned but never built and starts through a script of its own, with no
    port to serve: the script builds that source when the container runs (a kernel-module installer compiling
    against the host's headers), so the compiler is a run-time need even where other trees were built at build
    time."""
    words = _entry_words(df)
    if not words or any(ins.keyword == "EXPOSE" for stage in df.shipped() for ins in stage.instructions):
        return False  # a service: what it compiles, it could have compiled at build time
    return _copied_from_context(df, words[0]) and bool(_unbuilt_clones(df))
