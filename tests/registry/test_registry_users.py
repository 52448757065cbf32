"""Every registry user goes through the one transport: the same scheme for every address, and the same
recovery from faults (429 with Retry-After, 500s, a connection reset mid-body, 401 then a token) for
pull, push and attach — all against the in-memory registry behind `MockTransport`."""

from __future__ import annotations

import importlib
import io
import json
import pickle
import sys
import tarfile
from pathlib import Path

import pytest

from imgforge.artifacts import attach, fetch_file, list_artifacts
from imgforge.build.registry_cache import pin_bases, registry_base
from imgforge.env import registry as env_registry
from imgforge.env.registry_api import manifest_digest
from imgforge.errors import ImgforgeError, ImmutableTagError
from imgforge.image.registry import RegistryBlob, open_registry
from imgforge.manifest.image import EngineAndRegistry
import imgforge.push as push_module
from imgforge.push import land, publish
from imgforge.reference import Reference
from imgforge.registry import Credentials, Manifest, MockTransport, RegistryClient, Request, Response, Transport
from imgforge.registry.memory import MemoryRegistry, digest_of
from imgforge.report.previous import previous_version
from imgforge.tags import plan_tags

ADDRESSES = [("127.0.0.1:5000", "http"), ("127.0.0.2:5000", "http"), ("[::1]:5000", "http"),
             ("localhost:5000", "http"), ("registry.example", "https"), ("registry.example:5000", "https")]


def _users(host: str, insecure: bool, tmp_path: Path, seen: list[tuple[str, str]]) -> dict[str, object]:
    """Call each registry user once; each fails or answers, but each must first speak to the registry.

    Returns what each answered (or raised) and how many requests it sent (recorded in `seen`).
    """
    report = tmp_path / "r.json"
    report.write_text("{}")
    calls = {
        "scan source": lambda: open_registry(f"{host}/app:1", insecure=insecure),
        "digest pinning": lambda: EngineAndRegistry(insecure=insecure).registry_digest(
            Reference.parse(f"{host}/app:1")),
        "push client": lambda: RegistryClient(host, insecure=insecure).ping(),
        "attach": lambda: attach(f"{host}/app:1", [report], insecure=insecure),
        "artifacts": lambda: list_artifacts(f"{host}/app:1", insecure=insecure),
        "env ping": lambda: env_registry.ping(host, insecure=insecure),
        "env digest": lambda: manifest_digest(host, "app", "1", insecure=insecure),
        "previous version": lambda: previous_version(f"{host}/app:1.0.0", insecure=insecure),
    }
    if not insecure:  # `bases.registry` has no insecure switch: the rule alone decides
        calls["bases pinning"] = lambda: registry_base("imgforge/python:3.11", host)
        calls["bases pinning (scale)"] = lambda: pin_bases("FROM imgforge/python:3.11\n", host)
    out: dict[str, object] = {}
    for name, call in calls.items():
        before = len(seen)
        try:
            answer: object = call()
        except ImgforgeError as err:
            answer = err
        out[name] = (answer, len(seen) - before)
    return out


