"""layer-order: copy what changes often late, so a source edit does not re-run slow install layers."""

from __future__ import annotations

import fnmatch
import itertools
import posixpath
import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules.base import Hit, hit, rule
from imgforge.lint.rules.shell import args, commands, is_pip_install, program, subcommand

_MANIFESTS = lazy_re.compile(
    r"(^|/)(requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|"
    r"Pipfile(\.lock)?|"
    r"setup\.(py|cfg)|package(-lock)?\.json|npm-shrinkwrap\.json|yarn\.lock|\.yarnrc(\.yml)?|pnpm-lock\.yaml|"
    r"pnpm-workspace\.yaml|go\.(mod|sum)|Cargo\.(toml|lock)|Gemfile(\.lock)?|composer\.(json|lock)|pom\.xml|"
    r"(build|settings)\.gradle(\.kts)?|gradle\.properties|gradlew|gradle|[\w.-]+\.csproj|packages\.config|"
    r"mix\.(exs|lock)|\.npmrc|\.python-version|\.nvmrc|wheels|wheelhouse|vendor|third_party|deps|requirements|"
    r"patches|\.yarn|\.cargo|symfony\.lock)/?$|"
    # what a vendored-dependencies folder holds (`vendor/gems/`, path gems a Gemfile names) is dependencies too
    r"(^|/)(vendor|third_party)/[\w.-]+/?$")


# Names a manifest glob is tested against: `COPY go.* ./`, `COPY package*.json ./`, `COPY *.csproj .` copy these.
_MANIFEST_NAMES = ("requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json", "go.mod", "go.sum",
                   "Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "app.csproj", "app.sln", "app.fsproj",
                   "pom.xml", "build.gradle", "build.gradle.kts", "composer.json", "composer.lock", "yarn.lock",
                   "poetry.lock", "pyproject.toml", "mix.exs", "mix.lock", "Pipfile", "Pipfile.lock",
                   "pnpm-lock.yaml", "setup.py", "setup.cfg", "packages.config", "Directory.Build.props",
                   "NuGet.Config", "nuget.config")
_CODE_NAMES = ("main.py", "app.py", "main.go", "index.js", "server.js", "main.rs", "Program.cs", "app.rb", "src")
# Destinations that take helper scripts and config overlays, not the project's source tree.
_SYSTEM_DEST = lazy_re.compile(r"^(/|/etc(/.*)?|/(usr/(local/)?)?s?bin(/.*)?|/docker-entrypoint[\w.-]*(/.*)?|"
                               r"/entrypoint[\w.-]*|/usr/share(/.*)?|/usr/local/share(/.*)?|/tmp(/.*)?)$")

_BIN_DEST = lazy_re.compile(r"(^|/)s?bin/?$")  # `ADD bin/start-app bin/`: the project's start scripts


# Files that are never the project's code, and places that take one config or legal file, not a source tree.
_NOT_CODE = lazy_re.compile(
    r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|CONTRIBUTORS|README|CHANGELOG|PATENTS)([-_.][\w.-]*)?$", re.I)
# (not all of /root or /home: an app may live in /home/node/app, but a dot-folder there is a user's config)
# Extension-less names that are single files, not folders of code: build files (Makefile, Justfile) and the
# upper-case names projects give version and metadata files (VERSION, MLX_VERSION, TRITON_VERSION).
_ONE_FILE = lazy_re.compile(r"^((GNU)?[Mm]akefile|Justfile|justfile|Rakefile|Procfile|Brewfile|Caddyfile|Jenkinsfile|"
                            r"Vagrantfile|Dockerfile|[A-Z][A-Z0-9]*(_[A-Z0-9]+)*)$")
_FILE_NAME = lazy_re.compile(r"/[^/]*[^/.]\.[A-Za-z][A-Za-z0-9]{0,5}$")  # mozilla.txt, not app-1.0
_CONFIG_DEST = lazy_re.compile(r"/\.[^/.][^/]*(/|$)")


