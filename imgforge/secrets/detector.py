"""The detector: one RE2::Set keyword pass picks the rules worth running, then each runs its RE2 regex.

Text without any keyword costs one linear pass; no Python ``re`` ever runs over a whole file.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import posixpath
from collections.abc import Iterable, Sequence
from typing import Any

import re2

from imgforge.secrets import generic, keystores
from imgforge.secrets.buildargs import build_args
from imgforge.secrets.context import Context, Found, SecretMatch
from imgforge.secrets.paths import glob_matcher, is_binary_path, is_sample, is_third_party, literal_values_for
from imgforge.secrets.redact import fingerprint, redact
from imgforge.secrets.context import Rule
from imgforge.secrets.rules import RULES

_HEAD = 8192
# Bytes that plain text (ASCII or UTF-8) is made of; anything else in the head suggests binary.
_TEXT_BYTES = bytes([7, 8, 9, 10, 11, 12, 13, 27]) + bytes(range(32, 127)) + bytes(range(128, 256))
_MAX_NON_TEXT = 0.05
_MAX_CANDIDATES = 20_000  # regex matches checked per rule and file
_NAME = re2.compile(generic.NAME)
_GENERIC = next(rule for rule in RULES if rule.id == "generic-secret")


def looks_binary(data: bytes) -> bool:
    """True when the first 8 KiB have a NUL byte or more than 5% bytes that text does not use."""
    head = data[:_HEAD]
    if b"\0" in head:
        return True
    return len(head.translate(None, _TEXT_BYTES)) > len(head) * _MAX_NON_TEXT


class SecretDetector:
    """Finds credentials in file contents and in single values (ENV, labels, history lines)."""

    def __init__(self, rules: Sequence[Rule] = RULES, *, strict: bool = False) -> None:
        self._strict = strict  # tests set it so a rule's bug raises instead of silently dropping findings
        self._rules = tuple(rules)
        # Each rule's regexes are compiled on the rule's first keyword hit: compiling all ~340 up front costs
        # ~0.07 s (more on a busy machine), a sixth of a whole `imgforge scan` of a small image, and most
        # rules never fire. Strict detectors (tests) compile them all here, so a bad pattern fails at once.
        self._compiled: dict[bytes, Any] = {}
        if strict:
            self.compile_all()
        self._paths = tuple(glob_matcher(rule.paths) if rule.paths else None for rule in self._rules)
        options = re2.Options()
        options.case_sensitive = False
        options.max_mem = 64 << 20  # the Set's DFA must never run out of memory: it would report "no match"
        self._keywords = re2.Set.SearchSet(options)
        triggers: dict[bytes, list[int]] = {}  # one Set entry per distinct keyword, shared by its rules
        for index, rule in enumerate(self._rules):
            for trigger in (rule.trigger,) if rule.trigger else tuple(re2.escape(w) for w in rule.keywords):
                triggers.setdefault(trigger, []).append(index)
        self._keyword_rules: list[tuple[int, ...]] = []
        for trigger, indices in triggers.items():
            self._keywords.Add(trigger)
            self._keyword_rules.append(tuple(indices))
        self._keywords.Compile()

    def scan_bytes(self, data: bytes, path: str = "") -> list[SecretMatch]:
        """Findings in one file's content; binary content is only checked for key stores and DER keys (fast).
        Never raises."""
        if not data:
            return []
        if looks_binary(data):
            return self._binary(bytes(data), path)
        return self._scan(bytes(data), path)

    def wants_binary(self, head: bytes, size: int) -> bool:
        """Whether a binary file with these first bytes may be a key store or a DER key (then scan_bytes it)."""
        return keystores.may_hold_key(head, size)

    def _binary(self, data: bytes, path: str) -> list[SecretMatch]:
        if is_third_party(path) or is_sample(path):
            return []  # test key stores ship inside libraries and projects' tests, as PEM test keys do
        try:
            found = keystores.find_key(data)
        except Exception:
            if self._strict:
                raise
            return []
        if found is None:
            return []
        rule, material = found
        # No byte of a binary key is shown: the preview says what it is and how big.
        return [SecretMatch(rule, keystores.KINDS[rule], 1, f"<binary, {len(data):,} bytes>",
                            fingerprint(rule, material))]

    def scan_value(self, value: str, name: str = "") -> list[SecretMatch]:
        """Findings in one value: an ENV value with its name, a label with its key, or a history line."""
        data = value.encode("utf-8", "surrogatepass")  # never raises, even on lone surrogates
        found = [dataclasses.replace(m, line=1) for m in self._scan(data, "", True)]  # values: line 1
        pairs: list[tuple[bytes, bytes]] = [(name.encode("utf-8", "surrogatepass"), data)] if name else []
        pairs.extend((key.encode("utf-8", "surrogatepass"), val.encode("utf-8", "surrogatepass"))
                     for key, val, _, _ in build_args(value))  # RUN |2 KEY=value ... (BuildKit history)
        for key, val in pairs:
            if not (_NAME.fullmatch(key) and generic.value_is_secret(val, key, quoted=False, literal_values=True)):
                continue
            if not any(m.rule != _GENERIC.id for m in self._scan(val, "", True)):
                found.append(_match(_GENERIC, val, 1))  # a specific rule, when one knows the value, says it better
        return list(_unique(found))

    def wants_path(self, path: str) -> bool:
        """False for obvious binaries by extension (``.so``, ``.png``, ``.whl``...), True for everything else."""
        return not is_binary_path(path)

    def _scan(self, data: bytes, path: str, literal_values: bool | None = None) -> list[SecretMatch]:
        hits = self._keywords.Match(data)
        if not hits:
            return []  # most files: the path is looked at only when a keyword is there
        ctx = Context(data, path, literal_values_for(path) if literal_values is None else literal_values)
        wanted = sorted({index for hit in hits for index in self._keyword_rules[hit]})
        base = posixpath.basename(ctx.path)
        third_party = is_third_party(ctx.path) or is_sample(ctx.path)
        taken = _Spans()
        accepted: list[tuple[Found, Rule]] = []
        for index in wanted:
            only = self._paths[index]
            if only is not None and only.match(base) is None:
                continue
            if third_party and not self._rules[index].third_party:
                continue
            for found in self._run(index, ctx):
                if taken.add(found.start, found.end):  # else a more specific rule already reported this value
                    accepted.append((found, self._rules[index]))
        accepted.sort(key=lambda item: item[0].start)
        results: list[SecretMatch] = []
        line, pos = 1, 0
        for found, rule in accepted:  # count lines incrementally: one pass, however many findings
            line += ctx.data.count(b"\n", pos, found.start)
            pos = found.start
            if not _allowed(ctx.data, found.start, found.end):
                results.append(_match(rule, found.secret, line))
        return results

    def compile_all(self) -> None:
        """Compile every rule's regexes now (else each is compiled on its rule's first keyword hit)."""
        for rule in self._rules:
            self._regex(rule.pattern)
            self._regex(rule.code_pattern or rule.pattern)

    def _regex(self, pattern: bytes) -> Any:
        regex = self._compiled.get(pattern)
        if regex is None:
            regex = self._compiled[pattern] = re2.compile(pattern)
        return regex

    def _run(self, index: int, ctx: Context) -> Iterable[Found]:
        rule = self._rules[index]
        try:
            regex = self._regex(rule.pattern if ctx.literal_values else rule.code_pattern or rule.pattern)
            for count, m in enumerate(regex.finditer(ctx.data)):
                if count >= _MAX_CANDIDATES:
                    return  # a hostile or generated file: bound the Python work per rule (~0.5 s)
                found = rule.extract(m, ctx)
                if found is not None:
                    yield found
        except Exception:
            if self._strict:
                raise


class _Spans:
    """Disjoint byte spans already reported, kept sorted so an overlap test is a bisection."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Record ``[start, end)`` and return True, or return False when it overlaps a recorded span."""
        i = bisect.bisect_right(self._starts, start)
        if (i > 0 and self._ends[i - 1] > start) or (i < len(self._starts) and self._starts[i] < end):
            return False
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True


