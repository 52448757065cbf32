"""Push benchmark: imgforge's staged push (staging repo, cross-repo mount, tag PUTs) against a plain
`docker push` of the same fresh image, and a no-op re-push against the first push, in one process.

Each round builds a fresh 3-layer busybox image (random bytes, so no layer is shared), then pushes it
once with `docker push repo:tag` and once with `push_image` to another fresh repository.
Targets: staged push <= 1.5 x plain docker push; no-op re-push <= 20% of the first push.
Run: .venv/bin/python -P bench/release_push.py [ROUNDS] [LAYER_MB]   (uses the registry on 127.0.0.1:5000)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from python_on_whales import docker

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imgforge.env.registry import default_registry  # noqa: E402
from imgforge.push import push_image  # noqa: E402
from imgforge.reference import Reference  # noqa: E402
from imgforge.registry import RegistryClient  # noqa: E402
from imgforge.tags import plan_tags  # noqa: E402


def fresh_image(layer_mb: int) -> str:
    ref = f"imgforge-test/bench-push-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as ctx:
        runs = "\n".join(f"RUN head -c {layer_mb * 1024 * 1024} /dev/urandom > /blob{n}" for n in range(3))
        # A unique first line defeats the build cache, so every layer is new to the registry.
        (Path(ctx) / "Dockerfile").write_text(f"FROM imgforge/busybox:1.35\nRUN echo {ref} > /id\n{runs}\n")
        docker.build(ctx, tags=[ref], load=True, progress=False)
    return ref


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(rounds: int, layer_mb: int) -> None:
    reg = default_registry()
    reg.up()
    client = RegistryClient(reg.address)
    plain, staged, noop = [], [], []
    for _ in range(rounds):
        image = fresh_image(layer_mb)
        try:
            # Plain docker push of a fresh image to a fresh repository (baseline).
            remote = f"{reg.address}/bench/plain-{uuid.uuid4().hex[:8]}:1.0.0"
            docker.image.tag(image, remote)
            plain.append(timed(lambda remote=remote: docker.image.push(remote, quiet=True)))
            docker.image.remove(remote)
            # The same image content, rebuilt so layers are new again, through imgforge.
            docker.image.remove(image, force=True)
            image = fresh_image(layer_mb)
            target = Reference.parse(f"{reg.address}/bench/staged-{uuid.uuid4().hex[:8]}")
            plan = plan_tags("1.0.0", {}, latest=True)
            staged.append(timed(lambda i=image, t=target, pl=plan: push_image(i, t, pl, client=client)))
            noop.append(timed(lambda i=image, t=target, pl=plan: push_image(i, t, pl, client=client)))
        finally:
            docker.image.remove(image, force=True)
    p, s, n = statistics.median(plain), statistics.median(staged), statistics.median(noop)
    print(f"rounds={rounds} layers=3x{layer_mb}MiB")
    print(f"plain docker push      median {p:.2f}s")
    print(f"imgforge staged push   median {s:.2f}s   ratio {s / p:.2f} x plain (target <= 1.5)")
    print(f"imgforge no-op re-push median {n:.2f}s   ratio {n / s:.2%} of first push (target <= 20%)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 8)
