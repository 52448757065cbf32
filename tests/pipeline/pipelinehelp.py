"""Helpers for pipeline tests: copies of the samples with their own repository names, and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def sample_copy(name: str, dest: Path, repo: str | None = None, extra_yaml: str = "") -> Path:
    """Copy samples/NAME to dest/NAME with a unique image name (and extra settings appended)."""
    target = dest / name
    shutil.copytree(SAMPLES / name, target)
    settings = target / "imgforge.yaml"
    text = settings.read_text()
    repo = repo or f"imgforge-test/{name}-{uuid.uuid4().hex[:8]}"
    text = text.replace(f"name: imgforge-samples/{name}", f"name: {repo}")
    assert f"name: {repo}" in text, "sample settings must name their image"
    settings.write_text(text + extra_yaml)
    return target


def imgforge(*args: str | Path, cwd: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "imgforge", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
    )
