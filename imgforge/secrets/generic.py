"""The generic rule: a literal value assigned to a credential-like name, kept only if it looks like a secret.

False-positive controls, in order: the name must *end* with a secret word (``db_password`` yes,
``password_field`` no); quoted values must close their quote; placeholders, stopwords, template
references, code expressions, plain words, hashes in hash context and UUIDs are dropped; what is left
must have enough entropy and character variety. Unquoted values count as literals only where the file
kind says so (``.env``, YAML, INI, shell, Dockerfile); in source code they need a stronger look.
"""

from __future__ import annotations

import re
from typing import Any

from imgforge.secrets.checks import (
    char_classes,
    is_code_identifier,
    is_code_reference,
    is_hash_like,
    is_placeholder,
    is_plain_identifier,
    is_resource_name,
    is_token_shaped,
    shannon_entropy,
)
from imgforge.secrets.context import Context, Found

KEYWORDS: tuple[bytes, ...] = (
    b"password", b"passwd", b"passphrase", b"pwd", b"_pass", b"-pass", b".pass", b"secret", b"token", b"apikey",
    b"api_key", b"api-key", b"api.key", b"access_key", b"accesskey", b"access-key", b"private_key", b"privatekey",
    b"private-key", b"auth_key", b"authkey", b"credential", b"signing_key", b"signingkey",
    b"encryption_key", b"encryptionkey", b"master_key", b"masterkey", b"license_key", b"licensekey",
    b"license-key",
)  # fmt: skip

_SECRET_WORD = (
    rb"(?:password|passwd|passphrase|pwd|[_.\-]pass|secret|secret[_.\-]?key|token|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key"
    rb"|auth[_.\-]?key|credentials?|signing[_.\-]?key|encryption[_.\-]?key|master[_.\-]?key|license[_.\-]?key)"
)
NAME = rb"(?i)[a-z0-9_.\-]{0,40}" + _SECRET_WORD
# Prefilter entry: a secret word followed by an assignment, so prose that merely says "token" costs nothing.
# What may sit between the name and the operator: an escaped or plain closing quote (env text inside a JSON
# string), a PHP array's "]", a declared type (Go `var x string =`, TypeScript `x: string =`).
_AFTER_NAME = rb"(\\?[\"']?)\]?(?:[ \t]+(?:string|String|str|&str|\[\]byte)|[ \t]*:[ \t]*(?:string|String|str))?"
# Assignment operators: make's ?= and ::=, PHP's .=, XML's element ">" and a call's "," (setProperty("K", "v")).
_OP = rb"(::=|:=|\?=|\.=|=>|=|:|>|,)"
TRIGGER = (_SECRET_WORD + rb"(?:" + _AFTER_NAME + rb"[ \t]*(?:::=|:=|\?=|\.=|=>|=|:)"
           rb"|\\?[\"'][ \t]*,[ \t]*\\?[\"']|>[^<\s])")
