"""`.dockerignore` matching with the engine's rules: last match wins, `!` re-includes, `**` spans folders,
and a pattern that matches a parent folder excludes everything under it."""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    exclusion: bool


def _clean(path: str) -> str:
    cleaned = posixpath.normpath(path.strip()).lstrip("/")
    return "" if cleaned == "." else cleaned


# Projects made from one recipe share its generated .dockerignore: translate each pattern once.
@functools.lru_cache(maxsize=4096)
def _to_regex(pattern: str) -> re.Pattern[str]:
    """Translate one pattern (Go filepath.Match plus `**`) into an anchored regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1:end]
                if body.startswith(("^", "!")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$")


class DockerIgnore:
    """The patterns of one `.dockerignore`; `excludes(path)` says whether the engine leaves a file out."""

    def __init__(self, text: str) -> None:
        self._patterns: list[_Pattern] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            cleaned = _clean(line[1:] if exclusion else line)
            if not cleaned:
                continue
            self._patterns.append(_Pattern(_to_regex(cleaned), exclusion))

    def excludes(self, path: str) -> bool:
        """Whether `path` (relative to the context, `/`-separated) is left out of the build context."""
        file = _clean(path)
        parts = file.split("/")
        excluded = False
        parents = ["/".join(parts[:i]) for i in range(1, len(parts))]
        for pat in self._patterns:
            # Like the engine's matcher: the file itself, or any folder above it (so `**/docs` takes a/b/docs/x).
            hit = bool(pat.regex.match(file)) or any(pat.regex.match(parent) for parent in parents)
            if hit:
                excluded = not pat.exclusion
        return excluded
