"""False-positive classes found on held-out set 16 (public files never tuned on), each with a nearby true positive.

The Dockerfiles and scripts are written for these tests, modelled on patterns of the projects labelled
(reproducible-build images whose shell-form CMD runs the build, release and hook runners started through an
entrypoint script, remote-desktop development workstations); none is copied.
"""
from __future__ import annotations

from pathlib import Path

from tests.lint._flagged import file_lines
from tests.lint._flagged import lines as _lines

# MS001: a shell-form CMD is a script `/bin/sh -c` runs; when one of its commands is the build (a script named for
# it, also through `uv run`), the image is a build environment and its toolchain is what the container runs.

_REPRO = ("FROM ubuntu:24.04\n"
          "RUN apt-get update && apt-get install -y --no-install-recommends build-essential autoconf libtool git \\\n"
          "    && rm -rf /var/lib/apt/lists/*\n"
          "WORKDIR /build\n"
          "CMD git clone /src . \\\n"
          "    && uv sync --frozen \\\n"
          "    && uv run --frozen scripts/release-build.sh \\\n"
          "    && cp dist/*.tar.xz /src/out/\n")


def test_a_shell_form_command_that_runs_the_build_keeps_its_toolchain() -> None:
    assert _lines(_REPRO, "MS001") == []
    plain = _REPRO.replace("uv run --frozen scripts/release-build.sh", "./build.sh")
    assert _lines(plain, "MS001") == []
    make = _REPRO.replace("uv run --frozen scripts/release-build.sh", "make -j4")
    assert _lines(make, "MS001") == []


def test_a_shell_form_command_that_serves_is_still_judged() -> None:
    serving = _REPRO.replace("uv run --frozen scripts/release-build.sh", "uv run scripts/serve.py")
    assert _lines(serving, "MS001") == [2]
    runs_built = _REPRO.replace("uv run --frozen scripts/release-build.sh", "./build/server --port 8080")
    assert _lines(runs_built, "MS001") == [2]  # a program under build/ is not a build script


# MS001: a release or hook runner started through the image's entrypoint script (`exec goreleaser "$@"`, or
# `exec su-exec "$UID" pre-commit "$@"` after fixing ownership) builds what it is given when it runs.

_RUNNER = ("FROM python:3.12-alpine\n"
           "RUN apk add --no-cache git bash gcc musl-dev su-exec\n"
           "COPY entrypoint.sh /entrypoint.sh\n"
           'ENTRYPOINT ["/entrypoint.sh"]\n')
_HOOKS = ("#!/usr/bin/env bash\n"
          "set -e\n"
          'USERID="${USERID:-0:0}"\n'
          'exec su-exec "$USERID" pre-commit "$@"\n')


def _project(tmp_path: Path, script: str) -> Path:
    (tmp_path / "entrypoint.sh").write_text(script)
    path = tmp_path / "Dockerfile"
    path.write_text(_RUNNER)
    return path


def test_a_hook_runner_behind_a_user_switch_keeps_its_compiler(tmp_path: Path) -> None:
    assert file_lines(_project(tmp_path, _HOOKS), "MS001") == []


def test_a_release_runner_entrypoint_keeps_its_toolchain(tmp_path: Path) -> None:
    script = "#!/bin/sh\ngit config --global --add safe.directory \"$PWD\"\nexec goreleaser \"$@\"\n"
    assert file_lines(_project(tmp_path, script), "MS001") == []


def test_a_service_behind_a_user_switch_is_still_judged(tmp_path: Path) -> None:
    script = _HOOKS.replace("pre-commit", "gunicorn app:app")
    assert file_lines(_project(tmp_path, script), "MS001") == [2]


# MS001: an image that keeps a VNC or RDP server is a desktop people log into and work in (a ROS development
# desktop): the compilers it keeps are theirs to build with.

_DESKTOP = ("FROM ubuntu:24.04\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "        tigervnc-standalone-server supervisor sudo vim git build-essential python3-pip \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n"
            "COPY supervisord.conf /etc/supervisor/conf.d/\n"
            "EXPOSE 5901\n"
            'CMD ["/usr/bin/supervisord", "-n"]\n')


def test_a_remote_desktop_workstation_keeps_its_compilers() -> None:
    assert _lines(_DESKTOP, "MS001") == []
    rdp = _DESKTOP.replace("tigervnc-standalone-server", "xrdp xfce4")
    assert _lines(rdp, "MS001") == []


def test_an_image_without_a_desktop_server_is_still_judged() -> None:
    no_desktop = _DESKTOP.replace("tigervnc-standalone-server ", "")
    assert _lines(no_desktop, "MS001") == [2]
    purged = _DESKTOP.replace("    && rm -rf /var/lib/apt/lists/*\n",
                              "    && apt-get purge -y tigervnc-standalone-server && rm -rf /var/lib/apt/lists/*\n")
    assert _lines(purged, "MS001") == [2]  # the desktop server removed again: nothing to log into


