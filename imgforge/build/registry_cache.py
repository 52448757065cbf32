"""Building through a registry: catalog bases pinned there by digest, and build cache carried in pushed images.

The default (docker-driver) builder can only write inline cache, which holds the final image's layers. Builder
stages are not in that image, so each one is pushed as its own image (`REPO:cache-STAGE`, inline cache too);
an engine with an empty image store then takes every unchanged step — dependency installs included — from
those images and the previous version's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from imgforge.build.progress import ProgressLog
from imgforge.env import bases
from imgforge.env.registry_api import manifest_digest
from imgforge.errors import EnvironmentProblem, RegistryUnavailable
from imgforge.lint.parser import parse
from imgforge.registry.client import RegistryClient

_FROM = re.compile(r"^(?P<head>\s*FROM\s+(?:--\S+\s+)*)(?P<image>\S+)(?P<tail>.*)$", re.IGNORECASE)

Resolver = Callable[[str, str, str], str | None]


def _resolve(registry: str, repository: str, tag: str) -> str | None:
    return manifest_digest(registry, repository, tag)


def pin_bases(dockerfile: str, registry: str, resolve: Resolver = _resolve) -> str:
    """The Dockerfile with every catalog base in a FROM line replaced by `REGISTRY/REF@DIGEST`."""
    out = []
    for line in dockerfile.splitlines(keepends=True):
        m = _FROM.match(line.rstrip("\n"))
        base = bases.find(m.group("image")) if m else None
        if m is None or base is None or "@" in m.group("image"):
            out.append(line)
            continue
        digest = resolve(registry, base.repository, base.tag)
        if digest is None:
            raise EnvironmentProblem(
                f"pinning base {base.ref}: {registry} does not have it (run `imgforge bases build --push`)")
        end = "\n" if line.endswith("\n") else ""
        out.append(f"{m.group('head')}{registry}/{base.ref}@{digest}{m.group('tail')}{end}")
    return "".join(out)


# The build arg that names where generated Dockerfiles take the catalog bases from (`bases.registry`).
BASES_ARG = "IMGFORGE_BASES"
BASES_PREFIX = "${" + BASES_ARG + "}/"


def _registry_digest(registry: str, repository: str, tag: str) -> str | None:
    """A tag's digest in `registry` (`host[:port][/prefix]`), by the transport's http/https rule."""
    host, _, prefix = registry.partition("/")
    try:
        return RegistryClient(host).head_manifest(f"{prefix}/{repository}" if prefix else repository, tag)
    except RegistryUnavailable as exc:
        raise EnvironmentProblem(f"pinning bases to {registry}: {exc}") from exc


def registry_base(image: str, registry: str, pin: bool = True, resolve: Resolver = _registry_digest) -> str:
    """A catalog base as generated Dockerfiles name it when `bases.registry` is set: `${IMGFORGE_BASES}/REF`,
    pinned `@DIGEST` (the registry's, now); any other image is returned as given."""
    base = bases.find(image)
    if base is None or "@" in image or image.startswith(BASES_PREFIX):
        return image
    if not pin:
        return f"{BASES_PREFIX}{base.ref}"
    digest = resolve(registry, base.repository, base.tag)
    if digest is None:
        raise EnvironmentProblem(
            f"pinning base {base.ref}: {registry} does not have it (run `imgforge bases build --push`)")
    return f"{BASES_PREFIX}{base.ref}@{digest}"


def builder_stages(dockerfile: str) -> list[str]:
    """Names of the stages before the last one (the stages whose layers inline cache of the image leaves out)."""
    stages = parse(dockerfile, "Dockerfile").stages
    return [s.name or str(s.index) for s in stages[:-1]]


@dataclass(frozen=True)
class RegistryCache:
    """The cache images of one repository (`host:port/name`, no tag)."""

    repository: str

    def stage_ref(self, stage: str) -> str:
        """Where builder stage `stage` is pushed with its inline cache."""
        return f"{self.repository}:cache-{stage}"

    def cache_from(self, stages: Iterable[str], previous: Sequence[str] = ()) -> list[str]:
        """`--cache-from` flags: the previous versions (or the branch's last image) and every builder stage."""
        refs = [f"{self.repository}:{tag}" for tag in previous] + [self.stage_ref(s) for s in stages]
        return [flag for ref in refs for flag in ("--cache-from", f"type=registry,ref={ref}")]


# Drivers that export cache to a registry in full (`mode=max`: every stage); the docker driver writes only inline.
REGISTRY_CACHE_DRIVERS = frozenset({"docker-container", "remote", "kubernetes"})


def branch_tag(branch: str) -> str:
    """The tag that names a branch's last pushed image (`cache-branch-<branch>`, tag-safe, at most 128 characters;
    apart from the builder stages' `cache-STAGE`)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", branch).strip(".-") or "detached"
    return f"cache-branch-{safe}"[:128]


@dataclass(frozen=True)
class CachePlan:
    """What a build that pushes reads and writes as build cache: `--cache-from` sources and the `--cache-to`."""

    cache_from: tuple[str, ...]
    cache_to: str
    # Builder stages to push as `REPO:cache-STAGE` images after the image (inline cache keeps only its own layers).
    stage_images: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for progress: what is read and what is written."""
        reads = ", ".join(ref.rsplit(":", 1)[-1] if "type=" not in ref else ref for ref in self.cache_from)
        return f"cache from {reads or 'nothing yet'}; cache to {self.cache_to}"


def cache_plan(repository: str, driver: str, previous: str | None, branch: str | None,
               existing: Iterable[str] = (), stages: Sequence[str] = ()) -> CachePlan:
    """The cache of a pushed build of `repository` (`host:port/name`): inline cache in the image by default,
    read back from the previous version, the branch's last image and the builder `stages`' images; with a
    builder that can export it, a `type=registry,mode=max` cache ref per project (`REPO:buildcache`) instead,
    which keeps builder stages too."""
    have = set(existing)
    sources: list[str] = []
    if driver in REGISTRY_CACHE_DRIVERS:
        sources.append(f"type=registry,ref={repository}:buildcache")
        cache_to, pushed = f"type=registry,ref={repository}:buildcache,mode=max", tuple[str, ...]()
    else:
        cache_to, pushed = "type=inline", tuple(stages)
    tags = [previous, branch_tag(branch) if branch else None, *(f"cache-{stage}" for stage in pushed)]
    for tag in tags:
        if tag and tag in have and f"{repository}:{tag}" not in sources:
            sources.append(f"{repository}:{tag}")
    return CachePlan(tuple(sources), cache_to, pushed)


def buildx_command(
    context: Path, ref: str, *, cache_from: Sequence[str] = (), target: str | None = None,
    secrets: Sequence[str] = (), network: str | None = None, push: bool = True,
) -> list[str]:
    """`docker buildx build` writing inline cache into `ref` (pushed), reading the given `--cache-from` flags."""
    cmd = ["docker", "buildx", "build", "--progress", "plain", "--cache-to", "type=inline", *cache_from, "-t", ref]
    if target:
        cmd += ["--target", target]
    for secret in secrets:
        cmd += ["--secret", secret]
    if network:
        cmd += ["--network", network]
    cmd += ["--push"] if push else ["--load"]
    return [*cmd, str(context)]


def cached_steps(progress: str) -> dict[str, bool]:
    """Each `[stage x/y] command` of a plain-progress log, and whether it came from cache."""
    log = ProgressLog()
    for line in progress.splitlines():
        log.feed(line)
    return {f"[{stage} {step}] {cmd}".replace("[ ", "["): vid in log.cached
            for vid, (stage, step, cmd) in sorted(log.vertices.items())}
