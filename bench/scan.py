"""Benchmark `imgforge scan` as whole processes, in paired runs, against plain readers of the same archive.

Two images:
- *synthetic*: built with the engine (10,000 source files, 150 MB of binaries, some of both deleted later),
  saved as a ~250 MB `docker save` archive;
- *source*: a `docker save` archive written directly from the installed stdlib and site-packages
  (text files only, ~300 MB, ~50,000 files): per-member cost dominates.

Each comparison runs both commands back to back (order alternating) `--rounds` times and prints the
median ratio of the pairs, with one core pinned (`taskset -c 0`) and with two (`taskset -c 0,1`):
- `imgforge scan ARCHIVE --json` (the whole CLI process) against Python's `tarfile` reading every byte
  of every layer (goal: at most 1.0x) and against GNU tar (for the record);
- with `--old DIR` (a checkout of earlier code), the earlier scan against this one;
- the cost of digest verification: a scan with `Limits(verify=False)` against the default, printed as a share of
  the scan's time (median and spread of the pairs, wall and CPU time) against issue 17's 10% target, and, on one
  core, SHA-256's own speed here: the least that hashing every byte once can cost without a second core.
Peak memory is the largest process's RSS (the scan or one of its workers), from `wait4`.

    .venv/bin/python bench/scan.py --old /tmp/scan-old            # build, measure, clean up
    .venv/bin/python bench/scan.py --reuse DIR:TAG                # reuse a kept synthetic image and archives
    .venv/bin/python bench/scan.py --reuse DIR:TAG --verification-only --rounds 9   # issue 17's <= 10% check
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["def", "class", "return", "import", "self", "value", "config", "token", "handler", "request", "response",
         "item", "index", "print", "yield", "lambda", "async", "await", "None", "True", "False", "for", "while", "if",
         "else", "elif", "try", "except"]
TEXT_SUFFIXES = (".py", ".pyi", ".txt", ".json", ".md", ".rst", ".c", ".h", ".toml", ".cfg", ".yaml", ".html", ".js")
TARFILE_READ = """
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as outer:
    manifest = json.load(outer.extractfile("manifest.json"))[0]
    for name in manifest["Layers"]:
        with tarfile.open(fileobj=outer.extractfile(name), mode="r|") as inner:
            for m in inner:
                fh = inner.extractfile(m) if m.isreg() else None
                if fh is not None:
                    while fh.read(1 << 20):
                        pass
"""
GNU_TAR = """
set -e
for layer in $(python3 -c 'import json,sys,tarfile; t=tarfile.open(sys.argv[1]); \
print(" ".join(json.load(t.extractfile("manifest.json"))[0]["Layers"]))' "$1"); do
  tar -xOf "$1" "$layer" | tar -t > /dev/null
