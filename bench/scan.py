"""Benchmark `imgforge scan` against plain readers of the same image, in one run.

Builds a ~250 MB image with the engine (about 10,000 source files, 150 MB of binaries, some of
both deleted in a later layer), saves it, and prints:

- imgforge scan of the saved archive (one process, and the default that reads layers of images
  over 512 MB in two worker processes) and of the engine's `docker save` stream,
  with peak memory (RSS of the scanning process and its workers);
- a baseline that only reads every byte of every layer with `tarfile` (and the same over gzip layers
  of an OCI layout, which imgforge reads through ISA-L);
- GNU tar listing every layer;
- detect-secrets on a sample of the text files, scaled to all of them (if it is installed).

    .venv/bin/python bench/scan.py            # build, measure, clean up
    .venv/bin/python bench/scan.py --entries 1000000   # also: one layer of a million empty files
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

TAG = f"imgforge-test/scanbench:{uuid.uuid4().hex[:8]}"
WORDS = ("def class return import self value config token handler request response item index "
         "print yield lambda async await None True False for while if else elif try except").split()


def make_context(root: Path, files: int, binary_mb: int) -> None:
    rng = random.Random(42)
    src = root / "src"
    for i in range(files):
        d = src / f"pkg{i % 50}"
        d.mkdir(parents=True, exist_ok=True)
        lines = [" ".join(rng.choices(WORDS, k=10)) + f" = {rng.randrange(10**9)}" for _ in range(rng.randrange(20, 120))]
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


def timed_child(code: str) -> tuple[float, None, str]:
    """Run python code in a fresh process: (seconds, None, its stdout)."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - t, None, out.stdout.strip()


def baseline_tarfile(archive: str) -> tuple[float, int]:
    """Read every byte of every member of every layer with tarfile (one pass, no parsing of contents)."""
    t = time.perf_counter()
    total = 0
    with tarfile.open(archive) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        for name in manifest["Layers"]:
            with tarfile.open(fileobj=outer.extractfile(name), mode="r|") as inner:  # type: ignore[arg-type]
                for m in inner:
                    fh = inner.extractfile(m) if m.isreg() else None
                    if fh is not None:
                        while chunk := fh.read(1 << 20):
                            total += len(chunk)
    return time.perf_counter() - t, total


def gzip_layout(archive: str, root: Path) -> list[Path]:
    """Write the archive's layers as gzip blobs of an OCI layout (as a registry would serve them)."""
    import gzip
    import hashlib

    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    with tarfile.open(archive) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = outer.extractfile(manifest["Config"]).read()  # type: ignore[union-attr]
        descs, paths = [], []
        for name in manifest["Layers"]:
            # Streamed in chunks: a big bench process would be inherited by the children it forks.
            tmp = blobs / "tmp"
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
                shutil.copyfileobj(outer.extractfile(name), gz, 1 << 20)  # type: ignore[arg-type]
            h = hashlib.sha256()
            with open(tmp, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
            digest = h.hexdigest()
            tmp.rename(blobs / digest)
            paths.append(blobs / digest)
            descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": f"sha256:{digest}",
                          "size": (blobs / digest).stat().st_size})
    cdig = hashlib.sha256(config).hexdigest()
    (blobs / cdig).write_bytes(config)
    doc = json.dumps({"schemaVersion": 2, "config": {"digest": f"sha256:{cdig}", "size": len(config),
                      "mediaType": "application/vnd.oci.image.config.v1+json"}, "layers": descs}).encode()
    mdig = hashlib.sha256(doc).hexdigest()
    (blobs / mdig).write_bytes(doc)
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": f"sha256:{mdig}", "size": len(doc)}]}))
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return paths


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(2)


def baseline_tarfile_gz(paths: list[Path]) -> float:
    t = time.perf_counter()
    for path in paths:
        with tarfile.open(path, mode="r|gz") as inner:
            for m in inner:
                fh = inner.extractfile(m) if m.isreg() else None
                if fh is not None:
                    while fh.read(1 << 20):
                        pass
    return time.perf_counter() - t


