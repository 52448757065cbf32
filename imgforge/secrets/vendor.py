"""Building blocks for vendor rules: the extractor for prefixed tokens, filler detection and format checksums.

A vendor-prefixed token of the right length and alphabet is strong evidence on its own, so these rules do
not use the generic placeholder heuristics (``12345``, ``abcdef``, ``____`` runs): only unmistakable fillers
(``xxxxx``, ``EXAMPLE``, ``<...>``, ``****``, ``####``, ``...``) reject one. A token whose checksum or
structure verifies (GitHub/npm CRC32, PyPI macaroon, JWT header, bech32) is reported whatever it looks like.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Callable
from typing import Any

from imgforge.secrets.checks import shannon_entropy
from imgforge.secrets.context import Context, Extractor, Found, Rule

Check = Callable[[bytes], bool]

# Unmistakable documentation fillers; random tokens of these lengths essentially never contain them.
_FILLER = re.compile(
    rb"(?i)x{5,}|\*{3}|#{3}|\.\.\.|[<>{}\[\]\s]|\$\(|example|placeholder|redacted|your[_\-]?(?:own[_\-]?)?"
    rb"(?:api|key|token|secret)|(?:token|key|secret)here$|insert|replace[_\-]?me|dummy|fake[_\-]?(?:key|token)"
)
_MAX_ASCENDING = 8  # "abcdef" and "12345" occur in real tokens; eight in a row do not (odds ~62^-7 a place)
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TRUNCATED = (b"...", b"\xe2\x80\xa6")
_RUN = re.compile(rb"(.)\1{9,}")  # ten identical characters in a row
_BASE62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BECH32 = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def is_filler(value: bytes) -> bool:
    """True for documentation fillers inside an otherwise token-shaped value (``ghp_xxxxxxxx...``)."""
    if _FILLER.search(value):
        return True
    tail = value.lstrip(value[:1])  # a format's own leading run (Twitter's AAAA...) is not filler
    return _RUN.search(tail) is not None or _ascending(value.lower()) >= _MAX_ASCENDING


def _ascending(value: bytes) -> int:
    """The longest run of consecutive letters or digits in order (``klmnopqr``, ``1234567``)."""
    longest = run = 1
    for a, b in zip(value, value[1:], strict=False):
        run = run + 1 if b == a + 1 and (48 <= b <= 57 or 97 <= b <= 122) else 1
        longest = max(longest, run)
    return longest


def vendor(
    check: Check | None = None,
    min_entropy: float = 3.0,
    group: int = 1,
    shape: Check | None = None,
    word_start: bool = False,
) -> Extractor:
    """Accept group ``group``: at once when ``check`` verifies its checksum or structure, else when it is
    not a filler, has ``min_entropy`` bits per byte and passes ``shape`` (an alphabet or mix test). With
    ``word_start`` the match must not follow a letter, digit or ``_``: a ``\\b`` checked here, because in the
    regex it would cost RE2 its literal-prefix search (four times slower)."""

    def extract(m: Any, ctx: Context) -> Found | None:
        value: bytes = m.group(group)
        if word_start and m.start() > 0 and ctx.data[m.start() - 1] in _WORD:
            return None
        if not value or ctx.data.startswith(_TRUNCATED, m.end(group)):
            return None  # "sk_live_51H8x7d2e..." is a shortened example, not a shorter token
        if ctx.data[m.start(group) - 1 : m.start(group)] == b".":
            return None  # a file name's extension part: "video_box.ico-7a388b69...png"
        if check is not None and check(value):
            return Found(m.start(group), m.end(group), value)
        if in_base64_blob(ctx.data, m.start(group), m.end(group)):
            return None  # a stretch of an embedded binary (undici's llhttp wasm as base64), not a token
        if is_filler(value) or shannon_entropy(value) < min_entropy or (shape is not None and not shape(value)):
            return None
        return Found(m.start(group), m.end(group), value)

    return extract


_BASE64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_BLOB = 1024  # a base64 run this long around a match is an embedded file (wasm, font, image)
_BLOB_REACH = 4096  # how far each way the run is followed, so one candidate costs a bounded walk


def in_base64_blob(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] sits inside a longer run of base64 (with `+` or `/` in it) of at least 1 kB:
    a stretch of an encoded binary. A token is written out whole, between quotes, spaces or `=`; one inside
    base64-encoded text is not visible as itself."""
    left = start
    while left > max(0, start - _BLOB_REACH) and data[left - 1] in _BASE64:
        left -= 1
    right = end
    while right < min(len(data), end + _BLOB_REACH) and data[right] in _BASE64:
        right += 1
    if right - left < _BLOB or (left == start and right == end):
        return False
    run = data[left:right]
    return b"+" in run or b"/" in run


