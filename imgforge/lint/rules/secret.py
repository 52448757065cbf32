"""secret: credentials baked into ENV/ARG/LABEL, copied in as files, or interpolated into RUN.

Values are judged by `imgforge.secrets` (the detector `imgforge scan` uses), so lint and scan agree on what a
credential looks like, placeholders included. Messages name the variable or file, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from typing import TYPE_CHECKING

from imgforge.lint import lazy_re
from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.parser import substitute
from imgforge.lint.rules.base import Hit, hit, rule

if TYPE_CHECKING:
    from imgforge.secrets import SecretDetector

_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "APIKEY", "CREDENTIAL",
                 "CREDENTIALS", "AUTH", "AUTHTOKEN", "PRIVATEKEY", "CLIENTSECRET"}
_KEY_QUALIFIERS = {"API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "LICENSE", "AUTH"}
_NOT_A_VALUE = {"FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "USER", "USERNAME", "NAME", "LENGTH", "TTL",
                "TIMEOUT", "HEADER", "ENDPOINT", "TYPE", "ID_FILE", "LOCATION", "MOUNT", "REF", "SIZE", "SOCK",
                "SOCKET", "METHOD", "MODE", "ENABLED", "PROVIDER", "SERVER", "REALM", "SCOPE", "EXPIRY", "EXPIRES",
                "VERSION", "VER", "PLUGIN", "MECHANISM", "KIND", "STRATEGY", "BACKEND", "ENABLE", "DISABLE",
                "REQUIRED", "DB", "DATABASE", "CMD", "COMMAND", "SCRIPT", "PREFIX", "SUFFIX", "FORMAT", "LEN"}
_SHELL_VARS = {"PWD", "OLDPWD"}  # the shell's working directory, not a password

# Bounded repeats keep these linear on hostile 10 MB lines.
_VAR_REF = lazy_re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")

_SECRET_FILES = lazy_re.compile(
    r"(^|/)(id_(rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.dockercfg|\.env|"
    r"\.env\.(?!example|sample|template|dist)[\w.-]+|credentials(\.json)?|kubeconfig|[\w.-]+\.kubeconfig|"
    r"[\w.-]+\.(key|p12|pfx|jks|keystore)|\.aws(/.*)?|\.ssh(/.*)?|\.docker/config\.json|"
    r"service[-_]?account[\w.-]*\.json|[\w.-]+\.pem)$", re.I)
_PUBLIC_SSH = lazy_re.compile(r"(^|/)(authorized_keys2?|known_hosts|[\w.-]+\.pub)$")
# (and Diffie-Hellman parameters, `dhparams.pem`, `ffdhe4096.pem`: public numbers, published in RFC 7919)
_PUBLIC_PEM = lazy_re.compile(r"(cert|ca[-_.]|chain|bundle|pub|public|dhparam|ffdhe|(^|[-_.])dh([-_.\d]|$))", re.I)
# A `.key` that names itself public: an apt or rpm repository's signing key (`nodesource-repo.gpg.key`,
# `Release.key`), a `pubkey`, `public_keys.key`. A private one says so (`private`, `secret`) and wins.
_PUBLIC_KEY_NAME = lazy_re.compile(r"(pub|public|gpg|pgp|asc|keyring|repo|release|archive)([-_.]|$)", re.I)
_PRIVATE_WORD = lazy_re.compile(r"(priv|secret)", re.I)
# Where only public keys go: apt and rpm keyrings, or a `.pub`/`.asc`/`.gpg` name given at the destination
# (`COPY project-2026.key /war/project-key.pub`).
_KEYRING_DEST = lazy_re.compile(r"(^|/)(usr/share/keyrings|etc/apt/(trusted\.gpg\.d|keyrings)|etc/pki/rpm-gpg)(/|$)|"
                                r"\.(pub|asc|gpg)$", re.I)


def is_credential_file(path: str) -> bool:
    """True for a file that holds credentials by its name (.npmrc, .netrc, id_rsa, a private .pem, .env)."""
    if _PUBLIC_SSH.search(path):
        return False  # public keys and host lists: meant to be shared
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(".key") and _PUBLIC_KEY_NAME.search(name) and not _PRIVATE_WORD.search(name):
        return False
    return _SECRET_FILES.search(path) is not None and not (
        path.lower().endswith(".pem") and _PUBLIC_PEM.search(name) and not _PRIVATE_WORD.search(name))


# A lower-to-upper boundary splits camelCase names as `_` does (personalAccessToken, npmAuthToken, dbPassword).
_CAMEL = lazy_re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_name(name: str) -> bool:
    """True for variable names that hold credentials (DB_PASSWORD, NPM_TOKEN, AWS_SECRET_ACCESS_KEY)."""
    parts = [p for p in re.split(r"[_.\-]", _CAMEL.sub("_", name).upper()) if p]
    if name in _SHELL_VARS or not parts or parts[-1] in _NOT_A_VALUE or \
            (len(parts) > 1 and "_".join(parts[-2:]) in _NOT_A_VALUE):
        return False
    if any(p in _SECRET_WORDS for p in parts):
        return True
    return any(p == "KEY" and k > 0 and parts[k - 1] in _KEY_QUALIFIERS for k, p in enumerate(parts))


def _pairs(ins: Instruction) -> tuple[tuple[str, str], ...]:
    """KEY=value pairs of ENV/LABEL/ARG (also the legacy `ENV KEY value` form)."""
    return assignments(ins.keyword, ins.args)


_BLANKS = lazy_re.compile(r"[ \t\r\n]+")  # shlex's whitespace (not str.split's: no \v, \f, NBSP, ...)
# One POSIX shell word as shlex reads it: plain runs, '…' (literal), "…" (backslash escapes " and \\ only), \x.
_WORD = lazy_re.compile(r"""(?:[^ \t\r\n'"\\]+|'[^']*'|"(?:[^"\\]|\\.)*"|\\.)+""", re.S)
_PART = lazy_re.compile(r"""[^'"\\]+|'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)""", re.S)
_DQ_ESCAPE = lazy_re.compile(r"""\\(["\\])""")


