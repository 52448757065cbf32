"""`build()`: a BuildKit build through python-on-whales' buildx, with live progress and parsed results."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from imgforge.build.network import ENV_ID, RUN_SETUP, resolve
from imgforge.build.network import secrets as network_secrets
from imgforge.build.options import BuildOptions, check_build_args
from imgforge.build.progress import ProgressLog, StageTiming, StepFailure
from imgforge.env.engine import require_engine
from imgforge.errors import BuildFailed, EngineUnavailable, UsageError


@dataclass(frozen=True)
class BuildResult:
    """The built image: id, tags, labels, per-stage timings and total seconds (digest comes with push)."""

    image_id: str
    tags: tuple[str, ...]
    labels: dict[str, str]
    stages: tuple[StageTiming, ...]
    seconds: float
    digest: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "image_id": self.image_id, "digest": self.digest, "tags": list(self.tags), "labels": self.labels,
            "seconds": self.seconds,
            "stages": [{"stage": s.stage, "seconds": s.seconds, "steps": s.steps, "cached": s.cached}
                       for s in self.stages],
        }


class BuildError(BuildFailed):
    """BuildFailed with the parsed failing step attached (`failure`)."""

    def __init__(self, message: str, failure: StepFailure | None) -> None:
        super().__init__(message)
        self.failure = failure


def builder_driver(docker: DockerClient, builder: str | None) -> str:
    """The driver (`docker`, `docker-container`, ...) of the buildx builder the build will use."""
    try:
        return str(docker.buildx.inspect(builder).driver)
    except DockerException as exc:
        raise EngineUnavailable(f"inspecting buildx builder {builder or 'default'}: {exc.stderr or exc}") from exc


def check_cache(options: BuildOptions, driver: Callable[[], str]) -> None:
    """The docker-driver builder (the default one) can only write inline cache; say so before building.

    `driver` is asked only for a cache export other than inline: `buildx inspect` costs ~0.17 s, more than a
    whole cached build's work here, and every other build would pay it for nothing."""
    if not options.cache_to or "type=inline" in options.cache_to:
        return
    if driver() == "docker":
        raise UsageError(
            f"building: cache export {options.cache_to!r} needs a docker-container builder; the default "
            "docker-driver builder supports only inline cache (--cache-to type=inline, then --cache-from IMAGE)"
        )