def gnu_tar_list(archive: str) -> float:
    with tarfile.open(archive) as outer:
        layers = json.load(outer.extractfile("manifest.json"))[0]["Layers"]  # type: ignore[arg-type]
    t = time.perf_counter()
    for name in layers:
        extract = subprocess.Popen(["tar", "-xOf", archive, name], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-t"], stdin=extract.stdout, stdout=subprocess.DEVNULL, check=True)
        extract.wait()
    return time.perf_counter() - t


def detect_secrets_scaled(src: Path, sample: int) -> tuple[float, int] | None:
    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    files = sorted(src.rglob("*.py"))
    picked = files[:: max(1, len(files) // sample)][:sample]
    t = time.perf_counter()
    with default_settings():
        coll = SecretsCollection()
        for f in picked:
            coll.scan_file(str(f))
    return (time.perf_counter() - t) * len(files) / len(picked), len(files)


def many_entries(n: int) -> None:
    code = f"""
import io, tarfile, resource
from imgforge.scan import scan_layer, account
class S(io.RawIOBase):
    def __init__(s): s.i, s.buf, s.pos = 0, b"", 0
    def readable(s): return True
    def readinto(s, b):
        if s.pos >= len(s.buf) and s.i <= {n}:
            parts = []
            for _ in range(4096):
                if s.i == {n}:
                    parts.append(bytes(1024)); s.i += 1; break
                parts.append(tarfile.TarInfo(f"d{{s.i % 1000}}/f{{s.i}}").tobuf(tarfile.USTAR_FORMAT)); s.i += 1
            s.buf, s.pos = b"".join(parts), 0
        k = min(len(b), len(s.buf) - s.pos); b[:k] = s.buf[s.pos:s.pos + k]; s.pos += k; return k
r = scan_layer(io.BufferedReader(S()), "layer")
a = account([r])
print(len(r.paths), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
    secs, _, out = timed_child(code)
    count, rss = out.split()
    print(f"{count} empty files in one layer: {secs:.1f} s, peak RSS {rss} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--binary-mb", type=int, default=150)
    ap.add_argument("--entries", type=int, default=0, help="also scan one layer of this many empty files")
    ap.add_argument("--keep", action="store_true", help="keep the image and archive")
    ap.add_argument("--reuse", metavar="DIR:TAG", help="reuse a kept work folder and image instead of building")
    args = ap.parse_args()
    global TAG
    if args.reuse:
        folder, TAG = args.reuse.split(":", 1)
        work = Path(folder)
    else:
        work = Path(tempfile.mkdtemp(prefix="imgforge-bench-"))
    try:
        ctx = work / "ctx"
        archive = str(work / "image.tar")
        if not args.reuse:
            ctx.mkdir()
            t = time.perf_counter()
            make_context(ctx, args.files, args.binary_mb)
            subprocess.run(["docker", "build", "-q", "-t", TAG, str(ctx)], check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["docker", "save", "-o", archive, TAG], check=True)
            print(f"built and saved {TAG}: {os.path.getsize(archive) / 1e6:.0f} MB archive in {time.perf_counter() - t:.0f} s")

        # Best of three everywhere: the machine is shared, and the best run is the least disturbed one.
        base_s, base_bytes = baseline_tarfile(archive)
        base_s = min(base_s, baseline_tarfile(archive)[0], baseline_tarfile(archive)[0])
        print(f"baseline: tarfile reads every byte of every layer: {base_s:.2f} s ({base_bytes / 1e6:.0f} MB)")
        tar_s = gnu_tar_list(archive)
        print(f"GNU tar lists every layer:                     {tar_s:.2f} s")

        t = time.perf_counter()
        subprocess.run(f"docker save {TAG} | cat > /dev/null", shell=True, check=True)
        print(f"docker save alone (the engine stream's floor):  {time.perf_counter() - t:.2f} s")
        # Peak memory is measured inside the child (itself and its layer workers): a fork of this big
        # bench process would otherwise count the parent's pages before exec.
        code = ("import resource, time; from imgforge.scan import scan, ScanPolicy, NoDetector; t = time.perf_counter(); "
                "r = scan({src!r}, detector={det}, policy=ScanPolicy(jobs={jobs})); s = time.perf_counter() - t; "
                "rss = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); "
                "print(f'{{s:.3f}} {{r.total_bytes}} {{r.wasted_bytes}} {{len(r.secrets)}} {{len(r.bloat)}} {{rss / 1024:.0f}}')")
        runs = (("archive file, accounting only, no secret detection", archive, 1, "NoDetector()"),
                ("archive file, jobs=1", archive, 1, "None"), ("archive file, default jobs=2", archive, 2, "None"),
                ("engine docker save stream", "docker:" + TAG, 2, "None"))
        for label, src, jobs, det in runs:
            outs = [timed_child(code.format(src=src, jobs=jobs, det=det))[2] for _ in range(3 if src == archive else 1)]
            out = min(outs, key=lambda o: float(o.split()[0]))
            secs, total, wasted, secrets, bloat, rss = out.split()
            print(f"imgforge scan ({label}): {float(secs):.2f} s = {float(secs) / base_s:.2f}x baseline; "
                  f"peak RSS {rss} MB (largest process); total {int(total) / 1e6:.0f} MB, wasted {int(wasted) / 1e6:.0f} MB, "
                  f"{bloat} bloat paths, {secrets} secrets")
        layout = work / "layout"
        if not layout.exists():
            gzip_layout(archive, layout)
        blobs = sorted((layout / "blobs" / "sha256").iterdir(), key=lambda p: -p.stat().st_size)
        layer_blobs = [p for p in blobs if _head(p) == b"\x1f\x8b"]
        gz_s = min(baseline_tarfile_gz(layer_blobs) for _ in range(3))
        print(f"baseline (gzip layers): tarfile r|gz reads every byte: {gz_s:.2f} s")
        out = min((timed_child(code.format(src=str(layout), jobs=2, det="None"))[2] for _ in range(3)),
                  key=lambda o: float(o.split()[0]))
        secs, rss = float(out.split()[0]), out.split()[-1]
        print(f"imgforge scan (OCI layout, gzip via ISA-L): {secs:.2f} s = {secs / gz_s:.2f}x that baseline; "
              f"peak RSS {rss} MB")
        ds = detect_secrets_scaled(ctx / "src", 200)
        if ds is None:
            print("detect-secrets: not installed (pip install detect-secrets to compare)")
        else:
            print(f"detect-secrets on 200 of {ds[1]} text files, scaled to all: {ds[0]:.1f} s")
        if args.entries:
            many_entries(args.entries)
    finally:
        if not args.keep and not args.reuse:
            subprocess.run(["docker", "image", "rm", "-f", TAG], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {TAG} and {work}")


if __name__ == "__main__":
    main()