def _word_text(word: str) -> str:
    """A shell word's text: quotes removed, escapes applied."""
    out = []
    for part in _PART.finditer(word):
        single, double, escaped = part.groups()
        if single is not None:
            out.append(single)
        elif double is not None:
            out.append(_DQ_ESCAPE.sub(r"\1", double))
        else:
            out.append(escaped if escaped is not None else part.group())
    return "".join(out)


def shell_words(text: str) -> list[str]:
    """`shlex.split(text)` (POSIX), in a fraction of its time (shlex reads a character at a time in Python); text
    shlex refuses (an unterminated quote, a trailing backslash) gives `text.split()`, as the callers did."""
    words: list[str] = []
    pos = 0
    for m in _WORD.finditer(text):
        if text[pos:m.start()].strip(" \t\r\n"):
            return text.split()  # something no word matched: an unterminated quote
        words.append(_word_text(m.group()))
        pos = m.end()
    return words if not text[pos:].strip(" \t\r\n") else text.split()


@lru_cache(maxsize=4096)
def assignments(keyword: str, text: str) -> tuple[tuple[str, str], ...]:
    """`_pairs` of an instruction's keyword and arguments, cached: three rules read them, and a batch's files share
    many (shlex, pure Python, was a tenth of the rules' time)."""
    if len(text) > 65536:  # shlex is pure Python: hostile megabyte lines get a plain split
        words = text.split()
    elif "'" not in text and '"' not in text and "\\" not in text:
        # Without quotes or escapes, shlex's words are the runs between its blanks (space, tab, CR, LF): a tenth of
        # shlex's time on the ~85% of ENV/ARG/LABEL lines that have neither.
        words = [w for w in _BLANKS.split(text) if w]
    else:
        words = shell_words(text)
    if not words:
        return ()
    if keyword == "ENV" and "=" not in words[0]:
        return ((words[0], " ".join(words[1:])),)
    out = []
    for w in words:
        name, eq, value = w.partition("=")
        out.append((name, value if eq else ""))
    return tuple(out)


def _literal(value: str) -> bool:
    stripped = value.strip()
    return bool(stripped) and not re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", stripped)


# A cheap superset of what the detector can report: PEM headers, URL userinfo, credential-word assignments and
# long tokens mixing letters and digits (every vendor key shape is one). Text without any never loads the
# detector (RE2 and pydantic, ~0.3 s of a one-file run). Plain loops and bounded repeats: linear on hostile input.
_HINT = lazy_re.compile(r"-----BEGIN|://[^/\s:@]{1,256}:[^/\s@]{1,256}@|"
                        r"(pass|pwd|token|secret|key|auth|credential)[\w.-]{0,40}[\"']?\s{0,4}[=:]|"
                        # a password on a command line (`curl -u user:pass`, `--password pass`): short ones have no
                        # long run
                        r"\s(-u|--user)[ \t=]{1,4}[\"']?[^\s\"':]{0,80}:|--(http-)?password[ \t=]", re.I)
