"""The rule table: one entry per credential kind, each with its keywords, regex and value check.

A rule runs only on files where one of its lowercase ``keywords`` (or its ``trigger`` regex) occurs: one
case-insensitive RE2::Set pass over the bytes decides for all rules at once,
and only on files whose base name matches one of its ``paths`` globs when it has any. Its regex is RE2
syntax over bytes; its ``extract`` returns the secret (and where it sits) or ``None`` to reject.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from imgforge.secrets import generic
from imgforge.secrets.checks import char_classes, is_placeholder, is_plain_identifier, shannon_entropy
from imgforge.secrets.context import Context, Extractor, Found
from imgforge.secrets.context import Rule as Rule  # re-exported: callers import Rule from here
from imgforge.secrets.vendor import vendor
from imgforge.secrets.vendors_apps import APP_RULES
from imgforge.secrets.vendors_cloud import CLOUD_RULES
from imgforge.secrets.vendors_dev import DEV_RULES
from imgforge.secrets.vendors_infra import INFRA_RULES
from imgforge.secrets.vendors_saas import SAAS_RULES


def token(min_entropy: float = 3.0, group: int = 1, needs_digit: bool = False) -> Extractor:
    """Accept regex group ``group`` when it is not a placeholder and has enough entropy."""

    def extract(m: Any, ctx: Context) -> Found | None:
        value: bytes = m.group(group)
        if not value or is_placeholder(value) or shannon_entropy(value) < min_entropy:
            return None
        if needs_digit and not any(48 <= b <= 57 for b in value):
            return None
        return Found(m.start(group), m.end(group), value)

    return extract


def literal(group: int = 1) -> Extractor:
    """Accept group ``group`` as a literal credential (a config line) unless it is a placeholder or empty."""

    def extract(m: Any, ctx: Context) -> Found | None:
        value: bytes = m.group(group).strip(b"\"'")
        if len(value) < 3 or is_placeholder(value) or generic.is_reference(value):
            return None
        return Found(m.start(group), m.end(group), value)

    return extract


# Characters no npm credential has (tokens, base64 `_auth`/`_password`) but a library's code around the setting's
# name does: @nuxt/cli reads tokens with new RegExp(`^//${host}/:_authToken=(.+)$`).
_CODE = re.compile(rb"[()\[\]{}$*`|\\^<>]")


_LITERAL = literal()


def npm_credential(m: Any, ctx: Context) -> Found | None:
    """`literal()`, and not code: a value with a regex's or a template's characters is no credential."""
    found = _LITERAL(m, ctx)
    return None if found is None or _CODE.search(found.secret) else found


_MAX_KEY = 65536  # a PGP secret-key export with subkeys and signatures runs to tens of KiB


def _private_key(m: Any, ctx: Context) -> Found | None:
    """Keep a PEM/OpenSSH private key only when a real base64 body and END line follow the BEGIN line."""
    start = m.end()
    end = ctx.data.find(b"-----END", start, start + _MAX_KEY)
    if end < 0:
        return None
    body = ctx.data[start:end].replace(b"\\n", b"\n").replace(b"\\r", b"")
    lines = [ln.strip(b" \t\r\"',+") for ln in body.split(b"\n")]
    # Drop Proc-Type:/DEK-Info:/Version: headers and PGP armour's CRC24 line ("=AbCd").
    b64 = b"".join(ln for ln in lines if ln and b":" not in ln and not (len(ln) == 5 and ln[:1] == b"="))
    if len(b64) < 64 or shannon_entropy(b64) < 4.5:
        return None
    try:
        base64.b64decode(b64 + b"=" * (-len(b64) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return Found(m.start(), end, b64)


def _gcp_service_account(m: Any, ctx: Context) -> Found | None:
    if b"service_account" not in ctx.data:
        return None
    return _private_key(m, ctx) and Found(m.start(1), m.end(1), m.group(1))


def _docker_auth(m: Any, ctx: Context) -> Found | None:
    value: bytes = m.group(1)
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    _user, sep, password = decoded.partition(b":")
    if not sep or not password or is_placeholder(password):
        return None
    return Found(m.start(1), m.end(1), value)


_AUTH_FIELD = re.compile(rb'"auth"\s*:\s*"([A-Za-z0-9+/=]{8,})"')


def _registry_auth(config: bytes) -> bool:
    """True when a docker config (``.dockerconfigjson``) holds an ``auth`` that decodes to a real user:password."""
    return any(_docker_auth(m, Context(config, "", True)) is not None for m in _AUTH_FIELD.finditer(config))


_DOC_HOST = re.compile(rb"(?:[\w-]+\.)*example\.(?:com|org|net)\b|[\w.-]+\.(?:invalid|example)\b", re.I)


def _kube_client_key(m: Any, ctx: Context) -> Found | None:
    value: bytes = m.group(1)
    try:
        decoded = base64.b64decode(value + b"=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return Found(m.start(1), m.end(1), value) if b"PRIVATE KEY-----" in decoded[:80] else None


def _shadow_hash(m: Any, ctx: Context) -> Found | None:
    value: bytes = m.group(1)  # "$6$salt$hash" looks like a $VAR reference, so no placeholder check here
    return Found(m.start(1), m.end(1), value) if shannon_entropy(value) >= 3.0 else None


# Letters only, ending in a word for a credential (AuthToken, ApiKey, ClientSecret): the name of a value in a URL
# template (notification services' URL syntax), not a password.
_NAMES_A_CREDENTIAL = re.compile(rb"[A-Za-z]*(?:Token|Key|Secret|Password|Passwd|Pass)")


# Demo logins that documentation uses as "user:password" the way it uses example.com as a host.
_SAMPLE_LOGINS = frozenset({(b"scott", b"tiger")})


def _url_password(m: Any, ctx: Context) -> Found | None:
    password: bytes = m.group(2)
    if is_placeholder(password) or generic.is_reference(password) or password.lower() == m.group(1).lower():
        return None
    if password.lower() in (b"pass", b"pw", b"pwd", b"passwd", b"password", b"secret", b"x-oauth-basic"):
        return None
    if (m.group(1).lower(), password.lower()) in _SAMPLE_LOGINS:
        return None  # "postgresql://scott:tiger@localhost/test": Oracle's demo login, every ORM's docs example
    if _NAMES_A_CREDENTIAL.fullmatch(password):
        return None  # "twilio://AccountSid:AuthToken@FromPhoneNo": a URL template naming what goes where
    plain = unquote_to_bytes(password)
    if len(plain) < 5 or plain.isdigit() or _DOC_HOST.match(ctx.data, m.end(2) + 1):
        return None  # "abc:xyz@", "user:1234@" and RFC 2606 example hosts are documentation
    if b" " in plain and plain.replace(b" ", b"").isalpha():
        return None  # percent-encoded words ("a%20secret" in httpx's URL docstring) are prose, not a password
    return Found(m.start(2), m.end(2), password)


def _literal_at(value: bytes, start: int) -> Found | None:
    if len(value) < 6 or char_classes(value) < 2 or shannon_entropy(value) < 2.5:
        return None  # "--password options" in prose, "-u user:secret" with a word for a password
    if is_placeholder(value) or generic.is_reference(value):
        return None
    return Found(start, start + len(value), value)


def _credential(m: Any, ctx: Context) -> Found | None:
    """A password or token written on a command line or in a header: literal, not a placeholder or reference."""
    value: bytes = m.group(1).rstrip(b".,;:)")  # the end of a sentence or a call, not of the value
    return _literal_at(value, m.start(1))


# A vendor-looking prefix and then only digits: `Bearer xoxb-1234-5678` in a client library's docstring. Real
# bearer tokens are random letters and digits (a vendor's own rule finds its tokens before this one runs).
# Or numbered parts, each a short word and a number: `Bearer wk-123.ws-456` in Modal's CLI help.
_NUMBERED_EXAMPLE = re.compile(rb"[A-Za-z]{0,6}[-_]?[0-9]+(?:[-_.](?:[A-Za-z]{1,6}[-_])?[0-9]+)*")


def _header_credential(m: Any, ctx: Context) -> Found | None:
    """`_credential`, and not a numbered example (`xoxb-1234-5678`)."""
    found = _credential(m, ctx)
    return None if found is None or _NUMBERED_EXAMPLE.fullmatch(found.secret) else found


def _user_password(m: Any, ctx: Context) -> Found | None:
    """``curl -u user:password``: the password, or the user part when it is an API key with no password."""
    user, _, password = m.group(1).partition(b":")
    return _literal_at(password, m.start(1) + len(user) + 1) if password else _literal_at(user, m.start(1))


_K8S_SECTION = re.compile(rb"(?m)^[ \t]*(data|stringData|metadata|annotations|labels|spec)[ \t]*:[ \t]*$")


_K8S_NOT_SECRET = re.compile(
    rb"(?i)(?:user(?:name)?|login|email|host(?:name)?|port|database|db|namespace|url|endpoint"
    rb"|(?:^|[._\-])(?:ca|crt|cert|certificate|ca[._\-]?bundle))$"  # ca.crt, tls.ca: certificate slots
)
_K8S_KIND_SECRET = re.compile(rb"(?m)^kind[ \t]*:[ \t]*[\"']?Secret[\"']?[ \t]*\r?$")
_K8S_DOC = 32768  # bytes searched either side of a value for its document's "---" and "kind:" lines
_PRINTABLE = re.compile(rb"^[\t\n\r\x20-\x7e\x80-\xff]*$")


def _in_secret_document(data: bytes, start: int) -> bool:
    """Whether the YAML document around ``start`` (between ``---`` lines) says ``kind: Secret``; a file of
    several documents often holds a Secret beside ConfigMaps, whose data is not base64."""
    low, high = max(0, start - _K8S_DOC), min(len(data), start + _K8S_DOC)
    begin = data.rfind(b"\n---", low, start)
    end = data.find(b"\n---", start, high)
    return _K8S_KIND_SECRET.search(data, low if begin < 0 else begin, high if end < 0 else end) is not None


def _k8s_secret_data(m: Any, ctx: Context) -> Found | None:
    """A base64 value under ``data:`` of a Kubernetes Secret that decodes to a credential (not a certificate)."""
    # Every test only rejects; the value's own tests run first, because nearly every indented YAML line of a
    # manifest is a candidate and looking back over the document for its section and kind costs most.
    if _K8S_NOT_SECRET.search(m.group(1)):
        return None  # the username or host beside the password, a CA certificate
    value: bytes = m.group(2)
    try:
        plain = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if b"-----BEGIN" in plain and b"PRIVATE KEY" not in plain:
        return None  # ca.crt, tls.crt: public material
    if len(plain) < 16 and not _PRINTABLE.match(plain):
        return None  # "disabled" is valid base64 too: a short value that decodes to bytes was never encoded
    text = plain.strip()
    if not (text.startswith(b"{") and _registry_auth(text)):  # .dockerconfigjson: JSON, yet a credential
        if len(text) < 4 or is_placeholder(text) or generic.is_reference(text) or shannon_entropy(text) < 2.0:
            return None
        if is_plain_identifier(text):
            return None  # "admin_password", "TESTKEY1": a fixture's name for a value, not one
    sections = list(_K8S_SECTION.finditer(ctx.data, max(0, m.start() - 4096), m.start()))
    if not sections or sections[-1].group(1) != b"data" or not _in_secret_document(ctx.data, m.start()):
        return None
    return Found(m.start(2), m.end(2), value)


def _key_value(m: Any, ctx: Context) -> Found | None:
    """``<add key="...Password" value="..."/>`` (.NET and NuGet config): the generic rule's value check."""
    value: bytes = m.group(2)
    if not generic.value_is_secret(value, m.group(1), quoted=True, literal_values=True):
        return None
    return Found(m.start(2), m.end(2), value)


