"""Value checks shared by the rules: entropy, placeholders, hashes and other look-alikes.

Each check looks at one candidate value (never a whole file), so Python ``re`` is fine here where a pattern
cannot backtrack; values have no length limit, so a pattern that could is RE2 (linear time).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from urllib.parse import unquote_to_bytes

import re2

_PLACEHOLDER_WORDS = frozenset(
    b"""
    changeme change_me change-me changeit password passwd pwd pass secret secrets token apikey api_key
    key none null nil undefined true false yes no on off string str bytes bool boolean int integer
    number required optional redacted hidden masked removed todo tbd fixme empty default value
    example sample dummy fake test testing foo bar baz qux admin root user username guest demo
    mysecret mypassword mytoken mypass secretkey secret_key letmein hunter notset not_set unset pw
    xxx placeholder your_token your_password your_secret your_api_key your-token your-password
    private public anonymous bearer basic oauth oauth2 jwt session cookie header env environ
    xyzzy plugh foobar passpass secretsecret topsecret supersecret
    """.split()
)
# Fragments that mark a documentation or template value rather than a real credential.
_PLACEHOLDER_RE = re.compile(
    rb"""(?ix)
    ^\$\{? [a-z_]             # $VAR, ${VAR}
    | ^\$\(                   # $(command)
    | %[sd] | %\( [a-z_]* \)s  # %s, %(name)s
    | \{\{ | \}\} | \$\{ | ^\{ .* \}$  # {{ template }}, ${ inside, {name}
    | <[a-z] | ^\[ .* \]$    # <set me>, pypi-<your token>, [password]
    | xxxx | \*\*\* | \.\.\. | \xe2\x80\xa6 | ^_{3} | _{4}$ | ----  | \#\#\#  # fillers, redactions, truncations
    | (?:token|key|secret|password)here$ | (?:^|[^a-z])(?:insert|put|add)[-_]?(?:your|the|a)
    | (?:^|[^a-z])(?:your|my|the)[-_ ]?(?:own[-_ ]?)?(?:secret|password|pass|token|key|api)
    | (?:^|[^a-z])your[-_ ]?strong  # SQL Server's docs: yourStrong(!)Password, YourStrong@Passw0rd
    | change[-_ ]?me | change[-_ ]?it | replace[-_ ]?(?:me|this|with) | placeholder | insert[-_ ]?here
    | example | dummy | redacted | invalid | incorrect | wrong[-_]?pass | bad[-_]?pass
    | (?:^|[-_])insecure[-_]  # self-declared: Django's startproject key (django-insecure-...) is for development
    | 12345 | abcdef | abc123 | qwerty | some[-_+ ](?:client|secret|password|token|key)
    | dead[-_]?beef | cafe[-_]?babe | feed[-_]?face | baad[-_]?f00d | decaf[-_]?bad  # hex "magic words" of docs
    | not[-_ ]?(?:a|my|your)?[-_ ]?real | fake[-_]?(?:secret|password|token|key)
    | not[-_ ]?(?:a|so)[-_ ]?(?:secret|password|token)  # self-declared: not-a-secret-..., not-so-secret
    | ^(?:none|null|nil|undefined|true|false)$
    | ^process\.env | ^os\.environ | getenv | ^env\. | ^secrets\. | ^vault:
    """
)
_HEX_HASH_RE = re.compile(
    rb"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$", re.I
)
_DIGEST_PREFIX_RE = re.compile(rb"^(?:sha(?:1|224|256|384|512)|md5|blake2b?|h1)[-:=]", re.I)
# self.password, req.body.token, oauth2client.Credentials: each part a name with at most one run of digits
# (random tokens that happen to contain a dot have several).
_SEGMENT = rb"[A-Za-z_$][A-Za-z_$]*(?:[0-9]+[A-Za-z_$]*)?"
_CODE_PATH_RE = re.compile(rb"^" + _SEGMENT + rb"(?:(?:\.|->|::)" + _SEGMENT + rb")+(?:\(\))?$")
_IDENTIFIER_RE = re.compile(rb"^[A-Za-z_$\x80-\xff][A-Za-z_$\x80-\xff-]*$")  # non-ASCII bytes are letters
_DOTTED_RE = re.compile(rb"^[\w$]+(?:\.[\w$]+)*\.([A-Za-z_$][\w$]*)$")
_CODE_IDENTIFIER_RE = re.compile(rb"^[A-Za-z_$][\w$]*$")
# An expression: a call or index on a name, a literal that opens and closes a bracket, or a lambda.
# RE2: in Python's engine the two leading runs backtrack into each other, quadratic in the value's length
# (a 3.7 kB token took 60 ms, a 128 kB one 48 s). "\n?$" is Python's "$" (RE2's "$" is the very end).
_CALL_RE = re2.compile(rb"^[\w$.:>-]*[A-Za-z_$][\w$]*(?:\(.*\)|\[.*\]|\{.*\})[\w$.;]*\n?$|^[(\[{].*[)\]}]\n?$|=>")
_SECRET_WORD_RE = re.compile(rb"pass|pwd|secret|token|key|cred|auth", re.I)
_RESOURCE_PATH_RE = re.compile(rb"^[a-z0-9][a-z0-9._-]*(?:/[a-z0-9][a-z0-9._-]*)+/?$")
_DOMAIN_RE = re.compile(rb"^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}$")
_TOKEN_CHARS_RE = re.compile(rb"^[A-Za-z0-9+/=_\-.~]+$")
_HASH_CONTEXT_RE = re.compile(rb"sha\d|md5|hash|checksum|digest|integrity|etag|commit|revision|\brev\b", re.I)


def shannon_entropy(value: bytes) -> float:
    """Shannon entropy in bits per byte."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def char_classes(value: bytes) -> int:
    """How many of lower, upper, digit and punctuation (other than _ and -) the value uses."""
    has_lower = has_upper = has_digit = has_symbol = False
    for b in value:
        if 97 <= b <= 122:
            has_lower = True
        elif 65 <= b <= 90:
            has_upper = True
        elif 48 <= b <= 57:
            has_digit = True
        elif b not in (95, 45):
            has_symbol = True
    return has_lower + has_upper + has_digit + has_symbol


_LEET = bytes.maketrans(b"@4310$5!|", b"aaeiossil")
_NOT_LETTERS = re.compile(rb"[^a-z]+")
_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/]{8,}={0,2}$")
_DECODED_WORDS = re.compile(rb"^[A-Za-z0-9_.:@!-]+$")


def _normalized(value: bytes) -> bytes:
    """Lowercase letters only, after URL-decoding and undoing leetspeak: ``p%40ssw0rd1`` -> ``password``."""
    return _NOT_LETTERS.sub(b"", unquote_to_bytes(value).lower().translate(_LEET))


def _decoded_text(value: bytes) -> bytes:
    """The text a base64 value decodes to when it is readable prose (``bm90IG15...`` -> ``not my real...``) or
    words and colons (``cGFzc3dvcmQ=`` -> ``password``, ``ZXhhbXBsZTpleGFtcGxl`` -> ``example:example``)."""
    if not _BASE64_TEXT.match(value):
        return b""
    try:
        text = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return b""
    if text.isascii() and b" " in text and text.replace(b" ", b"").isalnum():
        return text
    return text if _DECODED_WORDS.match(text) else b""  # not JSON or binary: a docker auth blob stays a secret


def _placeholder_words(text: bytes) -> bool:
    """True when every ``:``-separated part is a stopword (``user:password``, ``admin``)."""
    return all(_normalized(part) in _PLACEHOLDER_WORDS for part in text.split(b":"))


_LONG_WORDS: dict[int, list[bytes]] = {}  # by length: a value is compared only with words as long as it
for _word in sorted(_PLACEHOLDER_WORDS):
    if len(_word) >= 6 and _word.isalpha():
        _LONG_WORDS.setdefault(len(_word), []).append(_word)


def _one_symbol_off(value: bytes) -> bool:
    """``p#ssword``: a long stopword with one letter written as a symbol (docs showing characters to escape)."""
    core = unquote_to_bytes(value).lower().rstrip(b"0123456789!.").translate(_LEET)
    for word in _LONG_WORDS.get(len(core), ()):
        diff = [i for i in range(len(word)) if core[i] != word[i]]
        if len(diff) == 1 and not chr(core[diff[0]]).isalnum():
            return True
    return False


# An environment variable's name in upper snake case with a credential word among its parts (AUTH_TOKEN,
# NPM_TOKEN_HERE, DB_PASSWORD): written where the value belongs, it stands for the value.
_ENV_NAME_RE = re.compile(rb"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_CREDENTIAL_PART = frozenset({b"TOKEN", b"PASSWORD", b"PASSWD", b"PASS", b"SECRET", b"KEY", b"APIKEY", b"AUTH",
                              b"CREDENTIAL", b"CREDENTIALS", b"PAT"})


# The digits and symbols people append to a word to pass a password policy (`1234$`, `99!#`); a leading
# leetspeak letter of the word itself (`s3cret`) is before them, so only a run holding a digit is cut.
_TRAILING_DIGITS_AND_SYMBOLS = re.compile(rb"[0-9][0-9!.$#%&*?@]*$")
_SED_TAIL = re.compile(rb"^([a-z_]+)[|/#,][gip0-9]*$")


def is_placeholder(value: bytes) -> bool:
    """True for template references, documentation fillers and stopwords (``${TOKEN}``, ``<set me>``, ``changeme``)."""
    stripped = value.strip(b"\"'`")
    lowered = stripped.lower()
    if lowered in _PLACEHOLDER_WORDS or len(set(lowered)) <= 2:
        return True
    if (
        _normalized(stripped) in _PLACEHOLDER_WORDS
        or _normalized(stripped.rstrip(b"0123456789!.")) in _PLACEHOLDER_WORDS
        or _normalized(_TRAILING_DIGITS_AND_SYMBOLS.sub(b"", stripped)) in _PLACEHOLDER_WORDS
    ):
        return True  # p@ssw0rd, Passw0rd1, secret123, s3cret1234$ (a stopword, then digits and symbols)
    if _one_symbol_off(stripped):
        return True
    sed = _SED_TAIL.match(lowered)
    if sed is not None and sed.group(1) in _PLACEHOLDER_WORDS:
        return True  # `s|"allow_empty_password" : false|... : true|g`: a word, then sed's delimiter and flags
    if _ENV_NAME_RE.match(stripped) and _CREDENTIAL_PART & set(stripped.split(b"_")):
        return True  # `_authToken=NPM_TOKEN`: the name of the variable meant to be there, not its value
    prose = _decoded_text(stripped)
    if prose and (_PLACEHOLDER_RE.search(prose) is not None or _placeholder_words(prose)):
        return True  # the same judgement for a value written in base64
    return _PLACEHOLDER_RE.search(stripped) is not None


def is_hash_like(value: bytes, context: bytes = b"") -> bool:
    """True for digests that are high-entropy yet public: hex hashes in hash context, ``sha512-...`` integrity."""
    if _DIGEST_PREFIX_RE.match(value):
        return True  # a UUID is not here: under a credential-like name (SNYK_TOKEN, HEROKU_API_KEY) it is the key
    return bool(_HEX_HASH_RE.match(value)) and (not context or _HASH_CONTEXT_RE.search(context) is not None)


def is_code_reference(value: bytes) -> bool:
    """True for an expression rather than a literal: ``self.password``, ``req.body.token``, ``getToken()``."""
    if _CODE_PATH_RE.match(value):
        return True
    dotted = _DOTTED_RE.match(value)
    if dotted and _SECRET_WORD_RE.search(dotted.group(1)):
        return True  # rust_openssl.hpke.MLKEM768X25519PrivateKey: a reference to something named like a secret
    return _CALL_RE.search(value) is not None  # getToken(), cfg["key"], Foo{...}: code, not a password


def is_plain_identifier(value: bytes) -> bool:
    """True for a bare word or snake/kebab identifier without digits (``new_password``, ``Passwort``),
    or any identifier that names a secret (``testP256PrivateKey``, ``DB_PASSWORD2``)."""
    if _IDENTIFIER_RE.match(value):
        return not _random_letters(value)
    if _CODE_IDENTIFIER_RE.match(value) is None or _SECRET_WORD_RE.search(value) is None:
        return False
    # A long random token can start with a secret word (Telnyx's "KEY" + 32 hex + "_" + 22 base62): a name has few
    # digits and little entropy.
    return len(value) < 24 or sum(48 <= b <= 57 for b in value) < 4 or shannon_entropy(value) < 4.0


def _random_letters(value: bytes) -> bool:
    """True for a long all-letter value whose case flips like random base52, not like camelCase words."""
    letters = [b for b in value if 65 <= b <= 90 or 97 <= b <= 122]
    if len(letters) < 20 or shannon_entropy(value) < 4.0:
        return False
    flips = sum((a < 97) != (b < 97) for a, b in zip(letters, letters[1:], strict=False))
    return flips >= len(letters) // 3  # camelCase flips about once per word, random text every other letter


def is_code_identifier(value: bytes) -> bool:
    """True for anything that parses as a variable name in common languages (``token2``, ``apiKeyV2``)."""
    return _CODE_IDENTIFIER_RE.match(value) is not None


def is_resource_name(value: bytes) -> bool:
    """True for lowercase paths and host names (``projects/p/secrets/name``, ``sql.googleapis.com``)."""
    return _RESOURCE_PATH_RE.match(value) is not None or _DOMAIN_RE.match(value) is not None


def is_token_shaped(value: bytes) -> bool:
    """True when every byte is one tokens are made of (base64, base64url, hex, ``.``, ``~``)."""
    return _TOKEN_CHARS_RE.match(value) is not None