def _one_file_to_fixed_place(base: str, dest: str) -> bool:
    """True when one named, extension-less operand is a file put at a fixed absolute path, not the source tree: a
    licence or notice, a file given a name with an extension (`COPY LICENSE /licenses/mozilla.txt`; a directory
    would not be), or a file put in /licenses or in a dot-folder (`COPY ssh-config /root/.ssh/config`)."""
    if _NOT_CODE.match(base):
        return True
    if _CONFIG_DEST.search("/" + dest):
        return True  # `COPY initial-condarc "${CONDA_DIR}/.condarc"`: a dot-file or dot-folder takes a user's config
    if not dest.startswith("/"):
        return False
    if dest.startswith(("/licenses/", "/license/")):
        return True
    return "." not in base and bool(_FILE_NAME.search(dest))


# `composer.*`, `symfony.*`, `go.*`: a glob that fixes the stem picks the variants of one file (a manifest and its
# lock), not a tree of code.
_STEM_GLOB = lazy_re.compile(r"^[A-Za-z][\w-]*\.\*$")


def _manifest_glob(base: str) -> bool:
    if not any(ch in base for ch in "*?[") or base in ("*", "*.*"):
        return False
    if any(fnmatch.fnmatchcase(n, base) for n in _CODE_NAMES):
        return False
    return any(fnmatch.fnmatchcase(n, base) for n in _MANIFEST_NAMES) or bool(_STEM_GLOB.match(base))


def copy_operands(ins: Instruction) -> tuple[list[str], str]:
    """The sources and destination of a COPY/ADD."""
    words = list(ins.json_args) if ins.json_args is not None else ins.args.split()
    return (words[:-1], words[-1]) if len(words) > 1 else ([], "")


def source_copy(ins: Instruction) -> bool:
    """True for a COPY/ADD from the build context of whole trees (., src/, *.py) rather than manifests or helpers."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or ins.heredocs:
        return False
    srcs, dest = copy_operands(ins)
    if _SYSTEM_DEST.match(dest.strip("\"'")) or _BIN_DEST.search(dest.strip("\"'")):
        return False  # an entrypoint script or a config overlay into a system folder, scripts into a bin folder
    for src in srcs:
        if "://" in src or len(src) > 1024 or _MANIFESTS.search(src):
            continue
        base = src.rstrip("/").rsplit("/", 1)[-1]
        if _manifest_glob(base) or _ONE_FILE.match(base):
            continue
        if src in (".", "./", "*") or src.endswith("/") or "*" in base:
            return True
        if "." not in base and len(srcs) > 1:
            return True  # several extension-less operands: directories of the project
        if "." not in base and not dest.endswith("/") and dest.rsplit("/", 1)[-1] == base:
            continue  # `COPY run-app /usr/local/bin/run-app`: one helper file to a named path
        if len(srcs) == 1 and _one_file_to_fixed_place(base, dest.strip("\"'")):
            continue  # `COPY LICENSE /licenses/mozilla.txt`, `COPY ssh-config /root/.ssh/config`
        if "." not in base:
            return True
    return False


def _reads_copy(copy: Instruction, run: Instruction) -> bool:
    """True when the RUN uses what the COPY brought in (a checksum list, an install script): order is needed."""
    srcs, dest = copy_operands(copy)
    names = {s.rstrip("/").rsplit("/", 1)[-1] for s in srcs} | {dest.rstrip("/")}
    names = {n for n in names if n and n not in (".", "*", "/", "./") and len(n) > 2}
    return any(n in run.script for n in names)


def dependency_install(cmd: tuple[str, ...]) -> bool:
    """A command that installs a project's dependencies from its manifests."""
    prog, sub = program(cmd), subcommand(cmd)
    if is_pip_install(cmd):
        rest = [w for w in args(cmd) if w not in ("install", "pip")]
        return "-r" in cmd or "--requirement" in cmd or any(w.startswith("--requirement=") for w in cmd) or \
            (bool(rest) and not any(w in (".", "./") or w.startswith((".[", "./")) for w in rest))
    return (prog, sub) in {
        ("npm", "ci"), ("npm", "install"), ("npm", "i"), ("yarn", "install"), ("yarn", ""), ("pnpm", "install"),
        ("poetry", "install"), ("pipenv", "install"), ("uv", "sync"), ("go", "mod"), ("bundle", "install"),
        ("composer", "install"), ("cargo", "fetch"), ("mvn", "dependency:go-offline"), ("dotnet", "restore"),
        ("mix", "deps.get"),
    } and not (prog == "npm" and sub in ("install", "i") and len(args(cmd)) > 1)


