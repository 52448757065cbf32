"""Secret-rule classes from sample s8 (every SEC finding on the lint corpus, and SEC005 hunted in public Dockerfiles
that echo credentials in RUN): a placeholder followed by `\\n` inside an `echo` taken for an npm token, a prose
placeholder (`your key`) taken for an API key, SEC005's message grammar (`a aWS access key id`), and a license key
SEC001 missed (the shared detector had no license-key name); a token ARG out of its stage's scope (global and
not declared again, or a base stage's) taken for one a RUN expands; and `aws configure set aws_secret_access_key KEY`
missed by SEC005 (the shared rule wanted an `=` or `:` after the name); camelCase credential ARGs and an ARG an
ENV with a credential's name takes, missed by SEC002; short command-line passwords SEC005 never scanned.

Every Dockerfile here is written for these tests, modelled on patterns seen in public projects; none is copied, and
every key-shaped value is random text made for them. Each class is tested both ways.
"""

from __future__ import annotations

import pytest

from imgforge.lint import lint

_TOKEN = "LgM87nHr7KOeRLG9ccJUk1NTpK5Gi74XKYYF"  # random, shaped like a registry token
_AWS_ID = "AKIAX4SI4PWY7PLAREWC"  # random, shaped like an access key id
_SERVE = 'EXPOSE 8080\nCMD ["node", "server.js"]\n'


def _found(text: str, rule: str) -> list[str]:
    return [f.message for f in lint(text, "Dockerfile") if f.rule == rule and f.severity != "info"]


def _npmrc_line(value: str) -> str:
    return ('RUN echo "registry=https://registry.example.org/\\n@team:registry=https://npm.example.org\\n'
            f'//npm.example.org/:_authToken={value}\\nalways-auth=true" > .npmrc && npm ci\n')


# SEC005: `echo "a\nb"` writes two lines; the value on the first ends at its `\n`


@pytest.mark.parametrize("value", ["AUTH_TOKEN", "NPM_TOKEN_HERE", "<token>"])
def test_a_placeholder_before_an_escaped_newline_is_no_npm_token(value: str) -> None:
    assert _found(f"FROM node:22-slim\n{_npmrc_line(value)}{_SERVE}", "SEC005") == []


def test_a_token_before_an_escaped_newline_is_still_reported() -> None:
    messages = _found(f"FROM node:22-slim\n{_npmrc_line(_TOKEN)}{_SERVE}", "SEC005")
    assert messages and "npm registry credential" in messages[0]
    assert _TOKEN not in messages[0] and _TOKEN[:8] not in messages[0]


# SEC001: a prose placeholder (`your key`, `my token`) is no value; its words may be spaced


@pytest.mark.parametrize("value", ['"your key"', '"your api key"', '"my secret"', "'the token'", '"your own key"'])
def test_a_spaced_prose_placeholder_is_no_credential(value: str) -> None:
    assert _found(f"FROM python:3.12-slim\nENV OPENAI_API_KEY={value}\n{_SERVE}", "SEC001") == []


@pytest.mark.parametrize("value", [f'"{_TOKEN}"', '"sk-8f3Kq9Lm2Xv7Rt5Wz4Hn6Jp1Bc0Dd"'])
def test_a_key_shaped_value_is_still_a_credential(value: str) -> None:
    assert _found(f"FROM python:3.12-slim\nENV OPENAI_API_KEY={value}\n{_SERVE}", "SEC001")


# SEC005's message: the detector's description with its article, an acronym kept as written


def test_the_message_keeps_an_acronym_and_its_article() -> None:
    run = f"RUN aws configure set aws_access_key_id {_AWS_ID}\n"
    messages = _found(f"FROM python:3.12-slim\n{run}{_SERVE}", "SEC005")
    assert messages == ["RUN contains an AWS access key id (value redacted: ****)"]


def test_the_message_lowers_a_common_first_word() -> None:
    run = f"RUN git clone https://deploy:{_TOKEN}@git.acme-corp.io/team/app.git /src\n"
    messages = _found(f"FROM alpine:3.20\n{run}{_SERVE}", "SEC005")
    assert messages == ["RUN contains a URL with an embedded password (value redacted: ****)"]


# SEC001 recall: a license key (a GeoIP or APM vendor's account key) is a credential name for lint and scan alike


@pytest.mark.parametrize("name", ["LICENSE_KEY", "GEOIP_LICENSE_KEY", "APM_LICENSEKEY"])
def test_a_license_key_literal_is_a_credential(name: str) -> None:
    assert _found(f"FROM alpine:3.20\nENV {name}=Qx7rT2mW9kLp4VzA\n{_SERVE}", "SEC001")


@pytest.mark.parametrize("value", ["changeme", "${LICENSE}", "<license key>"])
def test_a_license_key_placeholder_is_not(value: str) -> None:
    assert _found(f'FROM alpine:3.20\nENV GEOIP_LICENSE_KEY="{value}"\n{_SERVE}', "SEC001") == []


# SEC002/SEC004: an ARG is in scope only in the stage that declares it (Docker's rule); out of scope, `$NAME` is empty

_CLONE = "RUN git clone https://x-access-token:${REPO_TOKEN}@github.com/team/app.git /src\n"


@pytest.mark.parametrize("text", [
    f"ARG REPO_TOKEN\nFROM alpine:3.20\n{_CLONE}",  # global, never declared in the stage
    f"FROM alpine:3.20 AS fetch\nARG REPO_TOKEN\nRUN true\nFROM fetch\n{_CLONE}",  # the base stage's ARG
])
def test_a_token_arg_out_of_scope_reaches_no_build_step(text: str) -> None:
    assert _found(text + _SERVE, "SEC004") == []
    assert [f.line for f in lint(text + _SERVE, "Dockerfile") if f.rule == "SEC002" and f.line == 1] == []


