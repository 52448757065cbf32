"""What a rule sees while it runs (the scanned bytes and how to read them) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Context:
    """One scan: the bytes, their path, and whether unquoted values are literals (``.env``, YAML, shell)."""

    data: bytes
    path: str
    literal_values: bool


@dataclass(frozen=True)
class Found:
    """A secret a rule accepted: where it sits in ``Context.data`` and its bytes (never printed)."""

    start: int
    end: int
    secret: bytes

    def __repr__(self) -> str:
        return f"Found(start={self.start}, end={self.end}, secret=<{len(self.secret)} bytes>)"


@dataclass(frozen=True)
class SecretMatch:
    """One finding. Holds only a redacted preview and a fingerprint, never the secret itself."""

    rule: str  # stable id, e.g. "aws-access-key-id"
    description: str  # human text, e.g. "AWS access key id"
    line: int  # 1-based line in the scanned text (1 for values)
    redacted: str  # at most 4 leading + 4 trailing characters of the secret
    fingerprint: str  # sha256(rule + ":" + secret).hexdigest()[:16]


Extractor = Callable[[Any, Context], "Found | None"]


@dataclass(frozen=True)
class Rule:
    """One credential kind."""

    id: str
    description: str
    keywords: tuple[bytes, ...]
    pattern: bytes
    extract: Extractor
    paths: tuple[str, ...] = ()
    trigger: bytes = b""  # an RE2 regex used in the prefilter instead of the keywords, when they are too common
    code_pattern: bytes = b""  # the regex for source code (files whose bare values are expressions), if different
    # False for kinds whose public examples fill dependency trees (docs, test keys, demo URLs): such a rule does
    # not run in third-party code (paths.is_third_party) nor in the project's own tests, docs and examples
    # (paths.is_sample); vendor-shaped tokens are looked for everywhere.
    third_party: bool = True
