"""Secret detection for image scans: credentials in file contents, ENV values, labels and history lines.

    from imgforge.secrets import default_detector
    for match in default_detector().scan_bytes(data, path="/app/.env"):
        print(match.rule, match.line, match.redacted)   # never the secret itself
"""

from imgforge.secrets.baseline import Baseline
from imgforge.secrets.buildargs import is_credential_name, redact_build_args
from imgforge.secrets.context import SecretMatch
from imgforge.secrets.detector import SecretDetector, default_detector, looks_binary
from imgforge.secrets.redact import fingerprint, redact
from imgforge.secrets.context import Rule
from imgforge.secrets.rules import RULES

__all__ = [
    "RULES",
    "Baseline",
    "Rule",
    "SecretDetector",
    "SecretMatch",
    "default_detector",
    "fingerprint",
    "is_credential_name",
    "looks_binary",
    "redact",
    "redact_build_args",
]
