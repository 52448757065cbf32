"""MS001/MS002 on images whose job is to build: the toolchain they ship is what they run, not a build leftover.

The Dockerfiles are written for these tests, after the shapes of public CI builder, benchmark and development
images; none is copied. Each exemption has a twin that must still be reported, so a signal cannot hide real bloat.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _ms(text: str) -> set[str]:
    return {f.rule for f in lint(text, "Dockerfile") if f.rule in ("MS001", "MS002")}


@pytest.mark.parametrize("entry", [
    'ENTRYPOINT ["jfrog"]',  # a CLI that drives the maven of its base (`jfrog rt mvn ...`)
    'ENTRYPOINT ["/opt/esy/bin/esy"]',  # a package manager that compiles what it installs
    'ENTRYPOINT ["opam", "install", "--yes"]',
    'ENTRYPOINT ["/workspace/scripts/build.sh"]',  # a project's own build script
    'ENTRYPOINT ["hack/make.sh"]',
])
def test_builder_step_whose_program_is_a_build_tool_keeps_its_toolchain(entry: str) -> None:
    text = ("FROM maven:3.9-eclipse-temurin-21\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 make=4.3-4.1 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            f"USER 10001\n{entry}\n")
    assert _ms(text) == set()


@pytest.mark.parametrize("entry", [
    'ENTRYPOINT ["buildah"]',  # builds container images: it never calls the compiler
    'CMD ["python3", "serve.py"]',
    'ENTRYPOINT ["java", "-jar", "/srv/app.jar"]',
    'CMD ["npm", "start"]',
])
def test_an_app_or_an_image_builder_on_a_toolchain_is_still_reported(entry: str) -> None:
    text = ("FROM maven:3.9-eclipse-temurin-21\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 make=4.3-4.1 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            f"USER 10001\n{entry}\n")
    assert "MS001" in _ms(text)


@pytest.mark.parametrize("fetch", [
    "RUN curl -fsSL https://example.org/bench-2.1.tar.gz | tar -xzC /usr/src/bench --strip-components 1",
    "RUN git clone --depth 1 -b v2.1 https://example.org/suite/bench.git /usr/src/bench",
    "COPY bench/ /usr/src/bench/",
])
def test_benchmark_that_compiles_its_source_when_it_runs_keeps_the_compiler(fetch: str) -> None:
    text = ("FROM alpine:3.20\n"
            "RUN apk add --no-cache gcc=13.2.1_git20240309-r0 make=4.4.1-r2 musl-dev=1.2.5-r0 perl=5.38.2-r0\n"
            f"{fetch}\n"
            "WORKDIR /usr/src/bench\nUSER 10001\n"
            'ENTRYPOINT ["./run-all"]\n')
    assert _ms(text) == set()


def test_a_service_started_from_its_unbuilt_tree_is_still_reported() -> None:
    text = ("FROM alpine:3.20\n"
            "RUN apk add --no-cache gcc=13.2.1_git20240309-r0 make=4.4.1-r2\n"
            "COPY site/ /srv/site/\nWORKDIR /srv/site\nUSER 10001\nEXPOSE 8080\n"
            'ENTRYPOINT ["./start-server"]\n')
    assert _ms(text) == {"MS001"}


def test_a_program_started_in_a_fetched_tree_by_name_counts_too() -> None:
    text = ("FROM debian:12-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential=12.9 git=1:2.39.5-0 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            "ENV SUITE_HOME=/opt/suite\n"
            'RUN git clone https://example.org/perf/suite.git "${SUITE_HOME}"\n'
            "WORKDIR /opt/suite\nUSER 10001\n"
            'CMD ["suite", "run", "default"]\n')
    assert _ms(text) == set()


@pytest.mark.parametrize(("tail", "why"), [
    ('RUN pip install --no-cache-dir -r requirements.txt\nCMD ["./serve"]', "pip compiled with it at build time"),
    ('CMD ["python3", "app.py"]', "an interpreter running the app compiles nothing"),
    ('RUN make -C native\nCMD ["./serve"]', "built in the image that ships"),
])
def test_an_app_copied_as_source_with_gcc_is_still_reported(tail: str, why: str) -> None:
    text = ("FROM python:3.12-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            "COPY . /srv/app\nWORKDIR /srv/app\nUSER 10001\nEXPOSE 8000\n"
            f"{tail}\n")
    assert _ms(text) & {"MS001", "MS002"}, why


def test_a_prebuilt_binary_next_to_an_unused_compiler_is_still_reported() -> None:
    text = ("FROM alpine:3.20\n"
            "RUN apk add --no-cache build-base=0.5-r3\n"
            "COPY relay /usr/local/bin/relay\nUSER 10001\n"
            'ENTRYPOINT ["relay"]\n')
    assert _ms(text) == {"MS001"}


@pytest.mark.parametrize(("entry", "reported"), [
    ('ENTRYPOINT ["scripts/dind"]', False),  # wraps whatever command `docker run` is given
    ('ENTRYPOINT ["/sbin/tini", "--"]', False),
    ('ENTRYPOINT ["/sbin/tini", "--", "/usr/local/bin/api"]', True),  # names its program
    ('ENTRYPOINT ["scripts/dind"]\nCMD ["/usr/local/bin/api"]', True),
])
def test_wrapper_entrypoint_without_a_command_is_a_development_environment(entry: str, reported: bool) -> None:
    text = ("FROM ubuntu:24.04\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential=12.10ubuntu1 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            "COPY . /src/project\nWORKDIR /src/project\n"
            "RUN make -C tools\n"
            f"USER 10001\n{entry}\n")
    assert bool(_ms(text)) is reported
