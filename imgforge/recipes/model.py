"""The recipe model: how one stack is built (builder stages) and run (runtime stage).

A recipe is YAML validated by `Recipe` (unknown keys are errors); `recipe_schema()` is the JSON
Schema published as `recipes/recipe.schema.json` for editor completion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_NAME = r"^[a-z][a-z0-9-]*$"
_CPU = r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$"
_MEMORY = r"^[0-9]+(Ki|Mi|Gi|K|M|G)?$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Artifact(_Strict):
    """A path copied out of a builder stage (`stage`), from `from` to `to`."""

    stage: str = Field(pattern=_NAME, description="Name of the builder stage that holds the file or folder.")
    source: str = Field(alias="from", min_length=1, description="Absolute path, or relative to that stage's workdir.")
    to: str = Field(min_length=1, description="Destination, absolute or relative to this stage's workdir.")
    writable: bool = Field(default=False, description="Owned by the runtime user (a folder the service writes, "
                           "e.g. Flask's instance/); everything else stays root's.")
    context: str | None = Field(default=None, min_length=1, description="When `stage` does not run (its `when` "
                                "does not hold): copy this project path instead (none: nothing is copied).")
    context_then: str | None = Field(default=None, min_length=1, description="With `context`: a shell command run "
                                     "in the same step as that copy (the folder is copied from a bind mount, so "
                                     "the step makes one layer), in the runtime workdir, as root; e.g. compile "
                                     "bytecode.")


class Variant(_Strict):
    """One way of installing dependencies, chosen when the project has one of the `when` files (first match wins)."""

    when: list[str] = Field(default_factory=list, description="Glob patterns; any match selects it (empty: always).")
    manifests: list[str] = Field(default_factory=list, description="Files copied before the install (when present).")
    install: str | None = Field(default=None, description="Shell command that installs the dependencies.")
    warning: str | None = Field(default=None, description="Printed by generate when this variant is chosen.")
    yarnrc: list[str] = Field(
        default_factory=list, description="Where the install's yarn 2+ reads the project's .yarnrc.yml (relative "
        "to the workdir, or absolute): the build network's yarnrc secret is mounted there for the install only.")


class Dependencies(_Strict):
    """Dependency manifests, copied alone before sources so the install layer is cached until they change."""

    manifests: list[str] = Field(default_factory=list, description="Files that must exist in the project.")
    optional_manifests: list[str] = Field(default_factory=list, description="Files copied when present.")
    install: str | None = Field(default=None, description="Shell command that installs the dependencies.")
    variants: list[Variant] = Field(
        default_factory=list, description="Alternatives by lockfile; the first whose `when` matches adds its "
        "manifests and replaces `install`.")
    cache: list[str] = Field(default_factory=list, description="Package-cache folders kept in BuildKit cache mounts.")


class Builder(_Strict):
    """A builder stage: toolchain image, dependencies, sources and build command."""

    name: str = Field(pattern=_NAME, description="Stage name (FROM ... AS name).")
    when: list[str] = Field(default_factory=list, description="Run this stage only when the project has one of "
                            "these: a glob, or `file#key.path` for a key set in a JSON or TOML file, e.g. "
                            "`package.json#scripts.build` (empty: always).")
    image: str = Field(min_length=1, description="Toolchain image, e.g. imgforge/golang:{go} ({go}: the newest "
                       "catalog version the project's declarations allow).")
    workdir: str = "/src"
    env: dict[str, str] = Field(default_factory=dict, description="Build environment (ENV).")
    system_packages: list[str] = Field(default_factory=list, description="Debian packages installed with apt-get.")
    dependencies: Dependencies = Field(default_factory=Dependencies)
    sources: list[str] = Field(default_factory=lambda: ["."], description="Project paths copied after dependencies.")
    inputs: list[Artifact] = Field(default_factory=list, description="Artifacts of earlier stages copied before build.")
    build: str | None = Field(default=None, description="Shell command that builds the artifacts.")
    build_cache: list[str] = Field(default_factory=list, description="Compiler-cache folders kept in cache mounts.")


class Health(_Strict):
    """Health endpoints (liveness and readiness differ), or a TCP connect when the project declares none."""

    probe: Literal["http", "tcp"] = Field(default="http", description="tcp: the HEALTHCHECK only connects to PORT.")
    liveness: str = Field(default="/healthz", pattern=r"^/")
    readiness: str = Field(default="/readyz", pattern=r"^/")
    client: Literal["wget", "python", "node", "bun", "none"] = Field(
        default="none", description="Program in the runtime image that can probe HTTP (none: no HEALTHCHECK)."
    )
    served: bool = Field(default=False, description="The runtime's own server answers liveness and readiness "
                         "(a static server), so init looks for no route in the project.")

    @model_validator(mode="after")
    def _distinct(self) -> Health:
        if self.liveness == self.readiness:
            raise ValueError("liveness and readiness endpoints must differ")
        return self


class Amounts(_Strict):
    """CPU (e.g. 100m, 0.5) and memory (e.g. 64Mi) for Kubernetes."""

    cpu: str = Field(pattern=_CPU)
    memory: str = Field(pattern=_MEMORY)


class Resources(_Strict):
    """Default resource requests and limits."""

    requests: Amounts = Amounts(cpu="50m", memory="32Mi")
    limits: Amounts = Amounts(cpu="500m", memory="128Mi")


class Runtime(_Strict):
    """The runtime stage: only artifacts, a non-root numeric user, one port."""

    image: str = Field(min_length=1, description="Runtime image, e.g. imgforge/python:{python}, "
                       "imgforge/busybox:1.35 or scratch.")
    workdir: str = "/app"
    env: dict[str, str] = Field(default_factory=dict)
    system_packages: list[str] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(min_length=1)
    user: int = Field(default=10001, ge=10000, le=2**31 - 1, description="Numeric UID, never root.")
    group: int | None = Field(default=None, ge=10000, le=2**31 - 1, description="Numeric GID (default: user).")
    entrypoint: list[str] = Field(min_length=1)
    cmd: list[str] = Field(default_factory=list)
    port: int = Field(default=8080, ge=1, le=65535)


class Detect(_Strict):
    """Files that select this recipe in `imgforge init` (glob patterns, relative to the project)."""

    all: list[str] = Field(default_factory=list, description="Every pattern must match.")
    any: list[str] = Field(default_factory=list, description="At least one pattern must match (when given).")
    check: Literal["frontend-only", "node-app", "bun-app"] | None = Field(
        default=None, description="A test of the project's contents besides file names (frontend-only: a build "
        "script and no server; node-app: package.json is a Node program, not tooling beside a Python project; "
        "bun-app: a Bun lockfile or packageManager, and not front-end only).")
    priority: int = Field(default=0, description="Higher wins when several recipes match.")


class Recipe(_Strict):
    """One stack: builder stages, runtime stage, health, resources and .dockerignore entries."""

    name: str = Field(pattern=_NAME)
    description: str = ""
    detect: Detect = Field(default_factory=Detect)
    builders: list[Builder] = Field(min_length=1)
    runtime: Runtime
    health: Health = Field(default_factory=Health)
    resources: Resources = Field(default_factory=Resources)
    dockerignore: list[str] = Field(default_factory=list, description="Extra .dockerignore patterns.")

    @model_validator(mode="after")
    def _stages_exist(self) -> Recipe:
        seen: list[str] = []
        for builder in self.builders:
            if builder.name in seen or builder.name == "runtime":
                raise ValueError(f"builder name {builder.name!r} is used twice (or is the reserved 'runtime')")
            for art in builder.inputs:
                if art.stage not in seen:
                    raise ValueError(f"builder {builder.name!r} takes input from {art.stage!r}, not an earlier builder")
            seen.append(builder.name)
        for art in self.runtime.artifacts:
            if art.stage not in seen:
                raise ValueError(f"runtime artifact from {art.stage!r}: no builder has that name")
        if self.runtime.image == "scratch" and self.health.client != "none":
            raise ValueError("a scratch runtime has no HTTP client: health.client must be 'none'")
        return self

    def builder(self, name: str) -> Builder:
        """The builder stage called `name`."""
        return next(b for b in self.builders if b.name == name)


def with_images(recipe: Recipe, fill: Callable[[str], str]) -> Recipe:
    """`recipe` with every builder and runtime image passed through `fill` (placeholders resolved)."""
    builders = [b.model_copy(update={"image": fill(b.image)}) for b in recipe.builders]
    runtime = recipe.runtime.model_copy(update={"image": fill(recipe.runtime.image)})
    return recipe.model_copy(update={"builders": builders, "runtime": runtime})


def recipe_schema() -> dict[str, Any]:
    """The JSON Schema of a recipe file (by alias, as written in YAML)."""
    schema = Recipe.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def is_valid_name(name: str) -> bool:
    """Whether `name` can be a recipe or stage name."""
    return re.match(_NAME, name) is not None


def schema_text() -> str:
    """The published schema file's exact text (stable key order, trailing newline)."""
    return json.dumps(recipe_schema(), indent=2) + "\n"