def build(
    context: Path,
    dockerfile: Path,
    options: BuildOptions,
    *,
    docker: DockerClient | None = None,
    on_line: Callable[[str], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build `dockerfile` in `context`; each progress line goes to `on_line`, each new step to `on_step`."""
    check_build_args(options.build_args)
    for secret in options.secrets:
        if secret.src is not None and not secret.src.is_file():
            raise UsageError(f"building: secret {secret.id!r} file {secret.src} does not exist")
        if secret.env is not None and secret.env not in os.environ:
            raise UsageError(f"building: secret {secret.id!r} variable ${secret.env} is not set")
    if not dockerfile.is_file():
        raise UsageError(f"building: Dockerfile {dockerfile} does not exist")
    engine = docker or require_engine("building")
    check_cache(options, lambda: builder_driver(engine, options.builder))
    build_args = dict(options.build_args)
    if "SOURCE_DATE_EPOCH" in os.environ:
        # BuildKit >= 0.11 clamps timestamps to it; the 0.8 of Docker 20.10 ignores it (labels still match).
        build_args.setdefault("SOURCE_DATE_EPOCH", os.environ["SOURCE_DATE_EPOCH"])
    log = ProgressLog()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="imgforge-build-") as tmp:
        meta = Path(tmp) / "metadata.json"
        # CA bundle, package indexes and proxy reach builder RUNs only as secret mounts (imgforge.build.network).
        net = resolve(context)
        secrets = (*options.secrets, *network_secrets(net, Path(tmp)))
        # A proxy on the host's loopback is out of reach from BuildKit's per-RUN bridge namespace; only the steps
        # that source the build network use it, so (auto) only a Dockerfile that mounts it builds in the host's.
        host_net = net.host_network and (net.mode == "host" or f"id={ENV_ID}" in (_text(dockerfile) or ""))
        try:
            stream = _plugin_client(engine).buildx.build(
                context, file=dockerfile, tags=list(options.tags), build_args=build_args,
                target=options.target, labels=dict(options.labels), secrets=[s.flag() for s in secrets],
                cache_from=[cache_source(c) for c in options.cache_from] or None, cache_to=options.cache_to,
                builder=options.builder, load=True, cache=not options.no_cache, progress="plain", metadata_file=meta,
                stream_logs=True, network="host" if host_net else None, allow=["network.host"] if host_net else [],
            )
            for line in cast(Iterator[str], stream):  # stream_logs=True: an iterator of progress lines
                step = log.feed(line)
                if on_line:
                    on_line(line.rstrip("\n"))
                if step and on_step:
                    on_step(step)
        except DockerException as exc:
            if not log.vertices and not log.errors:
                for line in (exc.stderr or "").splitlines():
                    log.feed(line)
            raise _failed(dockerfile, log, exc) from exc
        image_id = _image_id(meta, engine, options)
    return BuildResult(image_id=image_id, tags=options.tags, labels=dict(options.labels),
                       stages=tuple(log.timings()), seconds=round(time.monotonic() - started, 3))


# Where the docker CLI looks for `docker-buildx` after its config folder's cli-plugins (docker/cli, manager.go).
_SYSTEM_PLUGIN_DIRS = ("/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
                       "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")


def buildx_plugin(config: str | os.PathLike[str] | None) -> Path | None:
    """The `docker-buildx` binary `docker buildx` would run (None when unsure: extra plugin dirs configured)."""
    folder = Path(config or os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    try:
        if "cliPluginsExtraDirs" in (folder / "config.json").read_text(encoding="utf-8", errors="replace"):
            return None
    except OSError:
        pass
    for directory in (folder / "cli-plugins", *map(Path, _SYSTEM_PLUGIN_DIRS)):
        candidate = directory / "docker-buildx"
        if os.access(candidate, os.X_OK) and candidate.is_file():
            return candidate
    return None


def _plugin_client(engine: DockerClient) -> DockerClient:
    """`engine` calling the buildx plugin itself, as the docker CLI does, with the same global flags.

    `docker buildx` starts the docker CLI, which runs `docker-buildx docker-cli-plugin-metadata` and then the
    plugin: two extra Go binaries, ~0.05-0.08 s of every build (a cached one takes ~0.3 s here). The variable is
    the one the CLI sets to tell the plugin it runs as `docker buildx` (docker/cli's plugin protocol). buildx
    also runs git in the context for every build (one `git rev-parse` outside a repository, six in one, one after
    the other) only to put the commit in provenance attestations, which imgforge does not ask for and the default
    docker-driver builder does not keep (imgforge's own OCI labels carry the revision): `BUILDX_GIT_INFO=0`, unless
    the caller's environment sets the variable itself."""
    config = engine.client_config
    if config.client_call != ["docker"]:
        return engine
    env = [] if "BUILDX_GIT_INFO" in os.environ else ["BUILDX_GIT_INFO=0"]
    plugin = buildx_plugin(config.config)
    if plugin is not None:
        call = ["env", "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=docker", *env, str(plugin)]
    elif env:
        call = ["env", *env, "docker"]
    else:
        return engine
    return DockerClient(client_config=replace(config, client_call=call, _client_call_with_path=None))


def cache_source(text: str) -> dict[str, str]:
    """`--cache-from` text as buildx's mapping: `type=local,src=DIR` as given, a bare image as a registry ref."""
    if "=" not in text:
        return {"type": "registry", "ref": text}
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


def _image_id(meta: Path, docker: DockerClient, options: BuildOptions) -> str:
    try:
        return str(json.loads(meta.read_text())["containerimage.digest"])
    except (OSError, ValueError, KeyError):
        if options.tags:
            return str(docker.image.inspect(options.tags[0]).id)
        raise BuildFailed("building: BuildKit reported no image id (give the build a tag)") from None


def _text(dockerfile: Path) -> str | None:
    try:
        return dockerfile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _failed(dockerfile: Path, log: ProgressLog, exc: DockerException) -> BuildError:
    failure = log.failure(_text(dockerfile))
    if failure is None:
        why = log.final_error or _last_line(exc)
        if _OLD_FRONTEND.search(why):
            why += ("; the engine's BuildKit is older than Docker 23's, which reads a RUN step's --network (generated "
                    "Dockerfiles give the source step none): upgrade the engine (`imgforge doctor` names it)")
        return BuildError(f"building {dockerfile}: {why}", None)
    where = f"{dockerfile}:{failure.dockerfile_line}" if failure.dockerfile_line else str(dockerfile)
    tail = "".join(f"\n  | {line}" for line in failure.output_tail)
    error = _EXECUTOR.sub(lambda m: f"{m.group(1)}{_short(m.group(2))}{m.group(3)}", failure.error)
    # The first line is the one a summary shows: it ends with what to change when the output says.
    error += f"; {failure.hint}" if failure.hint else ""
    return BuildError(f"building {where} ([{failure.stage} {failure.step}] {_short(failure.command)}): {error}{tail}",
                      failure)


# Docker 20.10's built-in frontend (BuildKit 0.8) on a Dockerfile that uses a newer RUN flag.
_OLD_FRONTEND = re.compile(r"parse error line \d+: Unknown flag: network")
# BuildKit repeats the whole failing command in its error; the message names the step and line, so a short form
# of the command says which one (a generated install step is a dozen `&&` commands behind four mount flags).
# BuildKit 0.8 (engine 20.10) words it `executor failed running [/bin/sh -c CMD]: exit code: N`, later ones
# `process "/bin/sh -c CMD" did not complete successfully: exit code: N`.
_EXECUTOR = re.compile(r'^(executor failed running \[/bin/sh -c |process "/bin/sh -c )(.*)'
                       r'(\]: exit code: \d+|" did not complete successfully: exit code: \d+)$', re.S)
_MOUNT = re.compile(r"--mount=\S+\s*")
_SHORT = 160


def _short(command: str) -> str:
    """`command` without its --mount flags and the build-network preamble, cut to a readable length."""
    text = " ".join(_MOUNT.sub("", command).replace(RUN_SETUP.strip(), "").split())
    return text if len(text) <= _SHORT else text[:_SHORT - 1].rstrip() + "…"


def _last_line(exc: DockerException) -> str:
    lines = [ln for ln in (exc.stderr or str(exc)).splitlines() if ln.strip()]
    return lines[-1] if lines else "the build failed"


def is_tty() -> bool:
    """Whether progress goes to a terminal (and not a CI log) on stderr."""
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")
