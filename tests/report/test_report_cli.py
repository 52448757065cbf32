"""`imgforge report IMAGE` against the real registry: finds the previous version and compares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DOCKERFILE = "FROM imgforge/busybox:1.35\nRUN head -c {size} /dev/zero > /payload.bin\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "imgforge", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_report_compares_with_previous_version(docker, registry, unique_repo, cleanup_images, tmp_path: Path):
    refs = {}
    for version, size in (("1.0.0", 100_000), ("1.1.0", 300_000)):
        ctx = tmp_path / version
        ctx.mkdir()
        (ctx / "Dockerfile").write_text(DOCKERFILE.format(size=size))
        ref = f"{registry.address}/{unique_repo}:{version}"
        docker.build(ctx, tags=[ref], load=True)
        docker.image.push(ref, quiet=True)
        cleanup_images.append(ref)
        refs[version] = ref
    out = tmp_path / "out"
    res = run("report", refs["1.1.0"], "--out", str(out), "--format", "json", "--max-growth", "100KB")
    assert res.returncode == 1, res.stderr  # grew 200 KB, over the 100 KB budget
    doc = json.loads(res.stdout)
    assert doc["previous_image"] == refs["1.0.0"]
    assert doc["total_delta"] == 200_000
    assert doc["layers"][-1]["delta"] == 200_000 and doc["layers"][0]["delta"] == 0
    assert "max_growth" in doc["budget_failures"][0]
    html = (out / "report.html").read_text()
    assert 'id="layer-chart"' in html and "+195.3 KiB" in html
    assert json.loads((out / "report.json").read_text())["total_delta"] == 200_000
    ok = run("report", refs["1.1.0"], "--out", str(out))
    assert ok.returncode == 0 and "since" in ok.stdout


def test_report_bad_size_is_a_usage_error():
    res = run("report", "nothing:1", "--max-size", "lots")
    assert res.returncode == 2 and "Traceback" not in res.stderr
