"""`imgforge doctor`: can the pipeline run here? One check per part, each with a verdict."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from imgforge.env import bases
from imgforge.env.engine import builder_info, connect, selected
from imgforge.env.immutability import Immutability, tag_immutability
from imgforge.env.registry import LocalRegistry, default_registry
from imgforge.errors import EnvironmentProblem

MIN_FREE_BYTES = 5 * 1024**3
# The first engine whose BuildKit (0.11) reads a RUN step's `--network`, which generated Dockerfiles use.
MIN_ENGINE_MAJOR = 23


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    info: bool = False  # information only: always ok, shown as "info"


def engine_too_old(version: str) -> bool:
    """True when an engine version (`20.10.24+dfsg1`, `26.1.5`) is older than MIN_ENGINE_MAJOR; unknown is not."""
    major = version.split(".", 1)[0]
    return major.isdigit() and int(major) < MIN_ENGINE_MAJOR


def _disk(path: Path) -> Check:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    ok = free >= MIN_FREE_BYTES
    return Check(
        f"disk ({probe})",
        ok,
        f"{free / 1024**3:.1f} GiB free",
        "" if ok else f"free space below {MIN_FREE_BYTES // 1024**3} GiB: prune images (`docker system prune`)",
    )


def immutability_check(found: Immutability) -> Check:
    """The "tag immutability" row: information only, so it never fails the doctor."""
    fix = "strict immutability needs the registry's own (e.g. Harbor or ECR tag immutability)"
    return Check("tag immutability", True, found.detail, fix if found.verdict == "not enforced" else "", info=True)


def run_checks(registry: LocalRegistry | None = None, target: str | None = None,
               insecure: bool = False) -> tuple[list[Check], Immutability]:
    """Run every check; never raises for a missing part, it becomes a failed row.

    `target` (`HOST[/REPO]`) is the registry whose tag immutability is reported; the local registry
    (the pipeline's target without `--registry`) when None.
    """
    registry = registry or default_registry()
    checks: list[Check] = []
    docker_root = "/var/lib/docker"
    try:
        engine = connect()
        info = engine.info()
    except EnvironmentProblem as err:
        checks.append(Check("engine", False, str(err), "run `bash .ci/setup`, or start dockerd"))
        checks.append(Check("buildkit", False, "no engine", "run `bash .ci/setup`"))
        checks.append(Check("builder", False, "no engine", f"check {selected().builder_name()}"))
        checks.append(Check("base images", False, "no engine", "run `imgforge bases build`"))
    else:
        docker_root = info.docker_root
        old = engine_too_old(info.server_version)
        checks.append(
            Check("engine", not old, f"{engine.name}: Docker {info.server_version} (API {info.api_version}, "
                  f"{info.storage_driver})" + ("; generated Dockerfiles need Docker 23 or newer (a RUN step's "
                                               "`--network`)" if old else ""),
                  "upgrade the engine (`bash .ci/setup` installs Debian 13's engine 26)" if old else "")
        )
        checks.append(
            Check(
                "buildkit",
                info.buildx_version is not None,
                f"buildx {info.buildx_version}" if info.buildx_version else "docker buildx is missing",
                "" if info.buildx_version else "run `bash .ci/setup` (installs the buildx plugin)",
            )
        )
        try:
            found = builder_info(engine)
            nodes = ", ".join(found.nodes)
            checks.append(Check("builder", True, f"{found.name} (driver {found.driver}; nodes: {nodes})"))
        except EnvironmentProblem as err:
            checks.append(Check("builder", False, str(err), "`docker buildx ls` lists the builders; create one with "
                                "`docker buildx create --name NAME`"))
        missing = [b.ref for b in bases.CATALOG if not bases.present(engine.docker, b.ref)]
        checks.append(
            Check(
                "base images",
                not missing,
                f"{len(bases.CATALOG) - len(missing)}/{len(bases.CATALOG)} present"
                + (f"; missing {', '.join(missing)}" if missing else ""),
                "" if not missing else "run `imgforge bases build`",
            )
        )
    status = registry.status()
    checks.append(
        Check(
            "registry",
            status.answering,
            f"{status.url} answers ({status.how}, {status.repositories} repositories)"
            if status.answering
            else f"{status.url} does not answer",
            "" if status.answering else "run `imgforge registry up`",
        )
    )
    immutability = tag_immutability(target or registry.address, insecure=insecure)
    checks.append(immutability_check(immutability))
    checks.append(_disk(Path(docker_root)))
    return checks, immutability
