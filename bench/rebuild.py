"""Layer-ordering benchmark: per sample or project, cold build (--no-cache) vs rebuild after a one-line source edit.

Covers the samples and the realistic projects of tests/projects/data (real PyPI/npm dependencies, made ready
with `imgforge init` + `generate`, built through the build network's secret mounts). Builds go through imgforge's own
`build()`, as `imgforge build` and `pipeline` run them. "cold" is a first build on
a fresh runner: no layer cache and empty package caches (its cache mounts get a fresh id; bases present);
"warm" (rebuild) keeps both, as a developer's machine or a CI runner with a cache does.

Prints cold and rebuild seconds, the bytes of the layers whose digest changed, and the bytes of the files
that really differ between the two final images. Targets: rebuild <= 15% of cold; changed-layer bytes <=
max(5% of the image, 1.2 x the differing files). "no-op s" is a cached build without an edit (the fixed
cost of any BuildKit build here); ">floor" is (rebuild - no-op) / (cold - no-op), for information.
Run: .venv/bin/python bench/rebuild.py [SAMPLE-OR-PROJECT...] [--rounds N] [--network-mode host]
`--network-mode host` builds in the host's network namespace (build.network.mode: host).

Where a flask-gunicorn rebuild went on engine 20.10 (BuildKit 0.8; BuildKit vertex times from `--progress=rawjson`,
median of 15 interleaved runs at load ~2.5 on 2 cores, 2026-12-03): 0.58 s in all, of which the one source RUN took
0.31 s, ~0.17 s of it the bridge network namespace BuildKit sets up for every RUN; 20.10's frontend has no per-RUN
`--network`, so the rebuild stayed at 19% of a cold build. Since then `.ci/setup` installs engine 26 (BuildKit 0.13)
and the generated source step is `RUN --network=none` (it needs no network; sources cannot fetch at build time).
flask-gunicorn, median of 5 rounds, quiet machine (load < 2), 2026-12-03: engine 26 with `--network=none`: cold
2.25 s, no-op 0.14 s, rebuild 0.25 s, **11.0%**; the same engine with the step bridged as before: rebuild 0.32 s,
13.7%. The others (median of 3, same session): django-procfile 9.6%, express-api 4.2%, go-vendor 12.1%, vite-spa
14.2%, and fastapi-uv **18.2%** (cold 7.38 s, rebuild 1.35 s; 12.6% on engine 20.10): its source edit reruns the
package's build step, which mounts the build network's secrets, and BuildKit 0.13 takes 0.4-0.6 s to start a RUN with
any secret mount on the Debian-based builder images (0.05 s on busybox; same symptom as docker/buildx#2479, cause
not found). One cold build's time varies several-fold on a shared machine: `--rounds N` judges the median ratio of N
measurements.
"""
# ruff: noqa: E402 - the path fix below must run before the standard library imports it protects

from __future__ import annotations

import sys
from pathlib import Path

# Scripts here must not shadow the standard library (bench/secrets.py would hide `secrets`).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml
from python_on_whales import docker

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imgforge.build import BuildOptions
from imgforge.build import build as run_build
from imgforge.generate import generate, load_project, write_files
from imgforge.generate.init import plan_init, write_init

PROJECTS = REPO / "tests" / "projects" / "data"

# One-line edit of application source per sample: (file, old text, new text).
EDITS = {
    "python-web": ("app.py", "hello from python-web", "hello again from python-web"),
    "node-web": ("server.js", "hello from node-web", "hello again from node-web"),
    "c-web": ("server.c", "hello from c-web", "hello again from c-web"),
    "static-site": ("public/index.html", "<h1>static-site</h1>", "<h1>static-site, edited</h1>"),
    "kuard-go": ("main.go", "kuard-go listening on", "kuard-go now listening on"),
    "flask-gunicorn": ("hello/__init__.py", "hello from flask", "hello again from flask"),
    "fastapi-uv": ("app/main.py", '"message": "inventory api', '"message": "inventory api v2'),
    "django-procfile": ("notes/views.py", "notes from django", "notes again from django"),
    "express-api": ("src/server.js", "message: 'orders api", "message: 'orders api v2"),
    "vite-spa": ("src/view.js", "vite spa says hello", "vite spa says hello again"),
    "go-vendor": ("main.go", "shop listening on", "shop now listening on"),
}