@pytest.mark.parametrize("text", [
    f"ARG REPO_TOKEN\nFROM alpine:3.20\nARG REPO_TOKEN\n{_CLONE}",  # declared again: the global default
    f"FROM alpine:3.20\nARG REPO_TOKEN\n{_CLONE}",
    f"FROM alpine:3.20 AS fetch\nARG REPO_TOKEN\nENV REPO_TOKEN=$REPO_TOKEN\nFROM fetch\n{_CLONE}",  # ENV inherited
])
def test_a_token_arg_in_scope_is_still_reported(text: str) -> None:
    assert _found(text + _SERVE, "SEC004")
    assert _found(text + _SERVE, "SEC002")


# SEC005 recall: the AWS CLI sets a secret access key as a word apart from its name, with no `=` between

_AWS_SECRET = "bDtXnvP0lr2yRa39i7rDnANQCWVP4+N9scT0wAph"  # random, shaped like a secret access key


@pytest.mark.parametrize("setting", [
    f"aws_secret_access_key {_AWS_SECRET}",
    f'default.aws_secret_access_key "{_AWS_SECRET}"',
    f"--profile ci aws_secret_access_key {_AWS_SECRET}",
])
def test_aws_configure_set_with_a_literal_secret_key_is_reported(setting: str) -> None:
    messages = _found(f"FROM python:3.12-slim\nRUN aws configure set {setting}\n{_SERVE}", "SEC005")
    assert messages == ["RUN contains an AWS secret access key (value redacted: ****)"]


@pytest.mark.parametrize("value", [
    "$AWS_SECRET_ACCESS_KEY", '"${AWS_SECRET}"', "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS's own docs' example
])
def test_aws_configure_set_with_a_reference_or_the_documented_example_is_not(value: str) -> None:
    assert _found(f"FROM python:3.12-slim\nRUN aws configure set aws_secret_access_key {value}\n{_SERVE}",
                  "SEC005") == []


# SEC002/SEC004 recall: a camelCase credential name, and a build arg an ENV with a credential's name takes


@pytest.mark.parametrize("name", ["personalAccessToken", "npmAuthToken", "dbPassword"])
def test_a_camel_case_credential_arg_is_reported(name: str) -> None:
    text = f"FROM python:3.12-slim\nARG {name}\nRUN pip install git+https://${{{name}}}@git.acme-corp.io/t/lib.git\n"
    assert _found(text + _SERVE, "SEC002") and _found(text + _SERVE, "SEC004")


@pytest.mark.parametrize("name", ["passwordFile", "tokenUrl", "authHeader"])
def test_a_camel_case_name_of_a_setting_is_not(name: str) -> None:
    assert _found(f"FROM python:3.12-slim\nARG {name}\nRUN echo ${name}\n{_SERVE}", "SEC002") == []


def test_a_build_arg_copied_into_a_credential_env_is_reported() -> None:
    text = "FROM python:3.12-slim\nARG llm_key\nENV OPENAI_API_KEY=$llm_key\n"
    assert _found(text + _SERVE, "SEC002") == [
        "ARG llm_key carries a credential: build-arg values are recorded in the image history (docker history) "
        "and build cache"]


def test_a_build_arg_copied_into_a_plain_env_is_not() -> None:
    assert _found(f"FROM python:3.12-slim\nARG release\nENV APP_VERSION=$release\n{_SERVE}", "SEC002") == []


# SEC005 recall: a short password on a command line has no long random run, yet reaches the detector


@pytest.mark.parametrize(("run", "kind"), [
    ("curl -fsSL -u deploy:Xk29fpQz7Lm https://nexus.acme-corp.io/app.zip -o app.zip", "a password on a curl"),
    ("registry-cli login --password Xk29fpQz7Lm", "a password on a command line"),
])
def test_a_short_command_line_password_is_reported(run: str, kind: str) -> None:
    messages = _found(f"FROM debian:12-slim\nRUN {run}\n{_SERVE}", "SEC005")
    assert len(messages) == 1 and kind in messages[0] and "Xk29" not in messages[0]


@pytest.mark.parametrize("run", [
    'curl -fsSL -u "${NEXUS_USER}:${NEXUS_PASS}" -O "${ARTIFACT_URL}"',
    "curl -u admin:admin http://127.0.0.1:8081/app.zip -o app.zip",  # a stock default, not a secret
])
def test_a_command_line_reference_or_default_is_not(run: str) -> None:
    assert _found(f"FROM debian:12-slim\nRUN {run}\n{_SERVE}", "SEC005") == []


# SEC001 (held-out sample, microsoft/mssql-docker): SQL Server's documented placeholder password in a LABEL's
# sample `docker run` line and in ENV; a made-up strong password under the same name is still reported.
@pytest.mark.parametrize("line", [
    "LABEL run='docker run -e ACCEPT_EULA=Y -e SA_PASSWORD=yourStrong@Password -p 1433:1433 mssql'",
    'ENV MSSQL_SA_PASSWORD="yourStrong(!)Password"',
    "ENV SA_PASSWORD=YourStrong!Passw0rd",
])
def test_sql_servers_documented_placeholder_password_is_no_credential(line: str) -> None:
    assert _found(f"FROM mcr.microsoft.com/mssql/server:2022-latest\n{line}\n", "SEC001") == []


def test_a_strong_password_of_ones_own_is_still_a_credential() -> None:
    assert _found("FROM mcr.microsoft.com/mssql/server:2022-latest\nENV SA_PASSWORD=Kq9#vT2m!Lx7wRb4\n", "SEC001")
