"""False-positive classes found on held-out set 15 (public files never tuned on), each with a nearby true positive.

The Dockerfiles are written for these tests, modelled on patterns of the projects labelled (build-environment
images kept alive for `docker exec`, Lambda function images, bioinformatics images with a final test stage, Tilt
dev images, quoted FROM operands, a RUN that deletes ~/.npm); none is copied.
"""
from __future__ import annotations

from imgforge.lint import lint
from tests.lint._flagged import lines as _lines


# USR001/MS001: an image whose command only keeps the container alive (`tail -f /dev/null`, `sleep infinity`) runs
# nothing of its own: a build environment one execs into, or a base whose children set the program.

_IDLE = ("FROM ubuntu:24.04\n"
         "RUN apt-get update && apt-get install -y --no-install-recommends build-essential gcc make \\\n"
         "    && rm -rf /var/lib/apt/lists/*\n"
         "COPY entrypoint.sh /usr/local/bin/entrypoint.sh\n"
         "EXPOSE 8080\n"
         'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]\n'
         'CMD ["tail", "-f", "/dev/null"]\n')


def test_an_idle_keep_alive_command_is_a_build_environment_not_a_service() -> None:
    assert _lines(_IDLE, "USR001") == []
    assert _lines(_IDLE, "MS001") == []
    sleeping = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', "CMD sleep infinity")
    assert _lines(sleeping, "USR001") == []
    assert _lines(sleeping, "MS001") == []


def test_a_command_that_serves_is_still_judged() -> None:
    serving = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', 'CMD ["/usr/local/bin/app", "--listen", ":8080"]')
    assert _lines(serving, "USR001") == [1]
    assert _lines(serving, "MS001") == [2]
    following_a_log = _IDLE.replace('CMD ["tail", "-f", "/dev/null"]', 'CMD ["tail", "-f", "/var/log/app.log"]')
    assert _lines(following_a_log, "USR001") == [1]  # a real file followed: the image does something of its own


# USR001: AWS Lambda runs a function's container as its own non-root user, whatever USER says.

_WEB_ADAPTER = ("FROM python:3.12-slim\n"
                "COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter "
                "/opt/extensions/lambda-adapter\n"
                "WORKDIR /var/task\n"
                "COPY requirements.txt ./\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n"
                "COPY app.py ./\n"
                'CMD ["uvicorn", "app:app", "--port", "8080"]\n')


def test_a_lambda_function_image_does_not_run_as_root() -> None:
    assert _lines(_WEB_ADAPTER, "USR001") == []
    on_lambda_base = ("FROM public.ecr.aws/lambda/python:3.12\n"
                      "COPY app.py ${LAMBDA_TASK_ROOT}/\n"
                      'CMD ["app.handler"]\n')
    assert [f.rule for f in lint(on_lambda_base) if f.rule.startswith("USR")] == []


def test_the_same_web_app_outside_lambda_runs_as_root() -> None:
    plain = _WEB_ADAPTER.replace("COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter "
                                 "/opt/extensions/lambda-adapter\n", "")
    assert _lines(plain, "USR001") == [1]
    explicit_root = _WEB_ADAPTER.replace("WORKDIR /var/task\n", "USER root\nWORKDIR /var/task\n")
    assert _lines(explicit_root, "USR001") == [3]  # an explicit `USER root` is still reported (hadolint DL3002)


# PC001/PC004/PIN006: a final `FROM app AS test` stage only tests the stage it extends; CI pushes `--target app`.

_TESTED = ("FROM ubuntu:24.04 AS app\n"
           "RUN apt-get update && apt-get install -y --no-install-recommends samtools \\\n"
           "    && rm -rf /var/lib/apt/lists/*\n"
           'CMD ["samtools", "--help"]\n'
           "\n"
           "FROM app AS test\n"
           "RUN apt-get update && apt-get install -y wget\n"
           "RUN pip3 install pytest\n"
           "RUN samtools --version\n")


def test_hygiene_in_a_final_test_stage_is_info() -> None:
    found = {f.rule: f for f in lint(_TESTED) if f.rule in ("PC001", "PC004", "PIN006")}
    assert {(f.rule, f.line) for f in found.values()} == {("PC001", 7), ("PC004", 8), ("PIN006", 8)}
    assert all(f.severity == "info" and "which only tests the stage it is built FROM" in f.message
               for f in found.values())


def test_the_stage_that_ships_and_a_test_stage_from_an_image_are_still_judged() -> None:
    in_app = _TESTED.replace("    && rm -rf /var/lib/apt/lists/*\n", "")
    assert _lines(in_app, "PC001") == [2]  # the app stage is what ships
    not_a_stage = _TESTED.replace("FROM app AS test", "FROM ubuntu:24.04 AS test")
    assert _lines(not_a_stage, "PC001") == [7]  # built FROM an image, not the stage above: it is the image
    named_otherwise = _TESTED.replace("FROM app AS test", "FROM app AS runtime")
    assert _lines(named_otherwise, "PC001") == [7]


# Hygiene rules in a Tilt dev image (`Dockerfile.tilt`): the image Tilt live-updates while one codes.

_TILT = ("FROM golang:1.23\n"
         "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
         "RUN go install github.com/go-delve/delve/cmd/dlv@v1.23.1\n"
         'ENTRYPOINT ["dlv", "exec", "/app/server"]\n')


def test_a_tilt_dev_image_reports_hygiene_at_info() -> None:
    for name in ("Dockerfile.tilt", "ui/Dockerfile.ui.tilt"):
        assert _lines(_TILT, "PC001", name) == []


def test_a_file_named_after_something_else_is_still_judged() -> None:
    assert _lines(_TILT, "PC001", "Dockerfile") == [2]
    assert _lines(_TILT, "PC001", "Dockerfile.tilted-release") == [2]  # a word must be whole


# SYN013: BuildKit reads a FROM operand with its shell lexer, which removes quotes: `FROM "image"` builds.

def test_a_quoted_from_operand_is_a_valid_reference() -> None:
    quoted = 'FROM "gcr.io/distroless/static-debian12"\nCOPY app /app\nENTRYPOINT ["/app"]\n'
    assert _lines(quoted, "SYN013") == []
    assert _lines(quoted, "PIN001") == [1]  # read as the unquoted reference: it has no tag
    with_arg = 'ARG BASE=alpine:3.20\nFROM "$BASE" AS b\nFROM b\nRUN true\n'
    assert _lines(with_arg, "SYN013") == []


def test_an_invalid_reference_in_quotes_is_still_an_error() -> None:
    assert _lines('FROM "Alpine Linux:3"\nRUN true\n', "SYN013") == [1]


# PC005: `rm -rf ~/.npm` at the end of the RUN removes the cache as `npm cache clean --force` does.

_NPM = ("FROM node:22-slim\n"
        "WORKDIR /app\n"
        "COPY package.json package-lock.json ./\n"
        "RUN npm ci && rm -rf ~/.npm\n"
        'CMD ["node", "server.js"]\n')


def test_removing_the_npm_cache_folder_cleans_it() -> None:
    assert _lines(_NPM, "PC005") == []
    assert _lines(_NPM.replace("~/.npm", "/root/.npm/_cacache"), "PC005") == []


def test_removing_something_else_leaves_the_cache() -> None:
    assert _lines(_NPM.replace("~/.npm", "/tmp/*"), "PC005") == [4]
    assert _lines(_NPM.replace("~/.npm", "~/.npmrc"), "PC005") == [4]