# Inline allow comments of the tools users come from (gitleaks, detect-secrets, trufflehog) and our own: on the
# secret's line (the line after `pragma: allowlist nextline secret`), they mark a value as reviewed.
_ALLOW = re2.compile(rb"(?i)(?:gitleaks|imgforge):allow|pragma: ?(?:allow|white)list secret|trufflehog:ignore")
_ALLOW_NEXT = re2.compile(rb"(?i)pragma: ?(?:allow|white)list nextline secret")


def _allowed(data: bytes, start: int, end: int) -> bool:
    """Whether the lines holding data[start:end] carry an allow comment (or the line before says nextline)."""
    first = data.rfind(b"\n", 0, start) + 1
    last = data.find(b"\n", end)
    last = len(data) if last < 0 else last
    # A comment sits near its value: at most 1 KiB either side is read (a minified file is one long line).
    if _ALLOW.search(data[max(first, start - 1024):min(last, end + 1024)]):
        return True
    previous = data.rfind(b"\n", 0, max(first - 1, 0)) + 1 if first else -1
    return previous >= 0 and _ALLOW_NEXT.search(data[previous:first]) is not None


def _match(rule: Rule, secret: bytes, line: int) -> SecretMatch:
    return SecretMatch(rule.id, rule.description, line, redact(secret), fingerprint(rule.id, secret))


def _unique(matches: Iterable[SecretMatch]) -> Iterable[SecretMatch]:
    seen: set[tuple[str, str]] = set()
    for match in matches:
        if (match.rule, match.fingerprint) not in seen:
            seen.add((match.rule, match.fingerprint))
            yield match


@functools.lru_cache(maxsize=1)
def default_detector() -> SecretDetector:
    """The shared detector with every built-in rule (compiled once)."""
    return SecretDetector()