@pytest.mark.parametrize("insecure", [False, True])
@pytest.mark.parametrize(("host", "scheme"), ADDRESSES)
def test_every_user_picks_the_same_scheme(host: str, scheme: str, insecure: bool, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def record(self: Transport, request: Request) -> Response:
        seen.append((self.host, request.url))
        if request.url.endswith("/v2/"):
            return Response(200, {}, b"{}")
        return Response(404, {"Content-Type": "application/json"}, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')

    monkeypatch.setattr(Transport, "send", record)  # the one method that does I/O
    users = _users(host, insecure, tmp_path, seen)
    expected = "http" if insecure else scheme
    assert {url.split("://")[0] for _, url in seen} == {expected}, users
    assert {h for h, _ in seen} == {host}
    assert [name for name, (_, sent) in users.items() if not sent] == [], users  # every user spoke to it


# -- faults ------------------------------------------------------------------------------------------------


def _layer(payload: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("data.bin")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def _faults(reg: MemoryRegistry, method_path: str) -> None:
    """One of each fault on the matching requests: 429 with Retry-After, two 500s, a reset mid-body."""
    reg.fail(method_path, 429, headers={"Retry-After": "2"})
    reg.fail(method_path, 500, times=2)
    reg.fail(method_path, 200, reset_after=5)


def _client(reg: MemoryRegistry, sleeps: list[float]) -> RegistryClient:
    transport = MockTransport(reg, host=reg.host, credentials=Credentials("ci", "pw"), sleep=sleeps.append)
    return RegistryClient(reg.host, transport=transport)


def test_pull_survives_faults_and_token_auth() -> None:
    reg = MemoryRegistry(auth="bearer")
    payload = bytes(range(256)) * 2048
    layer = _layer(payload)
    reg.add_image("shop/web", "1.0.0", [layer])
    _faults(reg, r"GET /v2/shop/web/manifests/1.0.0")
    _faults(reg, r"GET /v2/shop/web/blobs/")
    reg.fail(r"GET /v2/shop/web/blobs/", 200, reset_after=200_000)  # the layer drops mid-way
    sleeps: list[float] = []
    transport = _client(reg, sleeps).transport
    image = open_registry(f"{reg.host}/shop/web:1.0.0", transport=transport)
    with image.layers[0].open() as stream:
        assert stream.read() == layer
    assert image.config.diff_ids == (image.layers[0].digest,)
    assert 2.0 in sleeps and any(r.headers.get("Range") for r in reg.seen)
    assert any(r.url.startswith(f"http://{reg.host}/token?") for r in reg.seen)  # the realm it named


def test_push_lands_and_tags_through_faults() -> None:
    reg = MemoryRegistry(auth="bearer")
    digest = reg.add_image("imgforge-staging/shop/web", None, [_layer(b"a" * 1000)])
    _faults(reg, r"GET /v2/imgforge-staging/shop/web/manifests/")
    reg.fail(r"POST /v2/shop/web/blobs/uploads/", 429, headers={"Retry-After": "3"})
    reg.fail(r"PUT /v2/shop/web/manifests/1\.0\.0$", 503, times=2)
    sleeps: list[float] = []
    target = Reference.parse(f"{reg.host}/shop/web")
    outcomes = land(_client(reg, sleeps), target, plan_tags("1.0.0", {}, latest=True), "imgforge-staging/shop/web",
                    digest, settle=0)
    assert [(o.tag, o.action) for o in outcomes] == [("1.0.0", "created"), ("1.0", "created"), ("1", "created"),
                                                     ("latest", "created")]
    assert set(reg.tags["shop/web"].values()) == {digest}
    assert 3.0 in sleeps and 2.0 in sleeps
    assert any(r.url.startswith(f"http://{reg.host}/token?") for r in reg.seen)  # 401, then the token


def test_push_same_image_check_reads_the_config_blob_through_a_reset_mid_blob() -> None:
    """The push's one blob read through the transport (layers go up through the engine): the config of an
    existing version tag, compared with the local image when only BuildKit's cache record differs."""
    reg = MemoryRegistry(auth="bearer")
    layer = _layer(b"same" * 500)
    config = {"architecture": "amd64", "os": "linux", "config": {"User": "10001", "Env": ["A=1"]},
              "rootfs": {"type": "layers", "diff_ids": [digest_of(layer)]},
              "moby.buildkit.cache.v0": "x" * 4000}  # makes the config digest differ from the local image id
    digest = reg.add_image("shop/web", "1.0.0", [layer], config=json.dumps(config).encode())
    local = {"diff_ids": [digest_of(layer)], **{k: config["config"].get(k) for k in push_module._CONFIG_KEYS}}
    _faults(reg, r"GET /v2/shop/web/blobs/")
    reg.fail(r"GET /v2/shop/web/blobs/", 200, reset_after=1000)  # the config drops mid-way
    sleeps: list[float] = []
    found = push_module._existing_same_image(_client(reg, sleeps), Reference.parse(f"{reg.host}/shop/web"),
                                             plan_tags("1.0.0", {}), "sha256:" + "0" * 64, local)
    assert found == digest
    assert 2.0 in sleeps and any(r.headers.get("Range") for r in reg.seen)
    assert any(r.url.startswith(f"http://{reg.host}/token?") for r in reg.seen)


def test_attach_and_fetch_through_faults(tmp_path: Path) -> None:
    reg = MemoryRegistry(auth="bearer")
    subject = reg.add_image("shop/web", "1.0.0", [_layer(b"x")])
    report = tmp_path / "scan.json"
    report.write_text(json.dumps({"findings": list(range(2000))}))
    _faults(reg, r"GET /v2/shop/web/manifests/sha256:")
    reg.fail(r"POST /v2/shop/web/blobs/uploads/", 429, headers={"Retry-After": "4"})
    reg.fail(r"PUT /v2/shop/web/blobs/uploads/", 500)
    sleeps: list[float] = []
    client = _client(reg, sleeps)
    art = attach(f"{reg.host}/shop/web@{subject}", [report], client=client)
    found = list_artifacts(f"{reg.host}/shop/web:1.0.0", client=client)
    assert [a.digest for a in found] == [art] and found[0].files == ("scan.json",)
    reg.fail(r"GET /v2/shop/web/blobs/", 200, reset_after=1000)
    assert fetch_file(f"{reg.host}/shop/web@{subject}", found[0], "scan.json", client=client) == report.read_bytes()
    assert 4.0 in sleeps and 2.0 in sleeps
    assert not any("secret-state" in str(r.headers) for r in reg.seen)
    assert any(r.url.startswith(f"http://{reg.host}/token?") for r in reg.seen)  # 401, then the token


# -- the push race, decided by the registry's answers ----------------------------------------------------


def _race_setup() -> tuple[MemoryRegistry, RegistryClient, Manifest, Manifest]:
    reg = MemoryRegistry()
    ours = reg.add_image("shop/web", None, [_layer(b"ours")])
    theirs = reg.add_image("shop/web", None, [_layer(b"theirs")])
    as_manifest = [Manifest(reg.manifests[d][0], reg.manifests[d][1], d) for d in (ours, theirs)]
    return reg, _client(reg, []), as_manifest[0], as_manifest[1]


def test_version_tag_taken_just_before_our_put_is_never_overwritten() -> None:
    reg, client, ours, theirs = _race_setup()

    def other_writer(request: Request) -> None:  # lands between plan and PUT, right before our re-check
        if request.method == "HEAD" and request.url.endswith("/manifests/2.0.0"):
            reg.tags["shop/web"]["2.0.0"] = theirs.digest

    reg.on_request = other_writer
    with pytest.raises(ImmutableTagError, match=theirs.digest):
        publish(client, Reference.parse(f"{reg.host}/shop/web"), plan_tags("2.0.0", {}), ours, settle=0)
    assert not [r for r in reg.seen if r.method == "PUT"]
    assert reg.tags["shop/web"] == {"2.0.0": theirs.digest}


def test_version_tag_overwritten_after_our_put_fails_us_and_floating_tags_stay() -> None:
    reg, client, ours, theirs = _race_setup()

    def settle(_seconds: float) -> None:  # the other writer's PUT lands while we wait
        reg.tags["shop/web"]["2.0.0"] = theirs.digest

    with pytest.raises(ImmutableTagError, match=f"lost a race.*{theirs.digest}"):
        publish(client, Reference.parse(f"{reg.host}/shop/web"), plan_tags("2.0.0", {}, latest=True), ours,
                sleep=settle)
    assert reg.tags["shop/web"] == {"2.0.0": theirs.digest}  # no floating tag moved to the loser


# -- the registry source's credentials ----------------------------------------------------------------------


def test_scan_source_uses_the_login_and_its_openers_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGFORGE_REGISTRY_USER", "ci")
    monkeypatch.setenv("IMGFORGE_REGISTRY_PASSWORD", "pw-from-env")
    reg = MemoryRegistry(auth="basic", password="pw-from-env")
    layer = _layer(b"private")
    reg.add_image("shop/web", "1.0.0", [layer])
    image = open_registry(f"{reg.host}/shop/web:1.0.0", transport=MockTransport(reg, host=reg.host))
    with image.layers[0].open() as stream:
        assert stream.read() == layer
    opener = RegistryBlob(Transport("127.0.0.2:5000"), "shop/web", "sha256:ab", "s")
    clone = pickle.loads(pickle.dumps(opener))  # what a scan worker process receives
    assert (clone.transport.base, clone.digest) == ("http://127.0.0.2:5000", "sha256:ab")
    assert b"pw-from-env" not in pickle.dumps(opener)


def test_scan_source_never_goes_on_without_its_auth_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """It used to swallow an ImportError of the auth module and quietly pull without credentials."""
    for name in [m for m in sys.modules if m.startswith(("imgforge.registry", "imgforge.image.registry"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "imgforge.registry.auth", None)  # an import of it now fails
    with pytest.raises(ImportError):
        importlib.import_module("imgforge.image.registry")
