"""multistage: compilers and SDKs belong in a build stage, not in the image that ships."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imgforge.lint.model import Dockerfile, Instruction, Stage
from imgforge.lint.rules import Hit, hit, rule
from imgforge.lint.rules.layer_order import system_install
from imgforge.lint.rules.shell import args, commands, program, subcommand

_SDK_REPOS = {"golang", "gcc", "rust", "maven", "gradle", "buildpack-deps", "sdk", "python-dev", "swift", "haskell",
              "clojure", "openjdk", "eclipse-temurin", "amazoncorretto", "mono", "gradle", "sbt"}
_BUILD_PACKAGES = re.compile(
    r"^(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|gcc-c\+\+|clang(-\d+)?|make|cmake|autoconf|automake|"
    r"libtool|golang(-go)?|rustc|cargo|maven|gradle|openjdk-\d+-jdk(-headless)?|[\w.+-]+-dev|[\w.+-]+-devel)"
    r"(=.*)?$")


def sdk_image(image: str) -> bool:
    """True for images that are toolchains (golang, gcc, maven, dotnet/sdk, *-jdk tags, python-dev)."""
    name, _, tag = image.split("@")[0].rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    repo = name.rsplit("/", 1)[-1].lower()
    tag = tag.lower()
    if repo in ("openjdk", "eclipse-temurin", "amazoncorretto"):
        return "jre" not in tag
    return repo in _SDK_REPOS or "jdk" in tag or "devel" in tag or tag.endswith("-sdk")


def build_step(cmd: tuple[str, ...]) -> bool:
    """A command that compiles or bundles the application."""
    prog, sub = program(cmd), subcommand(cmd)
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


def _build_packages(ins: Instruction) -> list[str]:
    found = []
    for c in commands(ins.script):
        if system_install(c):
            found += [a for a in args(c)[1:] if _BUILD_PACKAGES.match(a)]
    return found


def _stage_label(stage: Stage) -> str:
    return f"stage {stage.name!r}" if stage.name else f"stage {stage.index}"


@rule("MS001", "multistage", "warning", "Final image ships compilers or SDKs",
      "Build in a stage `FROM <sdk> AS build`, then `COPY --from=build` only the artifacts into a slim runtime "
      "stage.")
def sdk_in_final(df: Dockerfile) -> Iterator[Hit]:
    shipped = df.shipped()
    if not shipped or (len(df.stages) == 1 and any(_single_stage_builds(df))):
        return  # MS002 already says it
    root = shipped[0]
    if sdk_image(root.image):
        yield Hit(root.line, root.line, f"the final image is based on {root.image[:60]}, a toolchain image: "
                                        "compilers and SDKs add hundreds of MB and attack surface at run time")
    for stage in shipped:
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                pkgs = _build_packages(ins)
                if pkgs:
                    yield hit(ins, f"the final image installs build tools ({', '.join(pkgs[:4])}) that are not "
                                   "needed at run time")


def _single_stage_builds(df: Dockerfile) -> Iterator[Instruction]:
    for ins in df.stages[0].instructions:
        if ins.keyword == "RUN" and any(build_step(c) for c in commands(ins.script)):
            yield ins


@rule("MS002", "multistage", "warning", "Build step in a single-stage Dockerfile",
      "Split into a build stage and a runtime stage; COPY --from=build only the built artifacts.")
def single_stage_build(df: Dockerfile) -> Iterator[Hit]:
    if len(df.stages) != 1:
        return
    for ins in _single_stage_builds(df):
        cmd = next(c for c in commands(ins.script) if build_step(c))
        yield hit(ins, f"`{' '.join(cmd[:3])[:60]}` compiles in the image that ships: the toolchain, sources and "
                       f"intermediate files stay in it ({_stage_label(df.stages[0])})")
        return