@dataclass(frozen=True)
class Saved:
    """An image's layers (diff id -> uncompressed bytes, in order) and its final file tree."""

    layers: list[tuple[str, int]]
    files: dict[str, tuple[str, int, str]]

    @property
    def size(self) -> int:
        return sum(size for _, size in self.layers)


def _apply(files: dict[str, tuple[str, int, str]], layer: tarfile.TarFile) -> None:
    for member in layer:
        path = str(PurePosixPath("/", member.name))
        parent, base = str(PurePosixPath(path).parent), PurePosixPath(path).name
        if base == ".wh..wh..opq":
            prefix = parent.rstrip("/") + "/"
            for key in [k for k in files if k.startswith(prefix)]:
                del files[key]
        elif base.startswith(".wh."):
            gone = str(PurePosixPath(parent, base[4:]))
            for key in [k for k in files if k == gone or k.startswith(gone + "/")]:
                del files[key]
        elif member.isfile():
            data = layer.extractfile(member)
            digest = hashlib.sha256(data.read() if data else b"").hexdigest()
            files[path] = ("file", member.size, digest)
        elif member.issym() or member.islnk():
            files[path] = ("link", 0, member.linkname)
        elif member.isdir():
            files[path] = ("dir", 0, "")


def save(ref: str) -> Saved:
    """Read `docker save` output: layer diff ids and sizes, and the final filesystem (content hashes)."""
    with tempfile.TemporaryDirectory(prefix="imgforge-bench-") as tmp:
        archive = Path(tmp) / "image.tar"
        subprocess.run(["docker", "save", "-o", str(archive), ref], check=True)
        with tarfile.open(archive) as outer:
            manifest = json.load(outer.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
            config = json.load(outer.extractfile(manifest["Config"]))  # type: ignore[arg-type]
            layers: list[tuple[str, int]] = []
            files: dict[str, tuple[str, int, str]] = {}
            for diff_id, name in zip(config["rootfs"]["diff_ids"], manifest["Layers"], strict=True):
                layers.append((diff_id, outer.getmember(name).size))
                fileobj = outer.extractfile(name)
                assert fileobj is not None
                with tarfile.open(fileobj=fileobj, mode="r|") as layer:
                    _apply(files, layer)
    return Saved(layers, files)


def changed_layer_bytes(old: Saved, new: Saved) -> int:
    """Bytes of the new image's layers that the old image does not have."""
    have = {d for d, _ in old.layers}
    return sum(size for d, size in new.layers if d not in have)


def differing_file_bytes(old: Saved, new: Saved) -> int:
    """Bytes of files added or changed in the new final filesystem."""
    return sum(entry[1] for path, entry in new.files.items() if old.files.get(path) != entry)


def build(root: Path, tag: str, cache: bool = True, file: str = "Dockerfile") -> float:
    """Build as `imgforge build` does (its own code: build-network secret mounts, image loaded); return seconds."""
    start = time.perf_counter()
    run_build(root, root / file, BuildOptions(tags=(tag,), no_cache=not cache), docker=docker)
    return time.perf_counter() - start


def cold_dockerfile(root: Path) -> str:
    """A copy of the Dockerfile whose cache mounts start empty (a fresh id per run); returns its name."""
    fresh = uuid.uuid4().hex[:8]
    text = re.sub(r"--mount=type=cache,target=(\S+)",
                  lambda m: f"--mount=type=cache,id=bench-{fresh}{m.group(1)},target={m.group(1)}",
                  (root / "Dockerfile").read_text())
    (root / "Dockerfile.cold").write_text(text)
    return "Dockerfile.cold"


def prepare(name: str, into: Path, network_mode: str | None = None) -> Path:
    """A copy of sample or project `name` with its generated files (projects go through `init` first), building
    with `build.network.mode: network_mode` when given."""
    if (REPO / "samples" / name).is_dir():
        root = Path(shutil.copytree(REPO / "samples" / name, into / name))
    else:
        root = Path(shutil.copytree(PROJECTS / name, into / name))
        write_init(plan_init(root))
    if network_mode is not None:
        settings = root / "imgforge.yaml"
        data = yaml.safe_load(settings.read_text()) or {}
        data.setdefault("build", {}).setdefault("network", {})["mode"] = network_mode
        settings.write_text(yaml.safe_dump(data, sort_keys=False))
    write_files(load_project(root), generate(load_project(root)))
    return root


@dataclass(frozen=True)
class Row:
    """One measurement of a sample: seconds, image bytes and the bytes a source edit changed."""

    cold: float
    noop: float
    warm: float
    size: int
    changed: int
    differ: int

    @property
    def limit(self) -> float:
        return max(0.05 * self.size, 1.2 * self.differ)

    @property
    def ok_time(self) -> bool:
        return self.warm <= 0.15 * self.cold

    @property
    def ok_bytes(self) -> bool:
        return self.changed <= self.limit


def measure(name: str, repeat: int, network_mode: str | None) -> Row:
    """Cold build, then no-op and rebuild times as the best of `repeat` runs (cold runs once)."""
    with tempfile.TemporaryDirectory(prefix=f"imgforge-bench-{name}-") as tmp:
        root = prepare(name, Path(tmp), network_mode)
        cold_ref, a, b = (f"imgforge-bench/{name}:{t}" for t in ("cold", "a", "b"))
        cold = build(root, cold_ref, cache=False, file=cold_dockerfile(root))
        # The baseline is the same source rebuilt with the cache, so both images share one cache state;
        # its time is the fixed cost of any BuildKit build here (context, solve, export, load).
        noop = min(build(root, a) for _ in range(repeat))
        file, old_text, new_text = EDITS[name]
        src = root / file
        original = src.read_text()
        assert old_text in original, f"{name}: edit target not found in {file}"
        warm = float("inf")
        for attempt in range(repeat):
            # A fresh token makes each edit new to the (content-addressed) cache, as a real edit is;
            # the first edited image is the one compared, the repeats only steady the timing.
            src.write_text(original.replace(old_text, f"{new_text} {uuid.uuid4().hex[:8]}", 1))
            warm = min(warm, build(root, b if attempt == 0 else f"{b}-again"))
        old, new = save(a), save(b)
        row = Row(cold, noop, warm, new.size, changed_layer_bytes(old, new), differing_file_bytes(old, new))
        for ref in (cold_ref, a, b, f"{b}-again"):
            if docker.image.exists(ref):
                docker.image.remove(ref, force=True)
    return row


def _median_row(rows: list[Row]) -> Row:
    """Each field's median over `rows`."""
    def med(field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in rows))

    return Row(med("cold"), med("noop"), med("warm"), int(med("size")), int(med("changed")), int(med("differ")))


