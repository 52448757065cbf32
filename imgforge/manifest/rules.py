"""The API server's own rules for names, labels, ports, quantities, keys and paths (schemas check none of them).

Each predicate returns None when the value is valid, else the reason in words; the models and the
emitted-object checks both call them, so a rule is written once.
"""

from __future__ import annotations

import posixpath
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

# k8s.io/apimachinery/pkg/util/validation: the regular expressions the API server applies.
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
# A quantity as the API server reads it (`2`, `.5`, `5.`, `250m`, `64Mi`, `129e6`), with at most 18 digits
# before the point so no value overflows int64 and no huge number is ever built.
_QUANTITY = re.compile(
    r"^(?P<int>\d{0,18})(?:\.(?P<frac>\d{0,9}))?(?:(?P<exp>[eE][+-]?\d{1,2})|(?P<suffix>[A-Za-z]*))$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
INT64_MAX = 2**63 - 1
MAX_ID = 2**31 - 1


def dns1035_label(name: str) -> str | None:
    """A Service name: at most 63 of a-z, 0-9 and '-', starting with a letter, ending alphanumeric."""
    if len(name) > 63:
        return f"{name!r} is longer than 63 characters"
    if not _DNS1035_LABEL.match(name):
        return (f"{name!r} must be lower-case letters, digits and '-', start with a letter and end with a letter "
                "or digit")
    return None


def dns1123_label(name: str) -> str | None:
    """A volume or environment name: at most 63 of a-z, 0-9 and '-', alphanumeric at both ends."""
    if len(name) > 63:
        return f"{name!r} is longer than 63 characters"
    if not _DNS1123_LABEL.match(name):
        return f"{name!r} must be lower-case letters, digits and '-', starting and ending with a letter or digit"
    return None


def dns1123_subdomain(name: str) -> str | None:
    """A Secret or ConfigMap name: at most 253 characters, dot-separated DNS-1123 labels."""
    if len(name) > 253:
        return f"{name!r} is longer than 253 characters"
    if not _DNS1123_SUBDOMAIN.match(name):
        return f"{name!r} must be lower-case letters, digits, '-' and '.', alphanumeric at both ends"
    return None


def label_value(value: str) -> str | None:
    """A label value: at most 63 of A-Z, a-z, 0-9, '-', '_' and '.', alphanumeric at both ends (or empty)."""
    if len(value) > 63:
        return f"label value {value!r} is longer than 63 characters"
    if not _LABEL_VALUE.match(value):
        return f"label value {value!r} must be letters, digits, '-', '_' and '.', alphanumeric at both ends"
    return None


def label_key(key: str) -> str | None:
    """A label key: an optional DNS-1123 subdomain prefix and '/', then a name like a label value (not empty)."""
    prefix, _, name = key.rpartition("/")
    if prefix and dns1123_subdomain(prefix):
        return f"label key {key!r}: the prefix must be a DNS subdomain"
    if not name or label_value(name):
        return f"label key {key!r}: the name must be 1-63 letters, digits, '-', '_' and '.', alphanumeric at both ends"
    return None


def port_name(name: str) -> str | None:
    """An IANA_SVC_NAME: at most 15 of a-z, 0-9 and '-', at least one letter, no '--', alphanumeric at both ends."""
    if len(name) > 15:
        return f"port name {name!r} is longer than 15 characters"
    if not _IANA_SVC_NAME.match(name) or "--" in name:
        return f"port name {name!r} must be lower-case letters, digits and single '-', alphanumeric at both ends"
    if not re.search(r"[a-z]", name):
        return f"port name {name!r} must contain a letter"
    return None


def port_number(port: int) -> str | None:
    """A TCP port: 1-65535."""
    return None if 1 <= port <= 65535 else f"port {port} is outside 1-65535"


def env_name(name: str) -> str | None:
    """An environment variable name: letters, digits, '-', '_' and '.', not starting with a digit."""
    if not _ENV_NAME.match(name):
        return (f"environment variable name {name!r} must be letters, digits, '_', '-' and '.', not starting "
                "with a digit")
    return None


def config_key(key: str) -> str | None:
    """A ConfigMap key (a file name under the mount): letters, digits, '-', '_' and '.', at most 253."""
    if len(key) > 253 or not _CONFIG_KEY.match(key) or key in (".", ".."):
        return f"ConfigMap key {key!r} must be 1-253 letters, digits, '-', '_' and '.' (and not '.' or '..')"
    return None


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a message, cut to `limit` characters (a hostile value may be huge)."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def _quantity(text: str, what: str, suffixes: dict[str, Decimal | int], example: str) -> Decimal:
    match = _QUANTITY.match(text.strip())
    suffix = (match.group("suffix") or "") if match else ""
    if not match or not (match.group("int") or match.group("frac")) or suffix not in suffixes:
        raise ValueError(f"{what} quantity {shown(text)} is not valid: expected e.g. {example} (at most 18 digits)")
    try:
        number = Decimal(f"{match.group('int') or '0'}.{match.group('frac') or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"{what} quantity {text!r} is not a number") from exc
    if match.group("exp"):
        # cpu counts in millicores, so an exponent scales whole cores (suffix ""), like the API server.
        return number * Decimal(10) ** int(match.group("exp")[1:]) * suffixes[""]
    return number * suffixes[suffix]


def cpu_millicores(text: str, policy: bool = True) -> int:
    """A cpu quantity ("250m", "0.5", "2") in millicores; ValueError names what is wrong.

    `policy` adds our own rules to the API server's grammar: above zero, and no finer than 1m.
    """
    value = _quantity(text, "cpu", {"": 1000, "m": 1}, "250m, 0.5 or 2")
    if policy and value != value.to_integral_value():
        raise ValueError(f"cpu quantity {text!r} is finer than 1m")
    if value > INT64_MAX or (policy and value <= 0):
        raise ValueError(f"cpu quantity {text!r} must be above 0 and below 2^63 millicores")
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def bytes_of(text: str, what: str = "memory", policy: bool = True) -> int:
    """A memory or storage quantity ("128Mi", "1G", "1048576") in bytes; ValueError names what is wrong.

    `policy` adds our own rules to the API server's grammar: above zero, whole bytes, no `m` (millibytes).
    """
    units: dict[str, Decimal | int] = {**_BINARY, **_DECIMAL}
    if not policy:
        units["m"] = Decimal("0.001")
    value = _quantity(text, what, units, "64Mi, 1Gi or 500M")
    if policy and value != value.to_integral_value():
        raise ValueError(f"{what} quantity {text!r} is not a whole number of bytes")
    if value > INT64_MAX or (policy and value <= 0):
        raise ValueError(f"{what} quantity {text!r} must be above 0 and below 2^63 bytes")
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def mount_path(path: str) -> str | None:
    """A mount path: absolute, normalised (no '.', '..' or '//'), not '/' itself, no ':'."""
    if not path.startswith("/"):
        return f"path {path!r} must be absolute"
    if posixpath.normpath(path) != path or "/./" in path or path.startswith("//"):
        return f"path {path!r} must be normalised (no '.', '..', '//' or trailing '/')"
    if path == "/":
        return "path '/' would hide the whole root filesystem"
    if ":" in path:
        return f"path {path!r} must not contain ':'"
    return None


def nested(paths: list[str]) -> tuple[str, str] | None:
    """The first pair (outer, inner) where `inner` lies under `outer` or repeats it, else None."""
    for i, outer in enumerate(paths):
        for inner in paths[i + 1:]:
            for a, b in ((outer, inner), (inner, outer)):
                if b == a or b.startswith(a.rstrip("/") + "/"):
                    return a, b
    return None