# The regex starts at the secret word (a leading name-prefix class would blow up the DFA); extract() walks
# back over the rest of the name in Python.
_HEAD = rb"(?i)(" + _SECRET_WORD + rb")" + _AFTER_NAME + rb"[ \t]*" + _OP + rb"[ \t]*\\?"
# A value made only of letters, "_", "-" and "$" is a word or an identifier, never reported (see
# is_plain_identifier); requiring one other byte here lets the DFA drop those without Python.
# A long all-letter value may be a random token (base52); is_plain_identifier tells it from a word.
_QUOTED = rb"([\"'`])([^\s\"'`]*[^\sA-Za-z_$\-\x80-\xff\"'`][^\s\"'`]*|[A-Za-z]{20,})[\"'`]"
# Groups: 1 name, 2 closing quote of the name, 3 operator, 4 value quote, 5 quoted value, 6 (empty), 7 bare value.
PATTERN = _HEAD + rb"(?:" + _QUOTED + rb"|()([^\s\"'`]*[^\sA-Za-z_$\-\x80-\xff\"'`][^\s\"'`]*|[A-Za-z]{20,}))"
# In source code a bare value is an expression unless it is token-shaped with a digit; the DFA drops the rest.
CODE_PATTERN = _HEAD + rb"(?:" + _QUOTED + rb"|()([A-Za-z+/=_\-.~]*[0-9][A-Za-z0-9+/=_\-.~]*)(?:[\s,;`\\<]|$))"
# $VAR, ${VAR}, $(cmd), YAML &anchor / *alias, @variable (Gradle, Ansible, SQL), %VAR% (Windows).
# $VAR, ${VAR}, $(cmd); YAML anchors; %VAR% (Windows) and Symfony's parameters: %kernel.secret%, %env(APP_SECRET)%.
_REFERENCE = re.compile(rb"^(?:\$[\w{(]|[&*@][A-Za-z_][\w.-]*$|%(?:[A-Za-z_][\w.]*|env\([\w:.-]+\))%$)")
# Names ending in "token" that name pagination cursors, idempotency keys and the like, not credentials.
_NOT_A_CREDENTIAL = re.compile(
    rb"(?:next|page|pagination|continuation|cursor|marker|client|change|idempotency|verification|update|sync"
    rb"|csrf|xsrf|import|export|product|request|resume|cancel|cancellation|publickey|bos|eos|pad|unk|mask"
    rb"|sep|cls|eot|stop|lexer|sort|public|lock|continue|ack|previous|prev)tokens?$"
)
_NOT_LETTERS = re.compile(rb"[^a-z]+")
_NOT_ALNUM = re.compile(rb"[^a-z0-9]+")
_CREDENTIAL_WORD = re.compile(rb"pass|pwd|secret|token|key|cred|auth")
_CALL_OPEN = re.compile(rb"\(\s*\\?[\"']$")
_VALUE_END = re.compile(rb"&|\\[nrt\"'\\]|\\$|</")
_SHORT_HEX = re.compile(rb"^[0-9a-f]{1,20}$")
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_MAX_NAME = 40
_BARE_WORDS = frozenset((b"password", b"passwd", b"passphrase", b"pwd", b"secret", b"token"))
_LINE_CONTEXT = 160  # bytes either side of a value searched for hash words (sha256, integrity, ...)
# An Algolia search configuration (DocSearch in VitePress, Docusaurus, VuePress themes: appId, apiKey, indexName
# side by side): its apiKey is the search-only key Algolia publishes to every visitor's browser by design.
_ALGOLIA_APP_ID = re.compile(rb"(?i:app_?id)\\?[\"']?\s*[:=]\s*\\?[\"'][A-Z0-9]{10}\\?[\"']")
# Scripts written without spaces between words (Han, kana, Hangul, Thai): a value holding them is a translated
# sentence (a locale file's "wayToGetLineNotifyToken": "{0}からアクセストークンを入手できます"), never a token.
_UNSPACED_SCRIPT = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
_SQL_CONDITION = re.compile(rb"\w+(?:=|<>|!=|<=?|>=?)\?")
_SECRET_NAME_SIBLING = re.compile(rb"(?i)secret_?name\\?[\"']?\s*[:=]")
# A key of a Secret's data as people name them: upper or lower case words joined by `-`, `_` or `.`.
_KEY_NAME = re.compile(rb"^(?:[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)+|[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+)$")
_ALGOLIA_INDEX = re.compile(rb"(?i)index_?name\\?[\"']?\s*[:=]")


def is_reference(value: bytes) -> bool:
    """True for values that point at a secret rather than being one (``$TOKEN``, ``env.X``, ``self.pw``)."""
    return _REFERENCE.match(value) is not None or is_code_reference(value)


