"""Pipeline benchmark: `imgforge pipeline` over every sample with --jobs 2, against the same stages run
with plain docker commands one after another (build, save and read every byte, push, run and probe).

Both runs use a warm BuildKit cache (a warm-up build comes first), so the figure is imgforge's own
overhead: lint, scan, report, tag planning, manifests, verify and artifacts. Target: ≤ 10% over plain.
Run: .venv/bin/python bench/pipeline.py [SAMPLE...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402

import yaml  # noqa: E402
from python_on_whales import docker  # noqa: E402

from imgforge.env.registry import default_registry  # noqa: E402
from imgforge.project import load_project  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.10


def copy_samples(names: list[str], dest: Path, run: str) -> list[Path]:
    out = []
    for name in names:
        target = dest / name
        shutil.copytree(REPO / "samples" / name, target)
        settings = target / "imgforge.yaml"
        data = yaml.safe_load(settings.read_text())
        data["image"]["name"] = f"imgforge-bench/{name}-{run}"
        settings.write_text(yaml.safe_dump(data, sort_keys=False))
        out.append(target)
    return out


def plain(project: Path, registry: str, tag: str) -> None:
    """The same stages by hand: build, read every layer byte, push, run and probe until healthy."""
    loaded = load_project(project)
    ref = f"{registry}/{loaded.image_name}-plain:{tag}"
    docker.build(project, file=project / "Dockerfile", tags=[ref], load=True, progress=False)
    with subprocess.Popen(["docker", "save", ref], stdout=subprocess.PIPE) as save:
        assert save.stdout is not None
        while save.stdout.read(1 << 20):
            pass
    docker.image.push(ref, quiet=True)
    port = loaded.recipe.runtime.port
    container = docker.run(ref, detach=True, remove=False)
    try:
        ip = docker.container.inspect(container).network_settings.ip_address
        path = loaded.recipe.health.readiness
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{ip}:{port}{path}", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
    finally:
        docker.container.remove(container, force=True)


def main(names: list[str]) -> int:
    names = names or sorted(p.name for p in (REPO / "samples").iterdir() if (p / "imgforge.yaml").is_file())
    registry = default_registry()
    registry.up()
    run = uuid.uuid4().hex[:6]
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory(prefix="imgforge-bench-") as tmp:
        projects = copy_samples(names, Path(tmp), run)
        for p in projects:  # warm-up: both sides start with a warm BuildKit cache
            docker.build(p, file=p / "Dockerfile", tags=[f"imgforge-bench/warm:{p.name}"], load=True, progress=False)
        t0 = time.perf_counter()
        for p in projects:
            plain(p, registry.address, "1.0.0")
        t_plain = time.perf_counter() - t0
        def forge(version: str, *extra: str) -> float | None:
            t0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-m", "imgforge", "pipeline", *map(str, projects), "--version", version,
                 "--jobs", "2", "--dist", str(Path(tmp) / "dist"), *extra], capture_output=True, text=True, env=env,
            )
            if res.returncode != 0:
                print(res.stderr[-3000:])
                print(f"imgforge pipeline failed (exit {res.returncode})")
                return None
            return time.perf_counter() - t0

        t_forge = forge("1.0.0")
        # The same without verify, which waits on the manifest's probe schedule (readiness period,
        # then a settle time) — a wait the plain baseline's "poll until 200" does not have.
        t_noverify = forge("1.0.1", "--no-verify")
        if t_forge is None or t_noverify is None:
            return 1
    ratio = t_forge / t_plain
    print(f"samples: {', '.join(names)}")
    print(f"plain docker, in sequence (build, save+read, push, run+probe): {t_plain:7.1f} s")
    print(f"imgforge pipeline --jobs 2, every stage incl. verify:           {t_forge:7.1f} s")
    print(f"imgforge pipeline --jobs 2 --no-verify:                         {t_noverify:7.1f} s")
    print(f"ratio imgforge/plain: {ratio:.2f}  (target ≤ {TARGET:.2f}: {'PASS' if ratio <= TARGET else 'MISS'})")
    print(f"ratio without verify: {t_noverify / t_plain:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
