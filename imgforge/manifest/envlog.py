"""What a container's log says about the environment variables it needs and was not given: the sentences of the
configuration libraries (envalid, os.environ, django-environ, python-decouple, pydantic-settings, Go's env
packages) and the ones apps write themselves."""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")

_ENV_NAME = r"([A-Z][A-Z0-9_]{1,63})"
_LACKING = r"(?i:not set|missing|required|undefined|not defined|must be set)"
# How configuration libraries say a variable is missing: envalid's block (`Missing environment variables:` then
# `    NAME: undefined`), os.environ['NAME'] (KeyError), django-environ and Django settings (`Set the NAME
# environment variable`), Go's caarlos0/env and envconfig, and the plain sentences apps write themselves.
_ENV_MISSING = (
    re.compile(rf"(?i:environment variable|env var)s?:? [\"'`]?{_ENV_NAME}[\"'`]? (?i:is )?{_LACKING}"),
    re.compile(rf"\b{_ENV_NAME}[\"'`]? (?i:environment variable|env var)(?:iable)? (?i:is )?{_LACKING}"),
    re.compile(rf"Set the {_ENV_NAME} environment variable"),
    re.compile(rf"required key {_ENV_NAME} missing value"),
    re.compile(rf"required environment variable \"{_ENV_NAME}\" is not set"),
    # python-decouple's config('NAME') without a default.
    re.compile(rf"UndefinedValueError: {_ENV_NAME} not found"),
)
_ENVALID = re.compile(r"Missing environment variables:\s*\n((?:[ \t]+\S[^\n]*\n?)+)")
_SETTINGS_ERROR = re.compile(r"ValidationError: \d+ validation errors? for \w*Settings\b")
_FIELD_MISSING = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{1,63})\n\s+Field required \[type=missing", re.M)
_KEY_ERROR = re.compile(rf"^KeyError: '{_ENV_NAME}'", re.M)
# os.environ.get('NAME') / os.getenv('NAME') with no default gave None, and the traceback's last source line used it
# (`.split(" ")` or `int(...)`): the error is about NoneType, and the line above it (or above its caret line) reads
# the variable.
_NONE_ERROR = re.compile(r"^(?:[\w.]*\.)?(?:AttributeError|TypeError): .*\bNoneType\b", re.M)
_GET_NO_DEFAULT = re.compile(rf"""(?:environ\.get|getenv)\(\s*["']{_ENV_NAME}["']\s*\)""")


def missing_env(logs: str) -> list[str]:
    """Names of environment variables a container's log says it needs and lacks, in order, each once."""
    logs = ANSI.sub("", logs)
    names: list[str] = []
    for pattern in _ENV_MISSING:
        names += [m.group(1) for m in pattern.finditer(logs)]
    if block := _ENVALID.search(logs):
        names += re.findall(rf"^[ \t]+{_ENV_NAME}:", block.group(1), re.M)
    # pydantic-settings: a BaseSettings class's required fields, one per block, read from the environment by their
    # names in any case (`DATABASE_URL` for `database_url`; an env_prefix, when the class has one, comes before).
    if _SETTINGS_ERROR.search(logs):
        names += [m.group(1).upper() for m in _FIELD_MISSING.finditer(logs)]
    if "environ" in logs:  # os.environ['NAME'] / os.environ.__getitem__ in the traceback above the KeyError
        names += [m.group(1) for m in _KEY_ERROR.finditer(logs)]
    names += _read_as_none(logs)
    return list(dict.fromkeys(names))


def _read_as_none(logs: str) -> list[str]:
    """The variables read with no default on the source line a NoneType error's traceback ends at."""
    lines = logs.splitlines()
    names: list[str] = []
    for at, line in enumerate(lines):
        if _NONE_ERROR.match(line):
            # The source line, then (Python 3.11+) a line of carets under the failing expression.
            for source in lines[max(0, at - 2):at]:
                names += _GET_NO_DEFAULT.findall(source)
    return names

