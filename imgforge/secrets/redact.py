"""Safe previews and stable fingerprints of secret values.

Nothing here returns more than four leading and four trailing characters of a secret.
"""

from __future__ import annotations

import hashlib

_MAX_KEEP = 4
_MAX_STARS = 12


def redact(secret: bytes | str) -> str:
    """A preview like ``AKIA************MPLE``: at most 4 + 4 characters kept, fewer for short secrets."""
    text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
    keep = min(_MAX_KEEP, len(text) // 5)  # 20+ chars keep 4+4; under 5 chars keep nothing
    hidden = max(len(text) - 2 * keep, 1)
    stars = "*" * min(hidden, _MAX_STARS)
    if keep == 0:
        return stars
    return text[:keep] + stars + text[-keep:]


def fingerprint(rule: str, secret: bytes | str) -> str:
    """``sha256(rule + ":" + secret)[:16]``: the same secret under the same rule always gives the same id."""
    raw = secret.encode("utf-8", "surrogateescape") if isinstance(secret, str) else secret
    return hashlib.sha256(rule.encode("utf-8") + b":" + raw).hexdigest()[:16]
