"""secret: credentials baked into ENV/ARG/LABEL, copied in as files, or interpolated into RUN.

Messages name the variable or file, never the value: `AWS_SECRET_ACCESS_KEY=****`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from imgforge.lint.model import Dockerfile, Instruction
from imgforge.lint.rules import Hit, hit, rule

_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "APIKEY", "CREDENTIAL",
                 "CREDENTIALS", "AUTH", "AUTHTOKEN", "PRIVATEKEY", "CLIENTSECRET"}
_KEY_QUALIFIERS = {"API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "LICENSE", "AUTH"}
_NOT_A_VALUE = {"FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "USER", "USERNAME", "NAME", "LENGTH", "TTL",
                "TIMEOUT", "HEADER", "ENDPOINT", "TYPE", "ID_FILE", "LOCATION", "MOUNT", "REF", "SIZE", "SOCK",
                "SOCKET", "METHOD", "MODE", "ENABLED", "PROVIDER", "SERVER", "REALM", "SCOPE", "EXPIRY", "EXPIRES"}

_PATTERNS = {
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "a GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "a Stripe live key": re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}\b"),
    "an npm token": re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a private key": re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----"),
}
# Bounded repeats keep these linear on hostile 10 MB lines.
_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]{0,15}://[^/\s:@]{1,256}:([^@\s/]{1,256})@", re.I)
_VAR_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")

_SECRET_FILES = re.compile(
    r"(^|/)(id_(rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.dockercfg|\.env|"
    r"\.env\.(?!example|sample|template|dist)[\w.-]+|credentials(\.json)?|kubeconfig|[\w.-]+\.kubeconfig|"
    r"[\w.-]+\.(key|p12|pfx|jks|keystore)|\.aws(/.*)?|\.ssh(/.*)?|\.docker/config\.json|"
    r"service[-_]?account[\w.-]*\.json|[\w.-]+\.pem)$", re.I)
_PUBLIC_PEM = re.compile(r"(cert|ca[-_.]|chain|bundle|pub|public)", re.I)


def is_secret_name(name: str) -> bool:
    """True for variable names that hold credentials (DB_PASSWORD, NPM_TOKEN, AWS_SECRET_ACCESS_KEY)."""
    parts = [p for p in re.split(r"[_.\-]", name.upper()) if p]
    if not parts or parts[-1] in _NOT_A_VALUE or (len(parts) > 1 and "_".join(parts[-2:]) in _NOT_A_VALUE):
        return False
    if any(p in _SECRET_WORDS for p in parts):
        return True
    return any(p == "KEY" and k > 0 and parts[k - 1] in _KEY_QUALIFIERS for k, p in enumerate(parts))


def _pairs(ins: Instruction) -> list[tuple[str, str]]:
    """KEY=value pairs of ENV/LABEL/ARG (also the legacy `ENV KEY value` form)."""
    try:  # shlex is pure Python: hostile megabyte lines get a plain split
        words = shlex.split(ins.args, posix=True) if len(ins.args) <= 65536 else ins.args.split()
    except ValueError:
        words = ins.args.split()
    if not words:
        return []
    if ins.keyword == "ENV" and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    out = []
    for w in words:
        name, eq, value = w.partition("=")
        out.append((name, value if eq else ""))
    return out


def _literal(value: str) -> bool:
    stripped = value.strip()
    return bool(stripped) and not re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", stripped)


@rule("SEC001", "secret", "error", "Credential in ENV, ARG or LABEL",
      "Pass it at build time with `RUN --mount=type=secret,id=NAME` and at run time from a secret store.")
def baked_credential(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword not in ("ENV", "LABEL", "ARG"):
            continue
        names = [name for name, value in _pairs(ins)
                 if is_secret_name(name) and value.strip() and (ins.keyword != "ARG" or _literal(value))]
        if names:  # an ARG without a default is SEC002
            where = "image metadata" if ins.keyword == "LABEL" else "the image config and history"
            shown = ", ".join(f"{n}=****" for n in names[:4])
            yield hit(ins, f"{ins.keyword} {shown} bakes a credential into {where}, readable by anyone who "
                           "can pull the image")


@rule("SEC002", "secret", "warning", "Credential passed as a build argument",
      "Use `RUN --mount=type=secret,id=NAME` (docker build --secret id=NAME,...) instead of a build arg.")
def secret_build_arg(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword == "ARG":
            for name, value in _pairs(ins):
                if is_secret_name(name) and not _literal(value):
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
        for src in words[:-1]:
            path = src.rstrip("/")
            if "://" in path or len(path) > 1024:
                continue
            if _SECRET_FILES.search(path) and not (path.lower().endswith(".pem") and
                                                   _PUBLIC_PEM.search(path.rsplit("/", 1)[-1])):
                yield hit(ins, f"{ins.keyword} {path[:80]} puts a credential file into a layer; deleting it later "
                               "does not remove it from the image")


def _secret_env_mounts(ins: Instruction) -> set[str]:
    return {m.get("env", "") for m in ins.mounts() if m.get("type") == "secret" and m.get("env")}


@rule("SEC004", "secret", "error", "Credential interpolated into RUN",
      "Read it from a secret mount: `RUN --mount=type=secret,id=token,env=TOKEN ...` "
      "(or cat /run/secrets/token) instead of a build arg or ENV.")
def interpolated(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        if ins.keyword != "RUN":
            continue
        script = ins.script
        from_secret = _secret_env_mounts(ins)
        names = sorted({m.group(1) for m in _VAR_REF.finditer(script)
                        if is_secret_name(m.group(1)) and m.group(1) not in from_secret})
        if names:
            yield hit(ins, f"RUN expands {', '.join('$' + n for n in names[:3])}: the value comes from a build arg "
                           "or ENV, so it is stored in the image history or config")
        for m in _URL_PASSWORD.finditer(script):
            if not m.group(1).startswith("$"):
                yield hit(ins, "RUN uses a URL with an embedded password (user:****@host); it is stored in the "
                               "image history")
                break


@rule("SEC005", "secret", "error", "Credential literal in the Dockerfile",
      "Remove it, rotate it, and pass it with `RUN --mount=type=secret` instead.")
def literal_credential(df: Dockerfile) -> Iterator[Hit]:
    for ins in df.instructions:
        text = ins.script if ins.keyword == "RUN" else ins.args + "\n" + "\n".join(h.body for h in ins.heredocs)
        for what, pattern in _PATTERNS.items():
            if pattern.search(text):
                yield hit(ins, f"{ins.keyword} contains {what} (value redacted: ****)")
                break