def _line(label: str, row: Row, ratio: float) -> str:
    # Informative only: the share of cold time once the fixed cost of any build is taken off both.
    over_floor = max(row.warm - row.noop, 0.0) / max(row.cold - row.noop, 1e-9)
    ok_time = ratio <= 0.15
    verdict = "ok" if ok_time and row.ok_bytes else "MISSED " + ", ".join(
        w for w, good in (("time", ok_time), ("bytes", row.ok_bytes)) if not good)
    return (f"{label:<15} {row.cold:7.2f} {row.noop:7.2f} {row.warm:9.2f} {ratio:6.1%} {over_floor:6.1%} "
            f"{row.size:11,d} {row.changed:15,d} {row.differ:12,d} {int(row.limit):10,d}  {verdict}")


def main(names: list[str], repeat: int = 3, network_mode: str | None = None, rounds: int = 1) -> int:
    """Measure each sample `rounds` times; with more than one, a last line per sample holds the medians (the
    verdict is the median ratio's: one cold build's time varies several-fold on a shared machine)."""
    print(f"{'sample':<15} {'cold s':>7} {'no-op s':>7} {'rebuild s':>9} {'ratio':>6} {'>floor':>6} {'image B':>11} "
          f"{'changed-layer B':>15} {'diff-files B':>12} {'limit B':>10}  verdict")
    failures = 0
    for name in names or sorted(EDITS):
        rows = []
        for _ in range(rounds):
            rows.append(measure(name, repeat, network_mode))
            print(_line(name, rows[-1], rows[-1].warm / rows[-1].cold), flush=True)
        if rounds == 1:
            failures += not (rows[0].ok_time and rows[0].ok_bytes)
            continue
        mid = _median_row(rows)
        ratio = statistics.median(r.warm / r.cold for r in rows)
        failures += not (ratio <= 0.15 and all(r.ok_bytes for r in rows))
        print(_line(f"  median of {rounds}", mid, ratio), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("samples", nargs="*", help="sample or tests/projects/data names (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for no-op and rebuild times")
    parser.add_argument("--network-mode", choices=("auto", "bridge", "host"),
                        help="build.network.mode for every build (default: the project's own, auto)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each sample N times (a fresh cold build each) and judge the median ratio")
    args = parser.parse_args()
    sys.exit(main(args.samples, max(1, args.repeat), args.network_mode, max(1, args.rounds)))
