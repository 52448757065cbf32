"""Helpers for the scan tests: in-memory layer tars, a reference overlay model, and the test detector."""

from __future__ import annotations

import gzip
import io
import json
import posixpath
import re
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Entry specs: ("file", path, data) | ("dir", path) | ("wh", path) | ("opq", dir) | ("link", path, target)
#              | ("sym", path, target) | ("raw", TarInfo, data)
Spec = tuple[Any, ...]


def layer_tar(specs: Iterable[Spec], mtime: int = 1_700_000_000) -> bytes:
    """A layer tar built in memory from entry specs."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for spec in specs:
            kind = spec[0]
            if kind == "raw":
                tf.addfile(spec[1], io.BytesIO(spec[2]) if spec[2] is not None else None)
                continue
            path = spec[1].lstrip("/")
            if kind == "opq":
                path = posixpath.join(path, ".wh..wh..opq")
            elif kind == "wh":
                path = posixpath.join(posixpath.dirname(path), ".wh." + posixpath.basename(path))
            ti = tarfile.TarInfo(path)
            ti.mtime = spec[3] if kind == "file" and len(spec) > 3 else mtime
            data = None
            if kind == "file":
                data = spec[2] if isinstance(spec[2], bytes) else b"x" * spec[2]
                ti.size = len(data)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "link":
                ti.type, ti.linkname = tarfile.LNKTYPE, spec[2].lstrip("/")
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, spec[2]
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1)


def docker_archive(layers: list[bytes], env: list[str] | None = None, created_by: list[str] | None = None) -> bytes:
    """A legacy `docker save` archive (manifest.json + <id>/layer.tar) built in memory."""
    import hashlib

    diff_ids = ["sha256:" + hashlib.sha256(data).hexdigest() for data in layers]
    history = [{"created_by": created_by[i] if created_by and i < len(created_by) else f"RUN step {i} # buildkit"}
               for i in range(len(layers))]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": env or []},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["t:1"], "Layers": names}]).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in [(config_name, config), *zip(names, layers, strict=True), ("manifest.json", manifest)]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


@dataclass
class RefResult:
    total: int
    wasted: int
    visible: dict[str, tuple[int, int]]  # path -> (layer, size) of visible regular files
    removed: list[tuple[str, int, int, int]]  # (path, added_in, removed_in, size) of hidden non-empty versions


def reference_overlay(layers: list[list[tuple[str, str, int]]]) -> RefResult:
    """An independent bottom-up overlay model: ops (kind, path, size) with kind file|dir|wh|opq."""
    fs: dict[str, tuple[int, str, int]] = {}  # path -> (layer, kind, size)
    total = 0
    removed: list[tuple[str, int, int, int]] = []

    def drop(p: str, i: int) -> None:
        layer, kind, size = fs.pop(p)
        if kind == "file" and size:
            removed.append((p, layer, i, size))

    for i, ops in enumerate(layers):
        for kind, path, size in ops:
            if kind == "opq":
                for p in [p for p, v in fs.items() if p.startswith(path + "/") and v[0] < i]:
                    drop(p, i)
            elif kind == "wh":
                for p in [p for p, v in fs.items() if (p == path or p.startswith(path + "/")) and v[0] < i]:
                    drop(p, i)
            else:
                if kind != "dir":
                    for p in [p for p, v in fs.items() if p.startswith(path + "/") and v[0] < i]:
                        drop(p, i)
                if kind == "dir" and path in fs and fs[path][1] == "dir":
                    continue
                if path in fs:
                    drop(path, i)
                fs[path] = (i, kind, size)
                total += size if kind == "file" else 0
    visible = {p: (v[0], v[2]) for p, v in fs.items() if v[1] == "file"}
    return RefResult(total, total - sum(s for _, s in visible.values()), visible, removed)


def to_oci_layout(save_tar: str, root: str, compression: str = "gzip") -> None:
    """Rewrite a legacy `docker save` archive as an OCI image layout folder (layers gzip or zstd)."""
    import hashlib
    import os

    import zstandard

    def put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        os.makedirs(f"{root}/blobs/sha256", exist_ok=True)
        with open(f"{root}/blobs/sha256/{digest}", "wb") as fh:
            fh.write(data)
        return "sha256:" + digest

    with tarfile.open(save_tar) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = tf.extractfile(manifest["Config"]).read()  # type: ignore[union-attr]
        layers = []
        for name in manifest["Layers"]:
            raw = tf.extractfile(name).read()  # type: ignore[union-attr]
            packed = gzip.compress(raw, 1) if compression == "gzip" else zstandard.ZstdCompressor().compress(raw)
            media = "application/vnd.oci.image.layer.v1.tar+" + ("gzip" if compression == "gzip" else "zstd")
            layers.append({"mediaType": media, "digest": put(packed), "size": len(packed)})
    doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config),
                      "size": len(config)},
           "layers": layers}
    mbytes = json.dumps(doc).encode()
    index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                                "digest": put(mbytes), "size": len(mbytes),
                                                "platform": {"os": "linux", "architecture": "amd64"}}]}
    with open(f"{root}/index.json", "w") as fh:
        json.dump(index, fh)
    with open(f"{root}/oci-layout", "w") as fh:
        fh.write('{"imageLayoutVersion": "1.0.0"}')


def read_docker_save(data_or_path: bytes | str) -> tuple[dict[str, Any], list[list[tuple[str, str, int]]], list[str]]:
    """The test's own reader of `docker save` output: (config, per-layer ops, diff ids)."""
    fileobj = open(data_or_path, "rb") if isinstance(data_or_path, str) else io.BytesIO(data_or_path)  # noqa: SIM115
    with fileobj, tarfile.open(fileobj=fileobj, mode="r:") as tf:
        manifest = json.load(tf.extractfile("manifest.json"))[0]  # type: ignore[arg-type]
        config = json.load(tf.extractfile(manifest["Config"]))  # type: ignore[arg-type]
        layers = []
        for name in manifest["Layers"]:
            ops = []
            with tarfile.open(fileobj=tf.extractfile(name)) as inner:  # type: ignore[arg-type]
                for m in inner:
                    path = "/" + m.name.lstrip("./").rstrip("/")
                    base = posixpath.basename(path)
                    if base == ".wh..wh..opq":
                        ops.append(("opq", posixpath.dirname(path), 0))
                    elif base.startswith(".wh."):
                        ops.append(("wh", posixpath.join(posixpath.dirname(path), base[4:]), 0))
                    elif m.isreg():
                        ops.append(("file", path, m.size))
                    elif m.isdir():
                        ops.append(("dir", path, 0))
                    else:
                        ops.append(("other", path, 0))
            layers.append(ops)
    return config, layers, config["rootfs"]["diff_ids"]


