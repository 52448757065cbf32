"""Multistage benchmark: per sample, the generated (multistage) image's size vs its hand-written
single-stage `Dockerfile.single` image. Target for kuard-go: generated <= 5% of single-stage.
Run: .venv/bin/python bench/size.py [SAMPLE...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Scripts here must not shadow the standard library (bench/secrets.py would hide `secrets`).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
from python_on_whales import docker  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"kuard-go": 0.05}


def build(root: Path, file: str, tag: str) -> float:
    """Build `file` of `root` with BuildKit (cache allowed) and load it; return seconds."""
    start = time.perf_counter()
    docker.build(root, file=root / file, tags=[tag], load=True, progress=False)
    return time.perf_counter() - start


def main(names: list[str]) -> int:
    samples = names or sorted(p.name for p in (REPO / "samples").iterdir() if (p / "Dockerfile.single").is_file())
    print(f"{'sample':<12} {'generated B':>13} {'single B':>13} {'ratio':>7} {'target':>7}  verdict")
    failures = 0
    for name in samples:
        root = REPO / "samples" / name
        multi, single = f"imgforge-bench/size-{name}:multi", f"imgforge-bench/size-{name}:single"
        build(root, "Dockerfile", multi)
        build(root, "Dockerfile.single", single)
        a, b = docker.image.inspect(multi).size, docker.image.inspect(single).size
        ratio = a / b
        target = TARGETS.get(name)
        ok = target is None or ratio <= target
        failures += not ok
        print(f"{name:<12} {a:13,d} {b:13,d} {ratio:7.1%} {f'{target:.0%}' if target else '-':>7}  "
              f"{'ok' if ok else 'MISSED'}", flush=True)
        for ref in (multi, single):
            docker.image.remove(ref, force=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