# A version or a range of one (npm, pip, Cargo, Composer): `^4.0.23`, `~1.2`, `>=2.0.0 <3`, `1.x`, `v2.3.1-beta.2`.
_VERSION = rb"(?:\^|~|[<>]=?|==?|!=)?\s*v?\d+(?:\.(?:\d+|x|\*)){1,3}(?:-[0-9A-Za-z.]+)?(?:\+[0-9A-Za-z.]+)?"
# Composer writes a major alone after an operator and ORs with one bar: `<2.0.5|>=3,<3.0.3`.
_VERSION_OR_MAJOR = rb"(?:" + _VERSION + rb"|(?:\^|~|[<>]=?|==?|!=)\s*v?\d+)"
_VERSION_RANGE = re.compile(_VERSION_OR_MAJOR + rb"(?:\s*(?:,|\|\|?|\s)\s*" + _VERSION_OR_MAJOR + rb")*")
# pnpm's lockfile writes a version with the peers it was resolved against: `4.0.21(@types/node@20.19.43)`.
_PEER_VERSION = re.compile(_VERSION + rb"\((?:[\w@./+\-]|\(|\))*@(?:[\w@./+\-]|\(|\))*")
# A Python entry point, `package.module:function` ([project.scripts], console_scripts, an ASGI app spec).
_ENTRY_POINT = re.compile(rb"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+:[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")
# Another assignment as the value (tox's `factor: _TESTPATH=tests/x`, `env: KEY=value`): its own name decides.
# Or the next key of a list of empty ones (pgbouncer.ini's comment `;; user= password= auth_user=`).
_NESTED_ASSIGNMENT = re.compile(rb"_?[A-Z][A-Z0-9_]*=[^=]|[a-z]+(?:_[a-z0-9]+)*=$")
# A label of lowercase words joined by `-` whose last word is the credential word (`tls1-prf-test-secret`, a
# test vector's name in OpenVPN's crypto.c): it names a secret; a random secret does not end in its own kind.
_WORDS_LABEL = re.compile(rb"[a-z0-9]+(?:-[a-z0-9]+)*-(?:secret|password|passwd|token|key|pass|pwd)")
# An algorithm or curve name (`token = "prime256v1"`: a parser token in OpenSSL code, set to the curve's name).
_ALGORITHM = re.compile(
    rb"(?i)(?:prime|secp|sect|brainpoolp|nistp)\d{3}[a-z]\d?|(?:x|ed)(?:25519|448)|(?:hmac-?)?sha-?(?:1|224|256|384|512)"
    rb"|aes-?(?:128|192|256)(?:-[a-z]{3})?"
)


# A validation rule list (Laravel, validatorjs, Masonite): `required|string|min:6|confirmed` under a `password`
# key says what a password must look like. Every `|` part must be a rule these libraries define.
_VALIDATION_RULE = (
    rb"(?:required|sometimes|nullable|bail|filled|present|string|confirmed|email|numeric|integer|alpha"
    rb"|alpha_num|alpha_dash|ascii|current_password|password|min|max|size|between|regex|not_regex|same"
    rb"|different|unique|exists|in|not_in|starts_with|ends_with|required_with|required_if|lowercase"
    rb"|uppercase|letters|mixed_case|numbers|symbols|uncompromised|trim)(?::[^|]*)?"
)
_VALIDATION_RULES = re.compile(_VALIDATION_RULE + rb"(?:\|" + _VALIDATION_RULE + rb")+")