done
"""
VARIANT = """
import sys
from dataclasses import replace
from imgforge.scan import NoDetector, ScanPolicy, scan
from imgforge.scan.engine import _limits
policy = ScanPolicy()
scan(sys.argv[1], detector={detector}, policy=policy, limits=replace(_limits(policy), verify={verify}))
"""


def make_context(root: Path, files: int, binary_mb: int) -> None:
    rng = random.Random(42)
    src = root / "src"
    for i in range(files):
        d = src / f"pkg{i % 50}"
        d.mkdir(parents=True, exist_ok=True)
        lines = [" ".join(rng.choices(WORDS, k=10)) + f" = {rng.randrange(10**9)}"
                 for _ in range(rng.randrange(20, 120))]
        (d / f"mod{i}.py").write_text("\n".join(lines) + "\n")
    (root / "bin").mkdir()
    for i in range(binary_mb // 10):
        (root / "bin" / f"blob{i}.so").write_bytes(rng.randbytes(10 << 20))
    (root / "junk").mkdir()
    for i in range(3):
        (root / "junk" / f"cache{i}.bin").write_bytes(rng.randbytes(10 << 20))
    (root / "Dockerfile").write_text(
        "FROM imgforge/busybox:1.35\n"
        "COPY src/ /app/src/\n"
        "COPY bin/ /app/bin/\n"
        "COPY junk/ /tmp/junk/\n"
        "RUN rm -rf /tmp/junk /app/bin/blob0.so /app/src/pkg1\n"
        "RUN echo done > /app/done.txt\n"
    )


def source_archive(path: Path, limit: int) -> None:
    """A `docker save` archive of the stdlib and site-packages text files (two layers), no engine needed."""
    import site
    import sysconfig

    roots = [Path(sysconfig.get_paths()["stdlib"]), *[Path(p) for p in site.getsitepackages()]]
    layers: list[bytes] = []
    total = 0
    for root in roots:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                for name in sorted(filenames):
                    full = Path(dirpath, name)
                    if not name.endswith(TEXT_SUFFIXES) or full.is_symlink() or total >= limit:
                        continue
                    data = full.read_bytes()
                    ti = tarfile.TarInfo("usr/lib/" + str(full.relative_to(root.parent)))
                    ti.size, ti.mtime, ti.mode = len(data), 1_700_000_000, 0o644
                    tf.addfile(ti, io.BytesIO(data))
                    total += len(data)
        layers.append(buf.getvalue())
    diff_ids = ["sha256:" + hashlib.sha256(d).hexdigest() for d in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": [{"created_by": f"COPY {r} /usr/lib/"} for r in roots]}).encode()
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["bench/source:1"], "Layers": names}]).encode()
    with tarfile.open(path, "w") as tf:
        for name, data in [("config.json", config), *zip(names, layers, strict=True), ("manifest.json", manifest)]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))


def gzip_layout(archive: Path, root: Path, kind: str = "gzip") -> None:
    """The archive's layers as gzip (or zstd) blobs of an OCI layout (as a registry serves them), written streaming."""
    import gzip

    import zstandard

    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return "sha256:" + digest

    with tarfile.open(archive) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = outer.extractfile(manifest["Config"]).read()  # type: ignore[union-attr]
        descs = []
        for name in manifest["Layers"]:
            tmp = blobs / "tmp"
            with open(tmp, "wb") as raw:
                packer = (gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) if kind == "gzip"
                          else zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False))
                with packer:
                    shutil.copyfileobj(outer.extractfile(name), packer, 1 << 20)  # type: ignore[arg-type]
            h = hashlib.sha256()
            with open(tmp, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
            tmp.rename(blobs / h.hexdigest())
            descs.append({"mediaType": f"application/vnd.oci.image.layer.v1.tar+{kind}",
                          "digest": f"sha256:{h.hexdigest()}", "size": (blobs / h.hexdigest()).stat().st_size})
    doc = json.dumps({"schemaVersion": 2, "layers": descs, "config": {
        "digest": put(config), "size": len(config), "mediaType": "application/vnd.oci.image.config.v1+json"}}).encode()
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                "digest": put(doc), "size": len(doc)}]}
    (root / "index.json").write_text(json.dumps(index))
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


TARFILE_GZ = """
import sys, tarfile
for path in sys.argv[1:]:
    with tarfile.open(path, mode="r|gz") as inner:
        for m in inner:
            fh = inner.extractfile(m) if m.isreg() else None
            if fh is not None:
                while fh.read(1 << 20):
                    pass
"""


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, float]:
    """Run a whole process: (wall seconds, peak RSS in MB of its largest process, CPU seconds of its tree)."""
    t = time.perf_counter()
    # From "/": run from a checkout, `python -m imgforge` would import the checkout's code (sys.path[0] is the
    # current directory) whatever PYTHONPATH says, and `--old` would time the new code twice.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd="/")
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:6])} failed ({proc.returncode}): {err[-500:]}")
    return secs, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


# The CPU-time ratio and the spread of the wall ratios of the last `paired` call (CPU time is steadier than
# wall time on a busy machine; with two cores, a scan's wall time is below its CPU time).
CPU: list[str] = []
# The per-pair wall and CPU-time ratios (a/b) of the last `paired` call, and b's CPU seconds.
RATIOS: dict[str, list[float]] = {}


def paired(a: list[str], b: list[str], rounds: int, env_a: dict[str, str] | None = None,
           env_b: dict[str, str] | None = None) -> tuple[float, float, float, int, int]:
    """Median seconds of a and b, the median of the per-pair ratios a/b, and the peak RSS of each."""
    ta, tb, ratios, cpu, cpu_b, ma, mb = [], [], [], [], [], 0, 0
    for i in range(rounds):
        first, second = ((a, env_a), (b, env_b)) if i % 2 == 0 else ((b, env_b), (a, env_a))
        r1, r2 = run(*first), run(*second)
        (sa, ra, ca), (sb, rb, cb) = (r1, r2) if i % 2 == 0 else (r2, r1)
        ta.append(sa)
        tb.append(sb)
        ratios.append(sa / sb)
        cpu.append(ca / cb)
        cpu_b.append(cb)
        ma, mb = max(ma, ra), max(mb, rb)
    CPU[:] = [f"CPU {statistics.median(cpu):.2f}x, wall ratios {min(ratios):.2f}-{max(ratios):.2f}"]
    RATIOS.update(wall=ratios, cpu=cpu, cpu_b=cpu_b)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios), ma, mb