def system_install(cmd: tuple[str, ...]) -> bool:
    """An OS package install (apt, apk, dnf, yum, zypper)."""
    prog, sub = program(cmd), subcommand(cmd)
    return (prog in ("apt-get", "apt", "dnf", "microdnf", "yum", "zypper") and sub in ("install", "in")) or \
        (prog == "apk" and sub == "add")


def _download(cmd: tuple[str, ...]) -> bool:
    prog = program(cmd)
    return (prog in ("curl", "wget") and any("://" in w for w in cmd)) or (prog == "git" and subcommand(cmd) == "clone")


def _runs_copied_script(copy: Instruction, run: Instruction) -> bool:
    """True when `copy` brings in one file and `run` executes it as a program (`COPY scripts/prepare /scripts/` then
    `RUN /scripts/prepare`, or `RUN bash /tmp/setup`): a set-up script of the build, not the project's source."""
    srcs, _dest = copy_operands(copy)
    if len(srcs) != 1 or any(ch in srcs[0] for ch in "*?[") or srcs[0].rstrip("/") in (".", "", "*"):
        return False
    name = srcs[0].rstrip("/").rsplit("/", 1)[-1]
    if not name or srcs[0].endswith("/"):
        return False
    for cmd in commands(run.script):
        prog = cmd[0].rsplit("/", 1)[-1] if cmd else ""
        if prog == name or (prog in _INTERPRETERS and any(w.rsplit("/", 1)[-1] == name for w in cmd[1:3])):
            return True
    return False


def _setup_folder(copy: Instruction, run: Instruction, later: list[Instruction]) -> bool:
    """True when `copy` brings one folder that `run` only runs programs from and nothing later reads (`COPY
    base_scripts /bd_build` then `RUN /bd_build/prepare.sh && /bd_build/cleanup.sh`): set-up scripts of the build,
    not the project's source (which a later install or start command would read)."""
    srcs, dest = copy_operands(copy)
    dest = dest.strip("\"'").rstrip("/")
    if len(srcs) != 1 or srcs[0].rstrip("/") in (".", "", "*") or any(ch in srcs[0] for ch in "*?["):
        return False
    if not dest.startswith("/") or dest == "" or "$" in dest or any(dest in o.args for o in later):
        return False
    cmds = [c for c in commands(run.script) if c and c[0] not in ("set", "cd", "chmod")]
    return bool(cmds) and all(c[0].startswith(dest + "/") or (c[0].rsplit("/", 1)[-1] in _INTERPRETERS and len(c) > 1
                                                              and c[1].startswith(dest + "/")) for c in cmds)


_INTERPRETERS = {"sh", "bash", "ash", "dash", "zsh", "python", "python3", "perl", "ruby", "php", "node", "pwsh"}


def _first_after_copy(df: Dockerfile, test: object, *, movable_only: bool = False,
                      ) -> Iterator[tuple[Instruction, Instruction]]:
    for stage in df.stages:
        copy = None
        body = stage.instructions
        for k, ins in enumerate(body):
            if copy is None and source_copy(ins):
                nxt = next((o for o in body[k + 1:] if o.keyword == "RUN"), None)
                if nxt is not None and (_runs_copied_script(ins, nxt) or _setup_folder(
                        ins, nxt, [o for o in body[k + 1:] if o is not nxt])):
                    continue  # a set-up script (or a folder of them) copied and run at once
                copy = ins
            elif copy is not None and ins.keyword == "RUN" and \
                    any(test(c) for c in commands(ins.script)):  # type: ignore[operator]
                if not (movable_only and _reads_copy(copy, ins)):
                    yield copy, ins
                break