# PIN001: an image collection builds its images one FROM another (`FROM $REGISTRY/build/base`, `debian/base.dockerfile`
# building it): no tag is :latest of an image the repository builds itself, which PIN002 already judges at info.

_COLLECTION = ("ARG REGISTRY='ghcr.io/example/debian/bookworm'\n"
               "FROM $REGISTRY/build/base AS base\n"
               "COPY --from=$REGISTRY/pkg/yosys /yosys /\n"
               "FROM $REGISTRY/pkg/yosys AS pkg\n"
               "FROM base\n"
               "COPY --from=pkg /usr/local /usr/local\n")


def _collection(tmp_path: Path, top: str = ".git") -> Path:
    (tmp_path / top).mkdir()
    (tmp_path / "debian").mkdir()
    (tmp_path / "debian" / "base.dockerfile").write_text("FROM debian:bookworm-slim\n")
    (tmp_path / "debian-bookworm" / "yosys").mkdir(parents=True)
    (tmp_path / "debian-bookworm" / "yosys" / "Dockerfile").write_text("FROM debian:bookworm-slim\n")
    path = tmp_path / "debian-bookworm" / "impl.dockerfile"
    path.write_text(_COLLECTION)
    return path


def test_an_untagged_image_the_collection_builds_is_not_a_warning(tmp_path: Path) -> None:
    assert file_lines(_collection(tmp_path), "PIN001") == []
    exported = tmp_path / "export"
    exported.mkdir()
    assert file_lines(_collection(exported, top=".github"), "PIN001") == []  # `git archive`: no .git, a .github


def test_an_untagged_image_nothing_here_builds_is_still_reported(tmp_path: Path) -> None:
    path = _collection(tmp_path)
    path.write_text(_COLLECTION.replace("build/base", "build/compiler"))
    assert file_lines(path, "PIN001") == [2]


def test_a_named_dockerfile_outside_the_repository_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "base.dockerfile").write_text("FROM debian:bookworm-slim\n")  # a folder beside the repo
    repo = tmp_path / "repo"  # an export: its LICENSE marks its top folder (with a .git, no context is above it)
    repo.mkdir()
    (repo / "LICENSE").write_text("MIT\n")
    path = repo / "images" / "Dockerfile"
    path.parent.mkdir()
    path.write_text("FROM example/base\nCMD [\"app\"]\n")
    assert file_lines(path, "PIN001") == [1]


# PIN001: a bare release codename (`FROM jammy`) is no registry image: ubuntu's and debian's codenames are their
# tags. Reproducible-build setups import a debootstrapped root file system under that name before the build.

_IMPORTED = ("FROM jammy\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends build-essential \\\n"
             "    && rm -rf /var/lib/apt/lists/*\n"
             "WORKDIR /build\n"
             "CMD [\"make\", \"release\"]\n")


def test_a_bare_release_codename_is_a_locally_imported_root() -> None:
    assert _lines(_IMPORTED, "PIN001") == []
    assert _lines(_IMPORTED.replace("FROM jammy", "FROM bookworm"), "PIN001") == []


def test_an_untagged_distribution_image_is_still_reported() -> None:
    assert _lines(_IMPORTED.replace("FROM jammy", "FROM ubuntu"), "PIN001") == [1]
    assert _lines(_IMPORTED.replace("FROM jammy", "FROM example/jammy"), "PIN001") == [1]  # an owner's image


# USR001: a program that mounts FUSE file systems (rclone as a Docker volume plugin, s3fs, gcsfuse) opens /dev/fuse
# and mounts, which takes root in the container.

_PLUGIN = ("FROM alpine:3.20\n"
           "COPY --from=rclone/rclone:1.68 /usr/local/bin/rclone /usr/bin/rclone\n"
           "RUN apk add --no-cache ca-certificates fuse3\n"
           "WORKDIR /data\n"
           'ENTRYPOINT ["rclone", "serve", "docker"]\n')


def test_a_fuse_mounting_program_runs_as_root_on_purpose() -> None:
    assert _lines(_PLUGIN, "USR001") == []
    mount = _PLUGIN.replace('["rclone", "serve", "docker"]', '["rclone", "mount", "remote:", "/mnt"]')
    assert _lines(mount, "USR001") == []
    s3fs = _PLUGIN.replace('["rclone", "serve", "docker"]', '["/usr/bin/s3fs", "bucket", "/mnt", "-f"]')
    assert _lines(s3fs, "USR001") == []


def test_a_program_serving_files_over_the_network_is_still_judged() -> None:
    webdav = _PLUGIN.replace('["rclone", "serve", "docker"]', '["rclone", "serve", "webdav", "remote:"]')
    assert _lines(webdav, "USR001") == [1]
