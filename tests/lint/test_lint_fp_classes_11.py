"""False-positive classes found on held-out set 11 (public files never tuned on), each with a nearby true positive."""
from __future__ import annotations

from imgforge.lint import lint
from imgforge.lint.parser import parse


def _syn010(text: str) -> list[int]:
    return [f.line for f in parse(text).findings if f.rule == "SYN010"]


def test_copy_from_bare_image_name_is_not_a_missing_stage() -> None:
    # `--from=composer` with no stage of that name pulls the Docker Hub image composer:latest, as BuildKit does.
    text = ("FROM php:8.3-cli AS app\n"
            "COPY --from=composer /usr/bin/composer /usr/bin/composer\n"
            "COPY --from=mlocati/php-extension-installer /usr/bin/install-php-extensions /usr/bin/\n")
    assert _syn010(text) == []


def test_copy_from_typo_of_a_stage_name_is_still_flagged() -> None:
    text = ("FROM golang:1.23 AS builder\nRUN go build -o /app .\n"
            "FROM debian:12-slim\nCOPY --from=buidler /app /app\nCOPY --from=5 /x /x\n")
    assert _syn010(text) == [4, 5]


def test_copy_from_a_later_stage_is_still_flagged() -> None:
    text = "FROM alpine:3.20 AS one\nCOPY --from=two /a /a\nFROM alpine:3.20 AS two\n"
    assert _syn010(text) == [2]


def _ms002(text: str) -> list[int]:
    return [f.line for f in lint(text, "Dockerfile") if f.rule == "MS002"]


_ACTION = ('FROM rust:1.80-slim\nLABEL "com.github.actions.name"="lint-rs"\n'
           "RUN rustup component add clippy && cargo install cargo-audit --locked --version 0.20.0\n"
           'COPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\n')


def test_github_container_action_on_an_sdk_image_ships_its_toolchain_on_purpose() -> None:
    assert _ms002(_ACTION) == []


def test_service_on_an_sdk_image_that_compiles_is_still_flagged() -> None:
    service = _ACTION.replace('"com.github.actions.name"="lint-rs"', 'org.opencontainers.image.title="svc"')
    assert _ms002(service) == [3]
