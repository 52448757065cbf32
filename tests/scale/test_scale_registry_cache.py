"""Pure parts of building through a registry: base pinning, cache refs, and reading which steps were cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.build.registry_cache import RegistryCache, builder_stages, buildx_command, cached_steps, pin_bases
from imgforge.errors import EnvironmentProblem

DIGEST = "sha256:" + "ab" * 32
DOCKERFILE = (
    "FROM --platform=linux/amd64 imgforge/golang:1.19 AS build\nRUN go build\n"
    "FROM build AS test\nRUN go test\n"
    "FROM docker.io/library/alpine:3.19 AS other\n"
    "from imgforge/busybox:1.35\nCOPY --from=build /out/app /app\n"
)


def test_pins_catalog_bases_by_digest_and_leaves_the_rest() -> None:
    asked: list[tuple[str, str, str]] = []

    def resolve(registry: str, repository: str, tag: str) -> str | None:
        asked.append((registry, repository, tag))
        return DIGEST

    out = pin_bases(DOCKERFILE, "127.0.0.1:5000", resolve).splitlines()
    assert out[0] == f"FROM --platform=linux/amd64 127.0.0.1:5000/imgforge/golang:1.19@{DIGEST} AS build"
    assert out[2] == "FROM build AS test"
    assert out[4] == "FROM docker.io/library/alpine:3.19 AS other"
    assert out[5] == f"from 127.0.0.1:5000/imgforge/busybox:1.35@{DIGEST}"
    assert asked == [("127.0.0.1:5000", "imgforge/golang", "1.19"), ("127.0.0.1:5000", "imgforge/busybox", "1.35")]


def test_a_base_missing_from_the_registry_is_named() -> None:
    with pytest.raises(EnvironmentProblem, match=r"pinning base imgforge/golang:1\.19: .*bases build --push"):
        pin_bases(DOCKERFILE, "127.0.0.1:5000", lambda *_: None)


def test_cache_refs_cover_previous_versions_and_builder_stages() -> None:
    stages = builder_stages(DOCKERFILE)
    assert stages == ["build", "test", "other"]
    flags = RegistryCache("r:5000/app").cache_from(stages[:1], previous=["1.2.3"])
    assert flags == ["--cache-from", "type=registry,ref=r:5000/app:1.2.3",
                     "--cache-from", "type=registry,ref=r:5000/app:cache-build"]
    cmd = buildx_command(Path("ctx"), "r:5000/app:cache-build", target="build", network="host")
    assert cmd[-6:] == ["--target", "build", "--network", "host", "--push", "ctx"]
    assert cmd[cmd.index("--cache-to") + 1] == "type=inline"


def test_reads_cached_steps_from_plain_progress() -> None:
    log = (
        "#5 [build 1/3] FROM r/x@sha256:00\n#5 DONE 0.0s\n"
        "#9 [build 2/3] RUN pip install -r requirements.txt\n#9 CACHED\n"
        "#10 [build 3/3] COPY . .\n#10 DONE 0.4s\n"
        "#11 [2/2] COPY --from=build /src /app\n#11 CACHED\n"
    )
    assert cached_steps(log) == {
        "[build 1/3] FROM r/x@sha256:00": False,
        "[build 2/3] RUN pip install -r requirements.txt": True,
        "[build 3/3] COPY . .": False,
        "[2/2] COPY --from=build /src /app": True,
    }