class StubDetector:
    """Used only while `imgforge.secrets` is not importable: two token shapes, fingerprinted by value hash."""

    _RULES = {"aws-access-key-id": re.compile(rb"AKIA[0-9A-Z]{16}"),
              "github-token": re.compile(rb"ghp_[A-Za-z0-9]{36}")}

    def _scan(self, data: bytes) -> list[Any]:
        import hashlib
        from types import SimpleNamespace

        out = []
        for rule, rx in self._RULES.items():
            for m in rx.finditer(data):
                secret = m.group(0)
                line = data.count(b"\n", 0, m.start()) + 1
                out.append(SimpleNamespace(rule=rule, description=rule, line=line,
                                           redacted=secret[:4].decode() + "****",
                                           fingerprint=hashlib.sha256(rule.encode() + secret).hexdigest()[:32]))
        return out

    def scan_bytes(self, data: bytes, path: str) -> list[Any]:
        return [] if b"\0" in data[:8192] else self._scan(data)

    def scan_value(self, value: str, name: str) -> list[Any]:
        return self._scan(value.encode())

    def wants_path(self, path: str) -> bool:
        return not path.endswith((".png", ".jpg", ".so", ".bin"))

    def wants_binary(self, head: bytes, size: int) -> bool:
        return False


def detector() -> Any:
    """The real detector when the secrets stage is there, else the stub."""
    try:
        from imgforge.secrets import default_detector
    except ImportError:
        return StubDetector()
    return default_detector()


def fake_tokens(seed: str) -> dict[str, str]:
    """Token-shaped test values (not real credentials), made at run time so the repo holds none."""
    import base64
    import hashlib

    alnum = hashlib.sha512(seed.encode()).hexdigest()
    mixed = "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(alnum))
    return {
        "aws": "AKIA" + base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()[:16],
        "github": "ghp_" + mixed[:36],
        "github2": "ghp_" + mixed[40:76],
        "github3": "ghp_" + mixed[80:116],
    }
