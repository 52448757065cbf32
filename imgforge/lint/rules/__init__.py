"""The lint rules: each rule is a small function registered with its id, category, severity and fix.

Importing this package imports every rule module, in one stable order, which registers its rules in `RULES`.
"""

from __future__ import annotations

from imgforge.lint.rules import (  # noqa: F401 - imported to register their rules
    bloat,
    layer_order,
    multistage,
    package_cache,
    packages,
    pinning,
    secret,
    shellform,
    user,
)
from imgforge.lint.rules.base import CATEGORIES, RULES, Check, Hit, Rule, hit, rule, runs

__all__ = ["CATEGORIES", "RULES", "Check", "Hit", "Rule", "hit", "rule", "runs"]