def mixed(value: bytes) -> bool:
    """True when the value has a digit, an upper- and a lowercase letter (random base62, not a word)."""
    return (
        any(48 <= b <= 57 for b in value) and any(65 <= b <= 90 for b in value) and any(97 <= b <= 122 for b in value)
    )


def has_digit(value: bytes) -> bool:
    """True when the value has at least one digit."""
    return any(48 <= b <= 57 for b in value)


_VOWELS = frozenset(b"aeiouAEIOU")


def random_letters(body: bytes) -> bool:
    """True when the letters of a token body read like random text, not words: at most one in four is a vowel
    (random letters have about one in five, identifiers two in five) and, in mixed case, the case flips at
    least every third letter (camelCase flips about once a word). A format-valid token with no digit (one AWS
    key id in 28) is still a token; ``ASIAPACIFICSOUTHEAST`` or ``test_`` + a camelCase name is not."""
    letters = [b for b in body if 65 <= b <= 90 or 97 <= b <= 122]
    if len(letters) < 12 or sum(b in _VOWELS for b in letters) * 4 > len(letters):
        return False
    upper = sum(b < 97 for b in letters)
    if upper in (0, len(letters)):
        return True
    return _case_flips(letters) * 3 >= len(letters) - 1


def _case_flips(letters: list[int]) -> int:
    return sum((a < 97) != (b < 97) for a, b in zip(letters, letters[1:], strict=False))


def mixed_random(value: bytes) -> bool:
    """`mixed`, with the case flipping at least every fourth letter after the prefix, as in random base62 (a miss
    about one key in 180), not once a word as in a camelCase name: Twisted's test method
    `test_exceptionGreaterThan64kEncoded` has Mollie's shape, `test_` and 30 letters and digits."""
    body = value.split(b"_", 1)[-1]  # the vendor's prefix (`live_`, `test_`) is no part of the random text
    letters = [b for b in body if 65 <= b <= 90 or 97 <= b <= 122]
    return mixed(body) and _case_flips(letters) * 4 >= len(letters) - 1


def _shape_or_random(shape: Check, prefixes: tuple[bytes, ...]) -> Check:
    """``shape``, or else random letters after the rule's own prefix (the prefix is not random)."""

    def check(value: bytes) -> bool:
        if shape(value):
            return True
        lowered = value.lower()
        cut = max((len(p) for p in prefixes if lowered.startswith(p)), default=0)
        return random_letters(value[cut:])

    return check


def base62_crc32(payload: bytes) -> bytes:
    """CRC32 of ``payload`` written in base62, six characters, zero padded (GitHub and npm token checksums)."""
    n = zlib.crc32(payload)
    out = bytearray()
    while n:
        n, r = divmod(n, 62)
        out.append(_BASE62[r])
    return bytes(reversed(out)).rjust(6, b"0")


def crc32_token(value: bytes) -> bool:
    """True when the last six characters are the base62 CRC32 of the random part (``ghp_``, ``npm_``)."""
    body = value.split(b"_", 1)[1] if b"_" in value else value
    return len(body) > 6 and base62_crc32(body[:-6]) == body[-6:]


