"""A rule's prefilter trigger (its RE2::Set entry when keywords alone are too common) must never hide a match.

The detector runs a rule only where its trigger was seen, so a trigger that misses one of the rule's matches
loses that finding silently. Here every match of every rule with a trigger, over the generated provider corpus
and the planted corpus, must itself contain a match of the trigger (case-insensitive, as in the Set).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import re2

from imgforge.secrets import RULES
from imgforge.secrets.context import Rule

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tokengen import credential_name, tokens  # noqa: E402

PLANTED = Path(__file__).resolve().parents[1] / "data" / "secrets" / "planted"
TRIGGERED = [rule for rule in RULES if rule.trigger]


def _texts() -> list[bytes]:
    """Generated tokens bare, under a name in .env / JSON / shell forms, and every planted file."""
    lines = []
    for provider, value in tokens(per_provider=20):
        name = credential_name(provider)
        lines += [value, f"{name}={value}", json.dumps({name: value}), f'export {name}="{value}"',
                  f"curl -u ci:{value} https://registry.invalid", f"Authorization: Bearer {value}"]  # fmt: skip
    texts = ["\n".join(lines).encode()]
    return texts + [p.read_bytes() for p in sorted(PLANTED.rglob("*")) if p.is_file()]


@pytest.fixture(scope="module")
def texts() -> list[bytes]:
    return _texts()


def test_some_rules_have_triggers() -> None:
    assert len(TRIGGERED) >= 20


@pytest.mark.parametrize("rule", TRIGGERED, ids=lambda rule: f"{rule.id}:{rule.trigger[:24]!r}")
def test_trigger_is_inside_every_match(rule: Rule, texts: list[bytes]) -> None:
    options = re2.Options()
    options.case_sensitive = False
    trigger = re2.compile(rule.trigger, options)
    matched = 0
    for pattern in {rule.pattern, rule.code_pattern or rule.pattern}:
        for text in texts:
            for m in re2.compile(pattern).finditer(text):
                matched += 1
                assert trigger.search(m.group(0)), f"{rule.id}: trigger misses a match ({len(m.group(0))} bytes)"
    assert matched, f"{rule.id}: no text exercises this rule"