def _local_module_copy(df: Dockerfile, copy: Instruction) -> bool:
    """True when every folder the COPY brings in is one the project's go.mod replaces a module with (`replace
    example.com/x/api => ./api`): `go mod download` needs that folder's go.mod, so it is a dependency manifest."""
    srcs, _dest = copy_operands(copy)
    ctx = df.build_context() if srcs else None
    if ctx is None:
        return False
    gomods = [s for stage in df.stages for ins in stage.instructions if ins.keyword in ("COPY", "ADD")
              and ins.flag("from") is None for s in copy_operands(ins)[0] if s.rstrip("/").endswith("go.mod")]
    modules: set[str] = set()
    for gomod in gomods:
        found = ctx.local_modules(gomod)
        folder = posixpath.dirname(posixpath.normpath(gomod.strip("\"'").lstrip("/")))
        modules |= {posixpath.normpath(posixpath.join(folder, m)) for m in found or ()}
    names = [posixpath.normpath(s.strip("\"'").lstrip("/") or ".") for s in srcs]
    return bool(modules) and all(any(n == m or m.startswith(n + "/") for m in modules) for n in names)


def _installed_before(df: Dockerfile, copy: Instruction, run: Instruction) -> bool:
    """True when the manifests already went first: before the COPY of the tree, the stage (or a stage it is built
    on, or one it copies a result from, such as a venv) installed dependencies from manifests with the same tool,
    so the install after the COPY is the project itself (`pip install -e /src` once `pip install -r
    requirements.txt` ran in the base stage). A pip install of named packages (`pip install -U pip`) reads no
    manifest and does not count."""
    tools = {_tool(c) for c in commands(run.script) if dependency_install(c)}
    stage = next((s for s in df.stages if any(i is copy for i in s.instructions)), None)
    if stage is None:
        return False
    todo = [(stage, list(itertools.takewhile(lambda i: i is not copy, stage.instructions)))]
    seen: set[int] = set()
    while todo:
        current, earlier = todo.pop()
        if current.index in seen:
            continue
        seen.add(current.index)
        for ins in earlier:
            if ins.keyword == "RUN" and any(_manifest_install(c) and _tool(c) in tools for c in commands(ins.script)):
                return True
            source = ins.flag("from") if ins.keyword == "COPY" else None
            found = df.stage_by_ref(source) if source else None
            if found is not None:
                todo.append((found, list(found.instructions)))
        if current.base_stage is not None:
            base = df.stages[current.base_stage]
            todo.append((base, list(base.instructions)))
    return False


def _manifest_install(cmd: tuple[str, ...]) -> bool:
    """A dependency install that reads the project's manifests (pip: a requirements file or a project folder)."""
    if not dependency_install(cmd):
        return False
    if not is_pip_install(cmd):
        return True
    return any(w in ("-r", "--requirement", "-c", "--constraint") or w.startswith(("--requirement=", "-r"))
               for w in cmd)


def _tool(cmd: tuple[str, ...]) -> str:
    return "pip" if is_pip_install(cmd) else program(cmd)


@rule("LO001", "layer-order", "warning", "Sources copied before dependencies are installed",
      "Copy only the manifests first (COPY requirements.txt ./ or package.json package-lock.json ./), "
      "install, then COPY the rest.")
def sources_before_deps(df: Dockerfile) -> Iterator[Hit]:
    for copy, run in _first_after_copy(df, dependency_install):
        if _installed_before(df, copy, run) or _local_module_copy(df, copy):
            continue
        yield hit(copy, f"{copy.keyword} of the source tree comes before the dependency install on line {run.line}: "
                        "every source edit invalidates the cache and reinstalls all dependencies")


@rule("LO002", "layer-order", "warning", "Sources copied before OS packages are installed",
      "Install OS packages right after FROM, before any COPY of the source tree.")
def sources_before_packages(df: Dockerfile) -> Iterator[Hit]:
    for copy, run in _first_after_copy(df, system_install, movable_only=True):
        yield hit(copy, f"{copy.keyword} of the source tree comes before the OS package install on line {run.line}: "
                        "every source edit re-runs the package install")


@rule("LO003", "layer-order", "info", "Sources copied before downloads",
      "Move downloads (curl, wget, git clone) above the COPY of the source tree.")
def sources_before_downloads(df: Dockerfile) -> Iterator[Hit]:
    for copy, run in _first_after_copy(df, _download, movable_only=True):
        yield hit(copy, f"{copy.keyword} of the source tree comes before the download on line {run.line}: "
                        "frequently-changing files early make every edit repeat the download")
