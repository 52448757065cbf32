"""multistage: compilers and SDKs belong in a build stage, not in the image that ships."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint import lazy_re
from imgforge.lint.context import STARTUP_PIP_INSTALL
from imgforge.lint.model import Dockerfile, Instruction, Stage
from imgforge.lint.rules.base import Hit, hit, per_file, rule
from imgforge.lint.rules.effects import run_effects
from imgforge.lint.rules.entry import start_script_ends_with, start_script_programs
from imgforge.lint.rules.shell import commands
from imgforge.lint.rules.toolchain import (
    build_step,
    builds_cloned_source_at_start,
    runs_unbuilt_source,
    toolchain_entrypoint,
)

_SDK_REPOS = {"golang", "gcc", "rust", "maven", "gradle", "buildpack-deps", "sdk", "python-dev", "swift", "haskell",
              "clojure", "openjdk", "eclipse-temurin", "amazoncorretto", "mono", "sbt"}
# Compilers and SDKs only: a `-dev` header package alone is not a toolchain (and many runtime names end in -dev).
_BUILD_PACKAGES = lazy_re.compile(
    r"^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|gcc-c\+\+|clang(-\d+)?|cmake|autoconf|automake|"
    r"libtool|golang(-go)?|golang-\d[\d.]*(-go)?|rustc|cargo|maven|gradle|openjdk-\d+-jdk(-headless)?|"
    r"java-[\d.]+-openjdk-devel|dotnet-sdk-[\d.]+)$")
# A Dockerfile whose path or final stage says it is a toolchain image is one on purpose.
_SDK_WORDS = r"(sdk|devel|dev|toolchain|builder|build|buildpack|buildpack-deps|ci|compiler|jdk)"
# A folder of them counts too (`builders/linux.arm64/`, `toolchains/`, `sdks/`).
_SDK_NAMED = lazy_re.compile(rf"^([\w.]+[-_.])?({_SDK_WORDS}|builders|toolchains|compilers|sdks)[\d.]*([-_.][\w.]+)?$",
                             re.I)
_SDK_FILE = lazy_re.compile(rf"^(Dockerfile[-_.]{_SDK_WORDS}|{_SDK_WORDS}[-_.]Dockerfile)$", re.I)


# `nvidia/cuda:12.4.1-devel-ubuntu22.04`, `:devel`: the flavour is a word of the tag; a branch tag such as
# `:develop` or `:development` names no toolchain.
_DEVEL_TAG = lazy_re.compile(r"(^|[-_.])devel([-_.]|$)")
_CURL_OR_SCM = lazy_re.compile(r"(^|[-_.])(curl|scm)$")


def sdk_image(image: str) -> bool:
    """True for images that are toolchains (golang, gcc, maven, dotnet/sdk, *-jdk tags, python-dev)."""
    name, _, tag = image.split("@")[0].rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    repo = name.rsplit("/", 1)[-1].lower()
    tag = tag.lower()
    if repo in ("openjdk", "eclipse-temurin", "amazoncorretto"):
        return "jre" not in tag
    if repo == "buildpack-deps" and _CURL_OR_SCM.search(tag):
        return False  # the curl and scm variants add curl, wget, git and CA certificates, no compiler
    return repo in _SDK_REPOS or "jdk" in tag or _DEVEL_TAG.search(tag) is not None or tag.endswith("-sdk")


def _build_packages(ins: Instruction) -> list[str]:
    """Toolchain packages this RUN installs and does not purge before it ends."""
    return [p for p in run_effects(ins.script).kept if _BUILD_PACKAGES.match(p)]


def _stage_label(stage: Stage) -> str:
    return f"stage {stage.name!r}" if stage.name else f"stage {stage.index}"


_SHELLS = lazy_re.compile(r"^(/bin/|/usr/bin/|/usr/local/bin/)?(sh|bash|ash|zsh|python[\d.]*|node|irb|jshell|ghci|iex|"
                          r"erl|julia|R|pwsh|powershell(\.exe)?|cmd(\.exe)?|php|ruby|perl|lua|jshell|scala|groovysh|pypy[\d.]*|"
                          r"clj|clojure)$")


# Commands that only keep a container alive: `docker exec` (a dev or build environment) or a child image's CMD
# gives the program, as for a shell.
_IDLE = frozenset({("tail", "-f", "/dev/null"), ("tail", "-F", "/dev/null"), ("sleep", "infinity"),
                   ("sleep", "inf")})


def _interactive(ins: Instruction) -> bool:
    """True for a command that runs nothing of its own: a shell or REPL, or an idle keep-alive."""
    words = ins.json_args if ins.json_args is not None else tuple(ins.args.split())
    if words and (words[0].rsplit("/", 1)[-1], *words[1:]) in _IDLE:
        return True
    return bool(words) and bool(_SHELLS.match(words[0])) and (len(words) == 1 or words[1:] in (("-a",), ("-i",)))



# `gcr.io/cloud-builders/go`, `paketobuildpacks/builder`: a folder named for builders holds images to extend.
_BUILDER_FOLDER = lazy_re.compile(r"(^|[-_.])builders?$", re.I)


# Init and privilege wrappers that run the command they are given (`hack/dind` is docker-in-docker's).
_WRAPPERS = {"tini", "tini-static", "dumb-init", "catatonit", "gosu", "su-exec", "dind"}


def _wrapper_only(ins: Instruction) -> bool:
    words = ins.json_args if ins.json_args is not None else tuple(ins.args.split())
    return bool(words) and words[0].rsplit("/", 1)[-1] in _WRAPPERS and all(w.startswith("-") for w in words[1:])


def _extends_builder(image: str) -> bool:
    folders = image.split("@")[0].split("/")[:-1]
    return any(_BUILDER_FOLDER.search(f) for f in folders[1:] if f)


@per_file
def is_base_image(df: Dockerfile) -> bool:
    """True for images meant to be extended: no CMD/ENTRYPOINT in what ships, or named like an SDK/builder."""
    shipped = df.shipped()
    if any(ins.keyword == "ONBUILD" for stage in shipped for ins in stage.instructions):
        return True  # ONBUILD triggers exist only to run in the images built FROM this one
    entry = [ins for stage in shipped for ins in stage.instructions if ins.keyword in ("CMD", "ENTRYPOINT")]
    cmd = [ins for ins in entry if ins.keyword == "CMD"]
    if not entry or (cmd and _interactive(cmd[-1]) and
                     all(e.keyword == "CMD" or "entrypoint" in e.args.lower() for e in entry)):
        return True  # nothing to serve, a shell/REPL to start from (debian's CMD ["bash"]) or an idle keep-alive
    if not cmd and _interactive(entry[-1]):
        return True  # nothing to serve, or a shell/REPL to start from (debian's CMD ["bash"], python's python3)
    if not cmd and not any(w.strip() for w in (entry[-1].json_args or ())) and entry[-1].json_args is not None:
        return True  # `ENTRYPOINT [""]` clears the base's and names no program: the user gives one, as for a base
    if not cmd and _wrapper_only(entry[-1]):
        return True  # `ENTRYPOINT ["tini", "--"]` alone names no program: the user gives it, as for a base
    final = df.final
    if final is not None and _extends_builder(final.image):
        return True  # FROM a builder image (gcr.io/cloud-builders/go): the result is a builder step too
    *folders, file = df.path.replace("\\", "/").split("/")
    return bool(_SDK_FILE.match(file) or any(_SDK_NAMED.match(d) for d in folders[-2:])
                or (final is not None and final.name and _SDK_NAMED.match(final.name)))


@rule("MS001", "multistage", "warning", "Final image ships compilers or SDKs",
      "Build in a stage `FROM <sdk> AS build`, then `COPY --from=build` only the artifacts into a slim runtime "
      "stage.")
def sdk_in_final(df: Dockerfile) -> Iterator[Hit]:
    shipped = df.shipped()
    if not shipped:
        return
    # What to report first, the reasons not to only then: most images have nothing to report, and the reasons
    # (entrypoint, unbuilt and cloned sources) are the costlier half (this rule was the linter's costliest).
    found: list[Hit] = []
    root = shipped[0]
    if sdk_image(root.image):
        found.append(Hit(root.line, root.line, f"the final image is based on {root.image[:60]}, a toolchain image: "
                                               "compilers and SDKs add hundreds of MB and attack surface at run time"))
    jit: bool | None = None
    notebook: bool | None = None
    desktop: bool | None = None
    for stage in shipped:
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                pkgs = _build_packages(ins)
                if pkgs and jit is None:
                    jit = _jit_compiling(df)
                if pkgs and notebook is None:
                    notebook = _notebook_server(df)
                if pkgs and desktop is None:
                    desktop = _remote_desktop(df)
                if pkgs and not notebook and not desktop and not (jit and all(_C_COMPILERS.match(p) for p in pkgs)):
                    found.append(hit(ins, f"the final image installs build tools ({', '.join(pkgs[:4])}) and this "
                                          "RUN does not remove them, so they ship although nothing needs them at run "
                                          "time"))
    if not found or is_base_image(df) or toolchain_entrypoint(df) or runs_unbuilt_source(df) or \
            builds_cloned_source_at_start(df) or (len(df.stages) == 1 and any(_single_stage_builds(df))) or \
            _hosts_given_command(df) or _builds_kernel_modules(df) or _start_script_builds(df) or _ci_runner(df) or \
            _ships_luarocks(df):
        return  # a base, SDK, builder or CI runner image ships its toolchain on purpose; MS002 covers single-stage
        # builds
    yield from found


# Compilers and build tools a start script runs to build the code it is given (not `dotnet app.dll`, which runs).
# (lein, clj, sbt: a Clojure or Scala image's start script hands its command to the build tool, the image's point)
_START_BUILDERS = frozenset({"go", "gcc", "g++", "cc", "clang", "cargo", "rustc", "javac", "mvn", "mvnw", "gradle",
                             "gradlew", "tsc", "cmake", "ninja", "make", "zig", "lein", "clj", "clojure", "sbt",
                             # goreleaser runs `go build`; pre-commit builds its hooks' environments (native wheels)
                             "goreleaser", "pre-commit"})


def _start_script_builds(df: Dockerfile) -> bool:
    """True when the container's start script, read from the build context, compiles (`go build` of a mounted
    tree for a debugger, a hot-reload dev image) or pip-installs packages it is given: the toolchain is what it
    runs with."""
    programs = start_script_programs(df)  # a pip install at start builds the sdists it is given at run time
    return programs is not None and bool(programs & (_START_BUILDERS | {STARTUP_PIP_INSTALL}))


# CI runners and agents (the GitHub Actions runner, Buildkite, GitLab, Jenkins, Azure Pipelines, Gitea agents),
# fetched or started by what ships: the image runs the jobs it is handed, so its compilers are for those jobs.
_CI_RUNNERS = lazy_re.compile(r"(?<![\w-])(actions-runner-(linux|osx|win)|Runner\.Listener|buildkite-agent|"
                              r"gitlab-runner|jenkins-agent|woodpecker-agent|drone-runner-\w+|azp-agent|vsts-agent|"
                              r"act_runner)(?![\w.])")


def _ci_runner(df: Dockerfile) -> bool:
    """True when what ships installs or starts a CI runner or agent."""
    return any(_CI_RUNNERS.search(ins.args) for stage in df.shipped() for ins in stage.instructions
               if ins.keyword in ("RUN", "CMD", "ENTRYPOINT", "ENV", "ARG") and len(ins.args) <= 65536)


# LuaRocks built from its release tarball (`luarocks-${V}.tar.gz`, its GitHub archive) or installed as a package:
# rocks with C modules compile when a child image runs `luarocks install`, so an image shipping LuaRocks keeps the
# compiler for them (OpenResty's images say so: LuaRocks "generally requires a build system").
_LUAROCKS_BUILT = lazy_re.compile(r"(?<![\w-])luarocks(-\$\{?\w+\}?|-[\d.]+)\.tar\.gz|/luarocks/(archive|releases)/")
_LUAROCKS_PACKAGE = lazy_re.compile(r"^(lua[\d.]*-)?luarocks[\d.]*$")


def _ships_luarocks(df: Dockerfile) -> bool:
    """True when what ships installs LuaRocks, from its release tarball or as a package."""
    return any(ins.keyword == "RUN" and (_LUAROCKS_BUILT.search(ins.args) is not None or
                                         any(_LUAROCKS_PACKAGE.match(p) for p in run_effects(ins.script).kept))
               for stage in df.shipped() for ins in stage.instructions if len(ins.args) <= 65536)


def _builds_kernel_modules(df: Dockerfile) -> bool:
    """True when what ships keeps DKMS: it exists to compile kernel modules against the host's kernel when the
    container runs (a driver loader), so the compiler it keeps is a run-time need."""
    return any(ins.keyword == "RUN" and "dkms" in run_effects(ins.script).kept
               for stage in df.shipped() for ins in stage.instructions)


def _hosts_given_command(df: Dockerfile) -> bool:
    """True for a runtime host: an image with no application of its own (nothing built in or copied from a stage,
    no source tree, no port) whose start script ends by running a command given at run time (`eval "$START"`,
    `exec $CMD`): a game-server panel's language images run the user's start command, so their compilers serve
    the code they are handed."""
    for stage in df.shipped():
        for ins in stage.instructions:
            if ins.keyword == "EXPOSE":
                return False
            if ins.keyword in ("COPY", "ADD") and (ins.flag("from") is not None or any(
                    src.rstrip("/") in ("", ".", "./") or src.endswith("/") for src in ins.copy_sources())):
                return False  # an application: built in another stage, or a source tree
    return start_script_ends_with(df) in ("eval", "$")


# LLM servers whose kernels are compiled when the model loads: Triton (under vLLM, SGLang, TGI) and torch.compile
# call the C compiler at run time, so these images keep gcc on purpose (and say so in their issues).
_JIT_SERVERS = lazy_re.compile(r"(?<![a-z0-9])(vllm|sglang|text-generation-(inference|launcher|server)|flash[-_]attn|"
                               r"openai/triton|torch\.compile|torchinductor)(?![a-z0-9])", re.I)
_C_COMPILERS = lazy_re.compile(r"^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|gcc-c\+\+|clang(-\d+)?)$")


# Notebook and browser-IDE servers: their users build code inside the running container (pip installs of sdists,
# Cython cells, `Mix.install/2`, R packages from source), so its compilers are what it is for.
_NOTEBOOK_SERVERS = lazy_re.compile(r"(?<![\w-])(start-notebook(\.py|\.sh)?|start-singleuser(\.py|\.sh)?|"
                                    r"jupyter(-lab|-notebook|hub-singleuser)?|jupyterlab|livebook|LIVEBOOK_[A-Z_]+|"
                                    r"code-server|rstudio-server|marimo)(?![\w-])")


# Remote-desktop servers (VNC, RDP, and noVNC's web client to them): an image that keeps one is a workstation people
# log into and work in (a ROS or Android development desktop), so the compilers it keeps are theirs to build with.
_REMOTE_DESKTOP = lazy_re.compile(r"^(tigervnc-standalone-server|tigervnc-server|tightvncserver|tigervnc|x11vnc|"
                                  r"xrdp|turbovnc|novnc)$")


def _remote_desktop(df: Dockerfile) -> bool:
    """True when what ships installs (and keeps) a remote-desktop server."""
    return any(ins.keyword == "RUN" and any(_REMOTE_DESKTOP.match(p) for p in run_effects(ins.script).kept)
               for stage in df.shipped() for ins in stage.instructions)


def _notebook_server(df: Dockerfile) -> bool:
    """True when what ships starts a notebook or browser-IDE server (its command, or the settings it reads)."""
    return any(_NOTEBOOK_SERVERS.search(ins.args) for stage in df.shipped() for ins in stage.instructions
               if ins.keyword in ("CMD", "ENTRYPOINT", "ENV") and len(ins.args) <= 65536)


def _jit_compiling(df: Dockerfile) -> bool:
    """True when the image serves a model through a framework that compiles kernels at run time."""
    return any(_JIT_SERVERS.search(ins.args) for ins in df.instructions if len(ins.args) <= 65536)


def _single_stage_builds(df: Dockerfile) -> Iterator[Instruction]:
    for ins in df.stages[0].instructions:
        if ins.keyword == "RUN" and any(build_step(c) for c in commands(ins.script)):
            effects = run_effects(ins.script)
            if effects.purges or effects.deletes_sources:
                continue  # builds, installs the result and cleans up its toolchain or tree in the same RUN
            yield ins


_ACTION_LABEL = lazy_re.compile(r"""(^|\s)["']?com\.github\.actions\.name["']?\s*=""")


def _sdk_action(df: Dockerfile) -> bool:
    """True for a GitHub container action (LABEL com.github.actions.name) whose final stage is an SDK image."""
    stage = df.stages[-1]
    return sdk_image(stage.image) and any(
        ins.keyword == "LABEL" and _ACTION_LABEL.search(ins.args) for ins in stage.instructions)


@rule("MS002", "multistage", "warning", "Build step in a single-stage Dockerfile",
      "Split into a build stage and a runtime stage; COPY --from=build only the built artifacts.")
def single_stage_build(df: Dockerfile) -> Iterator[Hit]:
    if len(df.stages) != 1:
        return
    first = next(_single_stage_builds(df), None)  # what to report first, the reasons not to only then (see MS001)
    if first is None or is_base_image(df) or toolchain_entrypoint(df) or builds_cloned_source_at_start(df) or \
            _start_script_builds(df):
        return  # a base or builder image keeps its toolchain on purpose, and so does one that builds when it starts
    if _sdk_action(df):
        return  # a GitHub container action on an SDK image (a clippy or golangci action) runs that toolchain on the
        # caller's checkout: the tools it installs are what it ships
    cmd = next(c for c in commands(first.script) if build_step(c))
    yield hit(first, f"`{' '.join(cmd[:3])[:60]}` compiles in the image that ships, and this RUN removes neither "
                     f"the toolchain nor the build tree, so they ship with it ({_stage_label(df.stages[0])})")