def crc32_whole(value: bytes) -> bool:
    """True when the last ``_`` part is the base62 CRC32 of everything before it (Synapse's ``syt_`` tokens)."""
    head, sep, crc = value.rpartition(b"_")
    return bool(sep) and len(crc) == 6 and base62_crc32(head) == crc


def _b64(data: bytes) -> bytes:
    """Decode standard or URL-safe base64 with or without padding; ``b""`` when it is not base64."""
    data = data.rstrip(b"=")
    try:
        return base64.b64decode(data.replace(b"-", b"+").replace(b"_", b"/") + b"=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return b""


def pypi_macaroon(value: bytes) -> bool:
    """True when a ``pypi-`` token decodes to a v2 macaroon for pypi.org / test.pypi.org ending in a signature."""
    raw = _b64(value[5:])
    return raw.startswith((b"\x02\x01\x08pypi.org", b"\x02\x01\x0dtest.pypi.org")) and raw[-34:-32] == b"\x06\x20"


def jwt_header(value: bytes) -> bool:
    """True when the first dot-separated part decodes to a JSON object naming a real ``alg``."""
    try:
        header = json.loads(_b64(value.split(b".", 1)[0]))
    except ValueError:
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str) and header["alg"].lower() != "none"


def wrapped_jwt(value: bytes) -> bool:
    """True when a base64 value decodes to a JWT (``ZXlK...`` is base64 of ``eyJ...``)."""
    inner = _b64(value).strip()
    return inner.count(b".") == 2 and inner.startswith(b"eyJ") and jwt_header(inner)


def json_payload(value: bytes, prefix_len: int, key: str) -> bool:
    """True when ``value[prefix_len:]`` (up to a ``_`` signature) is base64 JSON holding ``key``."""
    blob = value[prefix_len:].split(b"_", 1)[0]
    try:
        obj = json.loads(_b64(blob))
    except ValueError:
        return False
    return isinstance(obj, dict) and key in obj


def digits_base64(value: bytes) -> bool:
    """True when the first dot-separated part decodes to a decimal id (Discord bot tokens)."""
    return _b64(value.split(b".", 1)[0]).isdigit()


def bech32(value: bytes) -> bool:
    """True when the value is valid bech32 (the human part, ``1``, data with a correct checksum)."""
    hrp, sep, data = value.lower().rpartition(b"1")
    if not sep or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    values = [c >> 5 for c in hrp] + [0] + [c & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= g if (top >> i) & 1 else 0
    return chk == 1


_BASE58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(value: bytes) -> bool:
    """True when the value is Base58Check: its last four bytes are the double SHA-256 of the rest (BIP32 keys)."""
    n = 0
    for c in value:
        digit = _BASE58.find(bytes([c]))
        if digit < 0:
            return False
        n = n * 58 + digit
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(value) - len(value.lstrip(b"1"))) + raw
    return len(raw) > 4 and hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


# A token ends where its alphabet ends; one more token byte means it was only the start of something longer.
END = rb"(?:[^A-Za-z0-9_\-]|$)"
B64_END = rb"(?:[^A-Za-z0-9_\-+/=]|$)"


def prefixed(
    rule_id: str,
    description: str,
    keywords: str,
    body: bytes,
    *,
    check: Check | None = None,
    entropy: float = 3.0,
    shape: Check | None = None,
    trigger: bytes = b"",
    end: bytes = END,
    group: int = 1,
    start: bytes = b"",
    third_party: bool = True,
) -> Rule:
    """A vendor rule: ``body`` (RE2, after ``start``, else at a word start) found by its ``keywords``."""
    words = tuple(w.encode() for w in keywords.split())
    return Rule(
        rule_id,
        description,
        words,
        start + rb"(" + body + rb")" + end,
        vendor(check, entropy, group, _shape_or_random(shape, words) if shape else None, word_start=not start),
        trigger=trigger,
        third_party=third_party,
    )