_STORAGE_KEY = token(4.5)
# The storage emulator's (Azurite's) account: Microsoft publishes its key, the same in every installation.
_EMULATOR_ACCOUNT = re.compile(rb"(?i)AccountName=devstoreaccount1;")


def _azure_storage_key(m: Any, ctx: Context) -> Found | None:
    """`token(4.5)`, and not the storage emulator's published key (its connection string names devstoreaccount1)."""
    line_start = ctx.data.rfind(b"\n", max(0, m.start() - 512), m.start()) + 1
    if _EMULATOR_ACCOUNT.search(ctx.data, max(line_start, m.start() - 512), m.start()):
        return None
    return _STORAGE_KEY(m, ctx)


RULES: tuple[Rule, ...] = (
    Rule(
        "gcp-service-account",
        "GCP service-account private key",
        (b'"private_key"',),
        rb'"private_key"\s*:\s*"(-----BEGIN[A-Z ]{0,20}PRIVATE KEY-----)',
        _gcp_service_account,
    ),
    Rule(
        "private-key",
        "Private key (PuTTY .ppk)",
        (b"putty-user-key-file-",),
        rb"PuTTY-User-Key-File-[23]: [^\n]{1,80}\n(?:[^\n]*\n){0,12}?Private-Lines: \d{1,3}\r?\n"
        rb"((?:[A-Za-z0-9+/=]+\r?\n){1,60})",
        vendor(min_entropy=4.0),
        third_party=False,  # test keys ship inside packages (TLS, SSH and crypto libraries' tests)
    ),
    Rule(
        "private-key",
        "Private key (PEM or OpenSSH)",
        (b"private key",),
        rb"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        _private_key,
        third_party=False,
    ),
    *CLOUD_RULES,
    *SAAS_RULES,
    *DEV_RULES,
    *INFRA_RULES,
    *APP_RULES,
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        (b"secret_access_key", b"secretaccesskey", b"secret-access-key", b"aws_secret", b"awssecret"),
        rb"(?i)(?:secret[_-]?access[_-]?key|aws[_-]?secret[a-z_-]{0,20})[\"']?\s{0,4}(?:=|:|=>|:=)\s{0,4}[\"']?"
        rb"(?-i:([A-Za-z0-9/+]{40}))(?:[^A-Za-z0-9/+=]|$)",
        token(4.0),
    ),
    Rule(
        "aws-secret-access-key",
        "AWS secret access key",
        (b"secret_access_key",),
        # The AWS CLI's own form, a word apart from its name: `aws configure set [profile.]aws_secret_access_key KEY`
        rb"(?i)\baws\s+configure\s+set\s+(?:--profile[ =]\S+\s+)?(?:[\w.-]+\.)?aws_secret_access_key\s+[\"']?"
        rb"(?-i:([A-Za-z0-9/+]{40}))(?:[^A-Za-z0-9/+=]|$)",
        token(4.0),
    ),
    Rule(
        "npmrc-auth",
        "npm registry credential (.npmrc)",
        (b":_authtoken", b":_auth", b":_password"),
        rb"(?i)//[^\s:]+/:(?:_authToken|_auth|_password)\s*=\s*[\"']?([^\s\"']+)",
        npm_credential,
    ),
    Rule(
        "npmrc-auth",
        "npm registry credential (.npmrc)",
        (b"_authtoken", b"_auth", b"_password"),
        rb"(?im)^\s*(?:_authToken|_auth|_password)\s*=\s*[\"']?([^\s\"']+)",
        npm_credential,
        paths=(".npmrc", "npmrc", "*.npmrc"),
    ),
    Rule(
        "yarnrc-auth",
        "yarn registry credential (.yarnrc.yml)",
        (b"npmauthtoken", b"npmauthident"),
        # Top level or under npmScopes/npmRegistries, quoted or not; a ${VAR} reference is no credential.
        rb"(?m)^[ \t]*[\"']?(?:npmAuthToken|npmAuthIdent)[\"']?[ \t]*:[ \t]*[\"']?([^\s\"'#]+)",
        literal(),
    ),
    Rule(
        "pypirc-password",
        "Package index password (.pypirc)",
        (b"password",),
        rb"(?im)^\s*password\s*[=:]\s*(\S+)",
        literal(),
        paths=(".pypirc", "pypirc"),
    ),
    Rule(
        "netrc-password",
        "Machine password (.netrc)",
        (b"password",),
        rb"\bpassword\s+(\S+)",
        literal(),
        paths=(".netrc", "_netrc", "netrc"),
    ),
    Rule(
        "docker-config-auth",
        "Registry credential (docker config.json auths)",
        (b'"auth"',),
        rb'"auth"\s*:\s*"([A-Za-z0-9+/=]{8,})"',
        _docker_auth,
        third_party=False,  # registry clients' tests and docs write sample config.json files ("user:password")
    ),
    Rule(
        "docker-config-auth",
        "Registry identity token (docker config.json)",
        (b'"identitytoken"', b'"registrytoken"'),
        rb'"(?:identitytoken|registrytoken)"\s*:\s*"([^"\s]{16,})"',
        token(3.0),
    ),
    Rule(
        "kubeconfig-client-key",
        "Kubernetes client private key (kubeconfig client-key-data)",
        (b"client-key-data",),
        rb"client-key-data\s*:\s*[\"']?([A-Za-z0-9+/=]{64,})",
        _kube_client_key,
    ),
    Rule(
        "shadow-password-hash",
        "Password hash of a local account (/etc/shadow)",
        (b"$",),
        rb"(?m)^[a-z_][a-z0-9_.-]*\$?:(\$(?:1|2[abxy]|5|6|y|gy|7)\$[^:\s]{8,}):",
        _shadow_hash,
        paths=("shadow", "shadow-", "gshadow"),
        trigger=rb":\$(?:1|2[abxy]|5|6|y|gy|7)\$",
    ),
    Rule(
        "azure-storage-key",
        "Azure storage account key",
        (b"accountkey=",),
        rb"(?i)AccountKey=(?-i:([A-Za-z0-9+/]{86}==))",
        _azure_storage_key,
    ),
    Rule(
        "url-password",
        "URL with an embedded password",
        (b"://",),
        rb"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://([^\s:/@\"'<>`]{1,64}):([^\s:/@\"'<>`]{1,128})@[A-Za-z0-9_\-\[]",
        _url_password,
        trigger=rb"://[^\s:/@\"'<>`]+:[^\s:/@\"'<>`]+@",  # "://" alone is in most files
        third_party=False,  # connection-string examples in drivers' and ORMs' docstrings
    ),
    Rule(
        "cli-credential",
        "Password on a curl command line",
        (b"curl",),
        rb"\bcurl\b[^\n]{0,200}?\s(?:-u|--user)[ \t=]+[\"']?([^\s\"':]{0,80}:[^\s\"']{0,128})",
        _user_password,
        trigger=rb"\s(?:-u|--user)[ \t=]+[\"']?[^\s\"':]*:",  # "curl" is in most docs; "-u user:" is rare
    ),
    Rule(
        "cli-credential",
        "Password on a command line",
        (b"--password", b"--http-password"),
        rb"\s--(?:http-)?password[ \t=]+[\"']?([^\s\"']{6,128})",
        _credential,
    ),
    Rule(
        "http-auth-header",
        "Credential in an HTTP Authorization header",
        (b"authorization",),
        rb"(?i)authorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:bearer|token|basic|api-token|apikey|sso-key)[ \t]+"
        rb"(?-i:([A-Za-z0-9._~+/\-]{12,}={0,2}))",
        _header_credential,
        trigger=rb"authorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:bearer|token|basic|api-token|apikey|sso-key)[ \t]",
        third_party=False,  # HTTP clients' and form libraries' READMEs show sample `Authorization: Bearer ...` headers
    ),
    Rule(
        "config-key-value",
        "Secret in a key/value config element (.NET, NuGet)",
        (b"<add key=",),
        rb"(?i)key[ \t]*=[ \t]*\"([\w.:\-]{0,40}(?:password|passwd|pwd|secret|token|apikey|api[_.\-]key"
        rb"|connectionstring|accountkey))\"[ \t]+value[ \t]*=[ \t]*\"([^\"\s]{6,256})\"",
        _key_value,
    ),
    Rule(
        "kubernetes-secret",
        "Value in the data of a Kubernetes Secret manifest",
        (b"kind: secret", b'kind: "secret"', b"kind: 'secret'"),
        rb"(?m)^[ \t]+([\w.\-]+)[ \t]*:[ \t]*[\"']?([A-Za-z0-9+/]{8,}={0,2})[\"']?[ \t]*\r?$",
        _k8s_secret_data,
    ),
    Rule(
        "generic-secret",
        "Hard-coded secret assigned to a credential-like name",
        generic.KEYWORDS,
        generic.PATTERN,
        generic.extract,
        code_pattern=generic.CODE_PATTERN,
        trigger=generic.TRIGGER,
        third_party=False,  # library code names its options `password`, `token`... with default words
    ),
)