_SEGMENT = lazy_re.compile(r"[A-Za-z0-9]{12,}")  # one run of a key's random part (options, versions, paths: short runs)
_HEX = lazy_re.compile(r"^[0-9a-fA-F]+$")  # digests and key fingerprints; a hex secret has a credential name


def _maybe_secret(text: str) -> bool:
    if len(text) > 256 * 1024:
        return True  # megabytes: the detector (RE2, linear) reads them faster than these Python regexes
    if _HINT.search(text):
        return True
    for count, m in enumerate(_SEGMENT.finditer(text)):
        run = m.group()
        if count > 10_000 or (not _HEX.match(run) and not run.isalpha() and not run.isdigit()):
            return True
    return False


def _detector() -> SecretDetector:
    # Deferred: imgforge.secrets loads RE2 and pydantic (~0.3 s), which files without candidates never need.
    from imgforge.secrets import default_detector

    return default_detector()


@rule("SEC001", "secret", "error", "Credential in ENV, ARG or LABEL",
      "Pass it at build time with `RUN --mount=type=secret,id=NAME` and at run time from a secret store.")
def baked_credential(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword not in ("ENV", "LABEL", "ARG"):
            continue
        names = [name for name, value in _pairs(ins)
                 if _literal(value) and (is_secret_name(name) or _maybe_secret(value))
                 and _detector().scan_value(value.strip(), name)]
        if names:  # an ARG without a default is SEC002
            where = "image metadata" if ins.keyword == "LABEL" else "the image config and history"
            shown = ", ".join(f"{n}=****" for n in names[:4])
            yield hit(ins, f"{ins.keyword} {shown} bakes a credential into {where}, readable by anyone who "
                           "can pull the image")


# Build args a front-end bundler inlines into the JavaScript it serves to every browser (Vite's VITE_, Next.js's
# NEXT_PUBLIC_, Create React App's REACT_APP_, ...): a key named so is public by design (an analytics or map key),
# so the image history reveals nothing the site does not. Not when the name says secret, password, token or private:
# that is a real credential leaked into the bundle, which the finding should still bring to a reviewer.
_BROWSER_PREFIX = lazy_re.compile(r"^(VITE|NEXT_PUBLIC|REACT_APP|NUXT_PUBLIC|EXPO_PUBLIC|GATSBY|VUE_APP)_")
_PRIVATE_WORDS = frozenset({"SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PWD", "TOKEN", "PRIVATE",
                            "CREDENTIALS", "CREDENTIAL"})


def _browser_public(name: str) -> bool:
    if not _BROWSER_PREFIX.match(name.upper()):
        return False
    return not any(p in _PRIVATE_WORDS for p in re.split(r"[_.\-]", name.upper()))


@rule("SEC002", "secret", "warning", "Credential passed as a build argument",
      "Use `RUN --mount=type=secret,id=NAME` (docker build --secret id=NAME,...) instead of a build arg.")
def secret_build_arg(df: Dockerfile) -> Iterator[Hit]:
    # a build arg whatever its name, when an ENV with a credential's name takes its value (ENV API_KEY=$openai)
    carried = {ref for ins in df.instructions if ins.keyword == "ENV" and "$" in ins.args
               for name, value in _pairs(ins) if is_secret_name(name) for ref in _VAR_REF.findall(value)}
    for ins in df.instructions:
        # A global ARG (before the first FROM) reaches a stage only where the stage declares it again, and that
        # ARG is the one reported; one no stage declares never reaches a build step at all.
        if ins.keyword == "ARG" and ins.stage >= 0:
            for name, value in _pairs(ins):
                if (is_secret_name(name) or name in carried) and not _literal(value) and not _browser_public(name):
                    yield hit(ins, f"ARG {name} carries a credential: build-arg values are recorded in the image "
                                   "history (docker history) and build cache")


@rule("SEC003", "secret", "error", "Secret file copied into the image",
      "Keep it out of the image (.dockerignore) and mount it only while needed: "
      "`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`.")
def secret_file(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or ins.heredocs:
            continue
        words = list(ins.json_args) if ins.json_args is not None else ins.args.split()
        public_dest = bool(words) and _KEYRING_DEST.search(words[-1].rstrip("/")) is not None
        for src in words[:-1]:
            path = src.rstrip("/")
            if "://" in path or len(path) > 1024:
                continue
            if public_dest and path.lower().endswith((".key", ".pem", ".gpg", ".asc")) and \
                    not _PRIVATE_WORD.search(path.rsplit("/", 1)[-1]):
                continue  # a key copied into a keyring or to a public key's name is the public half
            holds = _holds_credential_setting(df, path)
            # (not public keys and host lists); a yarn 2+ .yarnrc.yml is mostly settings: only a credential in it
            if (is_credential_file(path) and holds is not False) or (holds and _YARNRC.search(path)):
                if _SAMPLE_KEY.search(path.rsplit("/", 1)[-1]):
                    yield hit(ins, f"{ins.keyword} {path[:80]} puts a key file into a layer; its name says it is a "
                                   "sample or test key, not a credential", "info")
                    continue
                yield hit(ins, f"{ins.keyword} {path[:80]} puts a credential file into a layer; deleting it later "
                               "does not remove it from the image")


# A key file named as a stand-in (`sample-rsa-private.pem`, `test_key.pem`, `dummy.key`, `snakeoil.key`): a fixture
# committed for tests or demos, whose value is public by design.
_SAMPLE_KEY = lazy_re.compile(r"(^|[-_.])(sample|example|test|testing|dummy|fake|insecure|snakeoil|demo)([-_.]|$)",
                              re.I)


# Package-manager config files that often hold only settings (`legacy-peer-deps=true`, a registry URL), and the
# setting names that carry a credential in them (npm's `_authToken`/`_auth`/`_password`, also per registry as
# `//host/:_authToken`; yarn 2+'s npmAuthToken/npmAuthIdent).
_SETTINGS_FILES = lazy_re.compile(r"(^|/)(\.npmrc|\.yarnrc\.yml)$")
_YARNRC = lazy_re.compile(r"(^|/)\.yarnrc\.yml$")
_CREDENTIAL_SETTING = lazy_re.compile(r"(^|:)(_authtoken|_auth|_password|password|npmauthtoken|npmauthident)$")


def _holds_credential_setting(df: Dockerfile, path: str) -> bool | None:
    """Whether an .npmrc or .yarnrc.yml the Dockerfile's build context holds names a credential setting (only its
    setting names are read); None when unknown: another file, or no context on disk."""
    if not _SETTINGS_FILES.search(path):
        return None
    ctx = df.build_context()
    names = ctx.setting_names(path, literal_only=True) if ctx is not None else None
    return None if names is None else any(_CREDENTIAL_SETTING.search(n) for n in names)


def _secret_env_mounts(ins: Instruction) -> set[str]:
    return {m.get("env", "") for m in ins.mounts() if m.get("type") == "secret" and m.get("env")}


def _defined(df: Dockerfile, ins: Instruction) -> dict[str, str]:
    """Names an ARG or ENV defines for `ins`, each with the value it has there, ARG and ENV references expanded
    ("" when it has none). As in Docker, an ARG is in scope only in the stage that declares it: a global ARG (before
    the first FROM) where a stage declares it again (`ARG NAME`, taking the global default), and a base stage's ARGs
    not in the stages built FROM it, which inherit its ENV only; elsewhere `$NAME` expands to nothing."""
    env: dict[str, str] = {}
    outside = {name: value or "" for name, value in df.global_args.items()}
    stage = df.stages[ins.stage] if 0 <= ins.stage < len(df.stages) else None
    chain = []
    while stage is not None and stage not in chain:
        chain.append(stage)
        stage = df.stages[stage.base_stage] if stage.base_stage is not None else None
    scope: dict[str, str] = {}
    for st in reversed(chain):  # the base stage first: a later definition overrides an earlier one
        scope = dict(env)  # a new stage: the ENV it inherits, none of its base's ARGs
        for other in st.instructions:
            if other.keyword not in ("ARG", "ENV") or (st.index == ins.stage and other.line >= ins.line):
                continue
            for name, value in _pairs(other):
                if not value and other.keyword == "ARG":  # `ARG NAME` alone: the global default, or what it had
                    scope[name] = scope.get(name, outside.get(name, ""))
                    continue
                scope[name] = substitute(value, dict(scope)) if "$" in value else value
                if other.keyword == "ENV":
                    env[name] = scope[name]
    return scope


# A signing key's fingerprint or key ID (`ARG RELEASE_SIGNING_KEY=52BB...981F`, given to `gpg --recv-keys`), or a
# list of them: the public key that verifies a download, not a credential. Only for signing-key names: a 40-digit
# hex value could be another kind of token.
_KEY_ID_NAME = {"SIGNING", "GPG", "PGP"}


def _key_fingerprint(name: str, value: str) -> bool:
    if not _KEY_ID_NAME & set(re.split(r"[_.\-]", name.upper())) or len(value) > 4096:
        return False
    words = [w[2:] if w.lower().startswith("0x") else w for w in re.split(r"[\s,;\"']+", value) if w]
    if not words or not all(_HEX.match(w) for w in words):
        return False
    if all(len(w) == 4 for w in words):  # `52BB 7E3D ... 981F`, the way gpg prints a fingerprint
        return len(words) % 10 == 0
    return all(len(w) in (8, 16, 40) for w in words)


# An absolute path of plain path words (`/tmp/passwd`, `/run/secrets/db_password`): where a secret is, not one.
_ABSOLUTE_PATH = lazy_re.compile(r"^(/[\w.@+-]{1,255}){1,32}/?$")
# A switch (`ARG COMPOSER_AUTH_JSON=false`, then `if [ ${COMPOSER_AUTH_JSON} = true ]`): whether to use a credential
# file, not the credential.
_SWITCH = frozenset({"true", "false", "yes", "no", "on", "off"})


def _unquoted(script: str) -> str:
    """The script without single-quoted text, which the shell does not expand."""
    return re.sub(r"'[^'\n]*'", "''", script)


@rule("SEC004", "secret", "error", "Credential interpolated into RUN",
      "Read it from a secret mount: `RUN --mount=type=secret,id=token,env=TOKEN ...` "
      "(or cat /run/secrets/token) instead of a build arg or ENV.")
def interpolated(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword != "RUN" or "$" not in ins.script:
            continue
        from_secret = _secret_env_mounts(ins)
        refs = {m.group(1) for m in _VAR_REF.finditer(_unquoted(ins.script))}
        names = sorted(n for n in refs if is_secret_name(n) and n not in from_secret)
        defined = _defined(df, ins)
        # a variable the script sets itself never ships; a public key's fingerprint is no credential, nor is a
        # file's path (`NSS_WRAPPER_PASSWD=/tmp/passwd` names the passwd file) or a true/false switch
        names = [n for n in names if n in defined and not _key_fingerprint(n, defined[n])
                 and not _ABSOLUTE_PATH.match(defined[n].strip("\"'"))
                 and defined[n].strip("\"'").lower() not in _SWITCH]
        if names:
            yield hit(ins, f"RUN expands {', '.join('$' + n for n in names[:3])} from an ARG or ENV, so its value "
                           "is stored in the image history or config")


@rule("SEC005", "secret", "error", "Credential literal in the Dockerfile",
      "Remove it, rotate it, and pass it with `RUN --mount=type=secret` instead.")
def literal_credential(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword in ("ENV", "ARG", "LABEL") and not ins.heredocs:
            continue  # SEC001 judges these values by name and value
        text = ins.script if ins.keyword == "RUN" else ins.args + "\n" + "\n".join(h.body for h in ins.heredocs)
        if not _maybe_secret(text):
            continue
        matches = _detector().scan_bytes(_ESCAPE.sub(_unescape, text).encode("utf-8", "surrogatepass"),
                                         path="Dockerfile")
        if matches:
            yield hit(ins, f"{ins.keyword} contains {_described(matches[0].description)} (value redacted: ****)")


# `echo -e "...\n..."` and printf write a file's lines into one shell word: the detector reads the lines the file
# gets, so a value ends where its line does (`_authToken=AUTH_TOKEN\nalways-auth=true` is the placeholder alone).
_ESCAPE = re.compile(r"\\[nrt]")
_UNESCAPED = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape(m: re.Match[str]) -> str:
    return _UNESCAPED[m.group()[1]]


# The detector's descriptions start with a vendor's name (`AWS access key id`, `GitHub token`, `npm registry
# credential`) or with one of these common words, which read lowercased mid-sentence.
_COMMON_FIRST = {"Password", "Private", "Registry", "Package", "Machine", "Credential", "Secret", "Value",
                 "Hard-coded"}


def _described(description: str) -> str:
    """The detector's description with its article: `an AWS access key id`, `a URL with an embedded password`."""
    first = description.split(" ", 1)[0]
    if first in _COMMON_FIRST:
        description = description[:1].lower() + description[1:]
    vowel = description[:1] in "aeioAEIO" or first in ("npm", "xAI", "SSH", "HMAC")
    return f"{'an' if vowel else 'a'} {description}"
