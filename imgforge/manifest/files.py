"""`manifest.config_files`: files read into the ConfigMap, confined to the project (a pull request's settings
must not copy the CI runner's secrets, devices or /proc into a manifest that is then published).
"""

from __future__ import annotations

from pathlib import Path

from imgforge.errors import UsageError
from imgforge.smallfile import confined, read_regular

# A ConfigMap holds at most 1 MiB in etcd; beyond that `kubectl apply` fails anyway.
MAX_TOTAL_BYTES = 1024 * 1024


def _refuse(key: str, rel: str, why: str) -> UsageError:
    return UsageError(f"manifest.config_files.{key} ({rel}): {why}")


def read_config_file(root: Path, key: str, rel: str, budget: int) -> str:
    """The UTF-8 text of `rel` under the project `root`, refused unless it is a regular file inside it of at most
    `budget` bytes."""
    target = confined(root, rel, lambda why: _refuse(key, rel, why))
    if not target.exists():
        raise _refuse(key, rel, "cannot be read (No such file or directory)")
    # The resolved path is final: a link now would be one swapped in after the check.
    data = read_regular(target, "config file", budget, follow_links=False, refuse=lambda why: _refuse(
        key, rel, f"{why}; the ConfigMap's files may total {MAX_TOTAL_BYTES}" if "larger than" in why else why))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(key, rel, "is not UTF-8 text (a ConfigMap's data holds text)") from exc


def read_config_files(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Every configured file's text, key by key, within one total size budget."""
    out: dict[str, str] = {}
    budget = MAX_TOTAL_BYTES
    for key, rel in files.items():
        out[key] = read_config_file(root, key, rel, budget)
        budget -= len(out[key].encode("utf-8"))
    return out
