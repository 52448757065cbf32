"""Regular expressions compiled on first use, for the rules' module-level patterns.

A one-file `imgforge lint` uses about 40 of the ~90 patterns the lint modules define, and compiling the others at
import was ~7 ms of its ~0.1 s (bench/lint.py; re.compile timed per pattern). After its first call a pattern's
methods are the compiled pattern's own, so a batch pays nothing for the laziness.
"""

from __future__ import annotations

import re
from typing import Any, cast

_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class _Lazy:
    """Stands in for a compiled pattern until one of its methods is called."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)

    def _compile(self) -> re.Pattern[str]:
        compiled: re.Pattern[str] = re.compile(*self._args)
        for name in _METHODS:
            setattr(self, name, getattr(compiled, name))  # instance attributes: __getattr__ is not asked again
        self._compiled = compiled
        return compiled

    def __getattr__(self, name: str) -> Any:  # the first method call compiles; then pattern, flags, groups...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.__dict__.get("_compiled") or self._compile(), name)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - a drop-in for re.compile
    """`re.compile(pattern, flags)`, done on the first call of one of the pattern's methods."""
    return cast("re.Pattern[str]", _Lazy(pattern, int(flags)))