def env_for(code_dir: Path) -> dict[str, str]:
    """The environment of a timed process running the code in `code_dir`, its modules compiled beforehand.

    As installed (pip writes .pyc files): with PYTHONDONTWRITEBYTECODE set, as in this project's containers,
    every run would compile imgforge's ~100 modules from source (~0.1 s of CPU) while the readers it is
    compared with use the stdlib's compiled modules.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code_dir / "imgforge")], check=False,
                   stdout=subprocess.DEVNULL, env=env)
    return {**env, "PYTHONPATH": str(code_dir)}


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(2)


TARFILE_ZST = """
import sys, tarfile, zstandard
for path in sys.argv[1:]:
    with open(path, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as plain, \\
            tarfile.open(fileobj=plain, mode="r|") as inner:
        for m in inner:
            fh = inner.extractfile(m) if m.isreg() else None
            if fh is not None:
                while fh.read(1 << 20):
                    pass
"""


def measure_gzip(layout: Path, args: argparse.Namespace, kind: str = "gzip") -> None:
    """gzip layers (ISA-L) against tarfile's r|gz over the same blobs; zstd layers against tarfile over zstandard."""
    magic = b"\x1f\x8b" if kind == "gzip" else b"\x28\xb5"
    blobs = [str(p) for p in (layout / "blobs" / "sha256").iterdir() if _head(p) == magic]
    reader = TARFILE_GZ if kind == "gzip" else TARFILE_ZST
    new = env_for(ROOT)
    for cores in ("0", "0,1"):
        pin = ["taskset", "-c", cores]
        tag = "1 core " if cores == "0" else "2 cores"
        s, b, ratio, m, _ = paired(pin + [sys.executable, "-m", "imgforge", "scan", str(layout), "--json"],
                                   pin + [sys.executable, "-c", reader, *blobs], args.rounds, new, new)
        print(f"[{tag}] OCI layout with {kind} layers: scan {s:.2f} s vs tarfile over {kind} {b:.2f} s: {ratio:.2f}x "
              f"(peak RSS {m} MB; {CPU[0]})")


# Issue 17: digest verification may cost at most this share of the scan's time.
VERIFY_TARGET = 0.10
SHA256_RATE = """
import hashlib, sys, time
chunk, h = bytes(range(256)) * 4096, hashlib.sha256()
t = time.process_time()
for _ in range(256):
    h.update(chunk)
print(256 * len(chunk) / (time.process_time() - t))
"""


def verification_share(ratio: float) -> str:
    """The cost of verification as a share of the scan without it: median and spread of the pairs, wall and CPU."""
    wall, cpu = RATIOS["wall"], RATIOS["cpu"]
    share = ratio - 1
    verdict = "within" if share <= VERIFY_TARGET else "OVER"
    return (f"costs {100 * share:+.1f}% of scan time (median of {len(wall)} pairs, "
            f"{100 * (min(wall) - 1):+.0f}% to {100 * (max(wall) - 1):+.0f}%; CPU time "
            f"{100 * (statistics.median(cpu) - 1):+.1f}%), {verdict} the {100 * VERIFY_TARGET:.0f}% target")


def sha256_floor(megabytes: float, without: float) -> str:
    """What hashing every byte once costs here (SHA-256 alone, best of 3) against `without`, the CPU seconds of
    the scan without verification (steadier than its wall time on a busy machine)."""
    rate = max(float(subprocess.run(["taskset", "-c", "0", sys.executable, "-c", SHA256_RATE], check=True,
                                    capture_output=True, text=True).stdout) for _ in range(3))
    floor = megabytes * 1e6 / rate
    return (f"SHA-256 alone runs at {rate / 1e9:.2f} GB/s here: hashing the {megabytes:.0f} MB once is at least "
            f"{floor:.2f} s of CPU, {100 * floor / without:.0f}% of the scan's {without:.2f} s of CPU without "
            "verification: one core cannot hide it, a second one can")


def measure(label: str, archive: str, args: argparse.Namespace) -> None:
    size = os.path.getsize(archive) / 1e6
    print(f"\n== {label}: {archive} ({size:.0f} MB)")
    new = env_for(ROOT)
    scan_cmd = [sys.executable, "-m", "imgforge", "scan", archive, "--json"]
    for cores in ("0", "0,1"):
        pin = ["taskset", "-c", cores]
        tag = "1 core " if cores == "0" else "2 cores"
        if not args.verification_only:
            s, b, ratio, m, mb = paired(pin + scan_cmd, pin + [sys.executable, "-c", TARFILE_READ, archive],
                                        args.rounds, new, new)
            print(f"[{tag}] scan {s:.2f} s vs tarfile reading every byte {b:.2f} s: {ratio:.2f}x "
                  f"(peak RSS scan {m} MB, tarfile {mb} MB; {CPU[0]})")
            s, b, ratio, _, _ = paired(pin + scan_cmd, pin + ["bash", "-c", GNU_TAR, "gnutar", archive], args.rounds,
                                       new)
            print(f"[{tag}] scan {s:.2f} s vs GNU tar reading every layer {b:.2f} s: {ratio:.2f}x "
                  f"(for the record; {CPU[0]})")
        if args.old and not args.verification_only:
            old = env_for(Path(args.old))
            s, b, ratio, m, mb = paired(pin + scan_cmd, pin + scan_cmd, args.rounds, new, old)
            print(f"[{tag}] scan {s:.2f} s vs the old scan ({args.old}) {b:.2f} s: {ratio:.2f}x "
                  f"(peak RSS new {m} MB, old {mb} MB; {CPU[0]})")
        on = [sys.executable, "-c", VARIANT.format(detector="None", verify=True), archive]
        off = [sys.executable, "-c", VARIANT.format(detector="None", verify=False), archive]
        s, b, ratio, _, _ = paired(pin + on, pin + off, args.rounds, new, new)
        print(f"[{tag}] digest verification: {s:.2f} s with, {b:.2f} s without: {verification_share(ratio)}")
        if cores == "0":
            print(f"[{tag}] {sha256_floor(size, statistics.median(RATIOS['cpu_b']))}")
        if args.verification_only:
            continue
        bare = [sys.executable, "-c", VARIANT.format(detector="NoDetector()", verify=True), archive]
        s, b, ratio, m, _ = paired(pin + bare, pin + [sys.executable, "-c", TARFILE_READ, archive], args.rounds, new,
                                   new)
        print(f"[{tag}] reading and accounting only (no secret matching, digests verified) {s:.2f} s "
              f"vs tarfile {b:.2f} s: {ratio:.2f}x (peak RSS {m} MB; {CPU[0]})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--binary-mb", type=int, default=150)
    ap.add_argument("--source-mb", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--old", metavar="DIR", help="a checkout of earlier imgforge code to compare against")
    ap.add_argument("--keep", action="store_true", help="keep the image and archives")
    ap.add_argument("--reuse", metavar="DIR:TAG", help="reuse a kept work folder (and its image) instead of building")
    ap.add_argument("--only", choices=("synthetic", "source"), help="measure one image only")
    ap.add_argument("--verification-only", action="store_true",
                    help="time only digest verification (on against off) and SHA-256's own speed")
    ap.add_argument("--make-source", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_source:
        source_archive(Path(args.make_source), args.source_mb * 1_000_000)
        return
    tag = f"imgforge-test/scanbench:{uuid.uuid4().hex[:8]}"
    if args.reuse:
        folder, tag = args.reuse.split(":", 1)
        work = Path(folder)
    else:
        work = Path(tempfile.mkdtemp(prefix="imgforge-bench-"))
    try:
        archive = work / "image.tar"
        if args.only != "source" and not archive.exists():
            ctx = work / "ctx"
            ctx.mkdir(exist_ok=True)
            t = time.perf_counter()
            make_context(ctx, args.files, args.binary_mb)
            subprocess.run(["docker", "build", "-q", "-t", tag, str(ctx)], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["docker", "save", "-o", str(archive), tag], check=True)
            print(f"built and saved {tag}: {archive.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.0f} s")
        source = work / "source.tar"
        if args.only != "synthetic" and not source.exists():
            # In a child: a big bench process would lend its peak RSS to every process it starts.
            subprocess.run([sys.executable, __file__, "--make-source", str(source), "--source-mb",
                            str(args.source_mb)], check=True)
        if args.only != "source":
            measure("synthetic image", str(archive), args)
        if args.only != "source" and not args.verification_only:
            layout = work / "gzip-layout"
            if not layout.exists():
                gzip_layout(archive, layout)
            measure_gzip(layout, args)
            zlayout = work / "zstd-layout"
            if not zlayout.exists():
                gzip_layout(archive, zlayout, "zstd")
            measure_gzip(zlayout, args, "zstd")
        if args.only != "synthetic":
            measure("source-heavy image (stdlib + site-packages text)", str(source), args)
    finally:
        if not args.keep and not args.reuse:
            subprocess.run(["docker", "image", "rm", "-f", tag], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {tag} and {work}")


if __name__ == "__main__":
    main()
