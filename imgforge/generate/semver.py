"""npm-style version ranges (`^20.19.0 || >=22.12`, `18.x`, `>=18 <21`, `1.2 - 2`), enough to judge `engines.node`."""

from __future__ import annotations

import re

# A version part is a number of at most 18 digits or a wildcard: `1x2` is unreadable, and a part of thousands of
# digits (past int()'s limit) reads as no range at all rather than a crash.
_NUM = r"(\d{1,18}|[xX*])"
_PART = re.compile(rf"^(<=|>=|<|>|=|\^|~>?)?\s*v?{_NUM}(?:\.{_NUM})?(?:\.{_NUM})?(?:[-+][0-9A-Za-z.-]*)?$")


def _triple(text: str) -> tuple[int, int, int]:
    nums = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return (nums + [0, 0, 0])[0], (nums + [0, 0, 0])[1], (nums + [0, 0, 0])[2]


def _wild(p: str | None) -> bool:
    return p is None or p in ("x", "X", "*")


def _bounds(op: str, major: str, minor: str | None, patch: str | None) -> list[tuple[str, tuple[int, int, int]]]:
    """The comparator as (op, version) pairs over full triples."""
    if _wild(major):
        return []
    m = int(major)
    n = None if _wild(minor) else int(minor or 0)
    p = None if _wild(patch) else int(patch or 0)
    low = (m, n or 0, p or 0)
    if op in ("", "="):
        if n is None:
            return [(">=", low), ("<", (m + 1, 0, 0))]
        if p is None:
            return [(">=", low), ("<", (m, n + 1, 0))]
        return [("=", low)]
    if op == "^":
        if m > 0 or n is None:
            return [(">=", low), ("<", (m + 1, 0, 0))]
        if n > 0 or p is None:
            return [(">=", low), ("<", (0, n + 1, 0))]
        return [(">=", low), ("<", (0, 0, (p or 0) + 1))]
    if op in ("~", "~>"):
        if n is None:
            return [(">=", low), ("<", (m + 1, 0, 0))]
        return [(">=", low), ("<", (m, n + 1, 0))]
    if op == ">" and (n is None or p is None):
        # >1 means >=2.0.0; >1.2 means >=1.3.0
        return [(">=", (m + 1, 0, 0) if n is None else (m, n + 1, 0))]
    if op == "<=" and (n is None or p is None):
        return [("<", (m + 1, 0, 0) if n is None else (m, n + 1, 0))]
    return [(op, low)]


def _test(version: tuple[int, int, int], op: str, bound: tuple[int, int, int]) -> bool:
    return {"<": version < bound, "<=": version <= bound, ">": version > bound, ">=": version >= bound,
            "=": version == bound}[op]


def satisfies(version: str, spec: str) -> bool:
    """Whether `version` (e.g. `20.19.2`) is in the npm range `spec`; an unreadable range accepts nothing."""
    ver = _triple(version)
    for alternative in spec.split("||"):
        text = alternative.strip()
        if text in ("", "*", "x", "latest"):
            return True
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", text)
        parts = [f">={hyphen.group(1)}", f"<={hyphen.group(2)}"] if hyphen else re.sub(r"(<=|>=|<|>|=)\s+", r"\1",
                                                                                     text).split()
        checks: list[tuple[str, tuple[int, int, int]]] = []
        ok = True
        for part in parts:
            m = _PART.match(part)
            if not m:
                ok = False
                break
            checks += _bounds(m.group(1) or "", m.group(2), m.group(3), m.group(4))
        if ok and all(_test(ver, op, bound) for op, bound in checks):
            return True
    return False