def value_is_secret(value: bytes, name: bytes, quoted: bool, literal_values: bool, around: bytes = b"") -> bool:
    """Decide whether ``value`` assigned to ``name`` is a real-looking secret."""
    literal = quoted or literal_values
    if _NOT_A_CREDENTIAL.search(_NOT_LETTERS.sub(b"", name.lower())):
        return False
    if value.endswith(b"\\n"):
        value = value[:-2]  # "secret\n" in an expect script or a fixture
    if _SHORT_HEX.match(value) or value.startswith((b"arn:", b"urn:")):
        return False  # short hex ids (schema hashes, object ids) and AWS/URN resource names
    if _VERSION_RANGE.fullmatch(value):
        return False  # "@inquirer/password": "^4.0.23" in a package.json: a package named password, at a version
    if _PEER_VERSION.fullmatch(value) or _ENTRY_POINT.fullmatch(value) or _NESTED_ASSIGNMENT.match(value):
        return False  # a pnpm-lock.yaml version, `hash_password = "synapse._scripts.hash_password:main"`, `X=y`
    if _VALIDATION_RULES.fullmatch(value):
        return False  # 'password' => 'required|string|min:6|confirmed': the rules a password is checked against
    if _WORDS_LABEL.fullmatch(value) or _ALGORITHM.fullmatch(value):
        return False  # secret = "tls1-prf-test-secret", token = "prime256v1": a label, an algorithm's name
    if len(value) < 6 or (not literal and len(value) < 12) or value.lower() == name.lower().strip(b"-_.:"):
        return False
    if _NOT_ALNUM.sub(b"", value.lower()) == _NOT_ALNUM.sub(b"", name.lower()):
        return False  # X_AUTH_TOKEN = "x-auth-token": a header's or setting's name spelled as its own value
    if _names_itself(value, name):
        return False  # SHARE_TOKEN = "RADICALE:share-token": a namespaced key naming the setting, not its value
    if _search_only_key(name, around) or _secret_key_reference(value, name, around):
        return False
    if _SQL_CONDITION.fullmatch(value):
        return False  # R.find("api_key", "user_id=?", [id]): a table name, then a query condition with a parameter
    if any(b >= 0x80 for b in value) and _UNSPACED_SCRIPT.search(value.decode("utf-8", "replace")):
        return False
    if is_placeholder(value) or is_reference(value) or is_hash_like(value, around):
        return False
    if (
        is_plain_identifier(value)
        or is_resource_name(value)
        or value.startswith((b"/", b"./", b"#/", b"http:", b"https:", b"file:"))
    ):
        return False  # plain words, paths/URLs (URL credentials have their own rule) and JSON pointers ($ref)
    entropy = shannon_entropy(value)
    if literal:
        return char_classes(value) >= 2 and entropy >= 2.5
    # An unquoted value in source code is almost always an expression; only a token-shaped one counts.
    if not is_token_shaped(value) or char_classes(value) < 3 or entropy < 3.5:
        return False
    # A random alphanumeric token is also a valid identifier; variable names have few digits and less entropy.
    return not is_code_identifier(value) or (sum(48 <= b <= 57 for b in value) >= 3 and entropy >= 4.0)


def _search_only_key(name: bytes, around: bytes) -> bool:
    """Whether `name` is the apiKey of an Algolia search configuration (an app id and an index name beside it)."""
    last = re.split(rb"[.\-]", name.lower())[-1].replace(b"_", b"")
    return (last in (b"apikey", b"searchapikey", b"searchonlyapikey") and _ALGOLIA_APP_ID.search(around) is not None
            and _ALGOLIA_INDEX.search(around) is not None)


def _secret_key_reference(value: bytes, name: bytes, around: bytes) -> bool:
    """Whether `name: value` picks a key out of a Kubernetes Secret named beside it (`secretName: app-env`,
    `secretKey: DB_PASSWORD`, as Helm charts' values write it): the value is the key's name, in one case."""
    last = re.split(rb"[.\-]", name.lower())[-1].replace(b"_", b"")
    return (last.endswith(b"secretkey") and _KEY_NAME.match(value) is not None
            and _SECRET_NAME_SIBLING.search(around) is not None)


def _names_itself(value: bytes, name: bytes) -> bool:
    """Whether the value's last `:`, `/` or `.` part spells the name it is assigned to (case and `-`/`_` aside):
    a property or message key (`"RADICALE:share-token"`, `"app.auth.api-key"`), not a secret."""
    wanted = _NOT_ALNUM.sub(b"", name.lower())
    last = re.split(rb"[:/.]", value)[-1]
    if last == value:
        return False
    spelled = _NOT_ALNUM.sub(b"", last.lower())
    if len(wanted) >= 5 and spelled == wanted:
        return True
    # A secret store's reference, `path/to/secret:field`, whose field is the name's credential word(s):
    # GPG_PASSPHRASE=ci/gpg-signing:passphrase (Vault actions' and External Secrets' syntax).
    return len(spelled) >= 6 and wanted.endswith(spelled) and _CREDENTIAL_WORD.search(spelled) is not None


def _unbalanced_closers(value: bytes) -> bytes:
    """The value without the `)`, `}` and `]` it ends with that open nowhere in it: `api({token: PD_TOKEN})`
    in a script leaves `PD_TOKEN})`, whose closers end the call around it."""
    while value and value[-1:] in (b")", b"}", b"]"):
        closer = value[-1:]
        opener = {b")": b"(", b"}": b"{", b"]": b"["}[closer]
        if value.count(opener) >= value.count(closer):
            break
        value = value[:-1]
    return value


