"""Accepted findings: a JSON file of fingerprints (``{"fingerprints": [...]}``) that a scan ignores."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.errors import UsageError
from imgforge.secrets.context import SecretMatch
from imgforge.smallfile import read_regular

MAX_BASELINE_BYTES = 64 << 20  # its path may come from a pull request's settings: never read /dev/zero whole


@functools.cache
def _baseline_file() -> Any:
    # Deferred: pydantic is ~0.1 s of imports, and `imgforge scan ARCHIVE` loads this package without a baseline.
    from pydantic import BaseModel, ConfigDict

    class _BaselineFile(BaseModel):
        model_config = ConfigDict(extra="forbid")
        fingerprints: list[str]

    return _BaselineFile


@dataclass(frozen=True)
class Baseline:
    """A set of accepted fingerprints."""

    fingerprints: frozenset[str] = frozenset()

    @classmethod
    def from_matches(cls, matches: Iterable[SecretMatch]) -> Baseline:
        """A baseline accepting every given finding."""
        return cls(frozenset(m.fingerprint for m in matches))

    @classmethod
    def load(cls, path: Path | str) -> Baseline:
        """Read a baseline file; a missing or malformed file is a ``UsageError`` naming the file."""
        from pydantic import ValidationError  # deferred with the model (see _baseline_file)

        raw = read_regular(path, "baseline", MAX_BASELINE_BYTES)
        try:
            parsed = _baseline_file().model_validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "file"
            raise UsageError(f"reading baseline {path}: {where}: {first['msg']}") from exc
        return cls(frozenset(parsed.fingerprints))

    def save(self, path: Path | str) -> None:
        """Write the baseline as sorted JSON (stable diffs)."""
        text = json.dumps({"fingerprints": sorted(self.fingerprints)}, indent=2) + "\n"
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"writing baseline {path}: {exc.strerror or exc}") from exc

    def filter(self, matches: Iterable[SecretMatch]) -> list[SecretMatch]:
        """The findings not accepted by this baseline."""
        return [m for m in matches if m.fingerprint not in self.fingerprints]

    def __contains__(self, match: object) -> bool:
        return isinstance(match, SecretMatch) and match.fingerprint in self.fingerprints
