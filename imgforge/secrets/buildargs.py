"""Build arguments recorded in history ``created_by`` lines, and their redaction for printing.

BuildKit writes the build args a ``RUN`` step saw in front of its command: ``RUN |2 NPM_TOKEN=abc MODE=x
/bin/sh -c npm ci``. Those lines end up in every report format, so the value of any argument whose name
looks like a credential is replaced by ``<redacted>`` whether or not a rule recognises the value.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
_HEADER = re.compile(r"^\s*(?:RUN\s+)?\|(\d{1,3})\s+")
_ARG = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_NEXT_ARG = re.compile(r"\s+[A-Za-z_][A-Za-z0-9_]*=")
# The last value ends where the command starts: BuildKit's shell form, else at the first blank.
_SHELL = re.compile(r"\s+(?:/bin/(?:ba)?sh -c |cmd /S /C )")
_BLANK = re.compile(r"\s")
# Broader than the generic rule's names on purpose: hiding a harmless CACHE_KEY costs nothing here.
_CREDENTIAL_NAME = re.compile(
    r"(?:pass(?:word|wd|phrase)?|pwd|secret|token|key|auth|cred(?:ential)?s?|pat|cookie|session|signature|dsn"
    r"|conn(?:ection)?_?str(?:ing)?|private|license|cert)(?:_?(?:b64|base64|file|value|data))?$",
    re.IGNORECASE,
)


def build_args(created_by: str) -> list[tuple[str, str, int, int]]:
    """The ``(name, value, start, end)`` of each build arg in front of a history command (``[]`` if none).

    BuildKit does not quote the values, so a value runs to the next ``NAME=`` of the list and the last one to
    the shell (``/bin/sh -c``) when there is one, else to the first blank.
    """
    header = _HEADER.match(created_by)
    if not header:
        return []
    count, pos = int(header.group(1)), header.end()
    found: list[tuple[str, str, int, int]] = []
    for index in range(count):
        arg = _ARG.match(created_by, pos)
        if not arg:
            break
        start = arg.end()
        if index < count - 1:
            following = _NEXT_ARG.search(created_by, start)
            end = following.start() if following else len(created_by)
        else:
            blank = _SHELL.search(created_by, start) or _BLANK.search(created_by, start)
            end = blank.start() if blank else len(created_by)
        found.append((arg.group(1), created_by[start:end], start, end))
        pos = end
        while pos < len(created_by) and created_by[pos].isspace():
            pos += 1
    return found


def is_credential_name(name: str) -> bool:
    """True for a build-arg or variable name that looks like it holds a credential (``NPM_TOKEN``, ``DB_PASS``)."""
    return _CREDENTIAL_NAME.search(name) is not None


def redact_build_args(created_by: str) -> str:
    """``created_by`` with the value of every credential-named build arg replaced by ``<redacted>``."""
    out, last = [], 0
    for name, value, start, end in build_args(created_by):
        if value and is_credential_name(name):
            out.append(created_by[last:start] + REDACTED)
            last = end
    return "".join(out) + created_by[last:] if out else created_by