def _spans_words(data: bytes, m: Any) -> bool:
    """Whether the string that really holds a value (up to its own closing quote) has whitespace in it.

    RE2 has no backreference, so any quote may close a value: in `'var|default:"Default value"|date'` (a
    template, a shell command, JSON inside a string) the value found is a prefix of a longer string of words.
    """
    line_end = data.find(b"\n", m.end(5))
    close = data.find(m.group(4), m.end(5), len(data) if line_end < 0 else line_end)
    whole = data[m.start(5) : close if close >= 0 else line_end if line_end >= 0 else len(data)]
    return any(c in whole for c in b" \t")


def extract(m: Any, ctx: Context) -> Found | None:
    """The generic rule's check, over one match of ``PATTERN`` or ``CODE_PATTERN``."""
    # Every test below only rejects, so their order does not change the result: the value's cheap tests run
    # first, because most candidates in source code (``token = 3``, ``password = None``) fail them.
    quoted = m.start(5) >= 0
    if quoted and ctx.data[m.end(5) : m.end(5) + 1] != m.group(4) and _spans_words(ctx.data, m):
        return None  # the regex closed the value on the other quote kind, inside a string of words
    group = 5 if quoted else 7
    value: bytes = m.group(group)
    start, end = m.start(group), m.end(group)
    if not quoted:
        cut = _VALUE_END.search(value)  # "&" starts a query's next pair, "\n" the next line of escaped text
        stripped = value[: cut.start()] if cut else value
        if not stripped.endswith(b"..."):  # "sk_live_4eC3..." is a truncated example, not a shorter secret
            stripped = stripped.rstrip(b",;:.")
        stripped = _unbalanced_closers(stripped)
        end -= len(value) - len(stripped)
        value = stripped
    elif value.endswith(b"\\"):
        value, end = value[:-1], end - 1  # the value's closing quote was escaped: \"value\"
    if _short(value):
        return None
    begin = m.start(1)
    floor = max(0, begin - _MAX_NAME)
    while begin > floor and ctx.data[begin - 1] in _NAME_BYTES:
        begin -= 1
    name = ctx.data[begin : m.end(1)]
    if _NOT_A_CREDENTIAL.search(_NOT_LETTERS.sub(b"", ctx.data[max(0, begin - 24) : m.end(1)].lower())):
        return None  # "Next page token: ...", "client request token" written as words
    op: bytes = m.group(3)
    if quoted and not m.group(2) and ctx.data[m.end(3) : m.start(4)] in (b"", b"\\") \
            and ctx.data[begin - 1 : begin] == m.group(4):
        # 'token=' is a string (`row.startsWith('token=')`, or \"token=\" in a bundle's JSON-escaped page script):
        # the quote after `=` closes it and opens nothing.
        return None
    if op == b":" and not (m.group(2) or quoted) and m.end(3) == start:
        return None  # "a:b" without space or quotes is not a YAML/JSON pair (ARNs, URNs, host:port)
    if op == b"," and not (m.group(2) and quoted and _CALL_OPEN.search(ctx.data, max(0, begin - 8), begin)):
        return None  # only a call's quoted pair counts: setProperty("API_TOKEN", "..."), not a list of strings
    if op == b"," and name.lower() in _BARE_WORDS:
        return None  # argon2d('password', 'salt1234'): a bare 'password' first argument is the input, not a key
    if op == b">" and (m.group(2) or ctx.data[begin - 1 : begin] != b"<"):
        return None  # only an XML element <password>...</password>
    around = ctx.data[max(0, start - _LINE_CONTEXT) : end + _LINE_CONTEXT]
    if not value_is_secret(value, name, quoted or op == b">", ctx.literal_values, around):  # element text is literal
        return None
    return Found(start, end, value)


def _short(value: bytes) -> bool:
    """True when `value_is_secret` would reject the value whatever its name: too short, or a short hex id."""
    if value.endswith(b"\\n"):
        value = value[:-2]
    return len(value) < 6 or _SHORT_HEX.match(value) is not None
