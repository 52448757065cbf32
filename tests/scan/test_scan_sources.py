"""Image sources: lazy layer openers, how a source is chosen, and errors naming the step."""

from __future__ import annotations

import hashlib
import json

import pytest
from scanhelp import docker_archive, layer_tar

from imgforge.cli import main
from imgforge.errors import RegistryUnavailable, UsageError
from imgforge.image import open_image, source_of
from imgforge.scan import NoDetector, scan


def test_archive_layers_open_as_exact_slices(tmp_path):
    layers = [layer_tar([("file", "/a", 700)]), layer_tar([("file", "/b", b"hello")])]
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive(layers, env=["A=1"]))
    image = open_image(str(path))
    assert image.source == "archive" and image.config.env == ("A=1",)
    for layer, data in zip(image.layers, layers, strict=True):
        with layer.open() as fh:
            got = fh.read()
        assert got == data and layer.diff_id == "sha256:" + hashlib.sha256(got).hexdigest()


def test_source_choice(tmp_path):
    (tmp_path / "f.tar").write_bytes(b"")
    assert source_of(str(tmp_path)) == ("oci-layout", str(tmp_path))
    assert source_of(str(tmp_path / "f.tar")) == ("archive", str(tmp_path / "f.tar"))
    assert source_of("registry://127.0.0.1:5000/a/b:1") == ("registry", "127.0.0.1:5000/a/b:1")
    assert source_of("docker:app:1") == ("daemon", "app:1")


def test_hostile_layout_digest_is_refused(tmp_path):
    (tmp_path / "index.json").write_text(json.dumps({"manifests": [{"digest": "sha256:../../../etc/passwd"}]}))
    with pytest.raises(UsageError, match="bad digest"):
        open_image(str(tmp_path))


def test_empty_folder_is_not_an_image(tmp_path):
    with pytest.raises(UsageError, match="neither manifest.json nor index.json"):
        open_image(str(tmp_path))


def test_unknown_image_and_unreachable_registry_exit_codes(docker, registry, capsys):
    assert main(["scan", "imgforge-test/no-such-image:0"]) == 2
    assert "not a file, a folder, an image in the engine" in capsys.readouterr().err
    assert main(["scan", "docker:imgforge-test/no-such-image:0"]) == 2
    assert "no such image" in capsys.readouterr().err
    assert main(["scan", f"registry:{registry.address}/test/no-such-repo:1"]) == 2
    assert "registry answered 404" in capsys.readouterr().err
    with pytest.raises(RegistryUnavailable, match="does not answer"):
        scan("registry:127.0.0.1:1/test/x:1", detector=NoDetector())


def test_parallel_layer_workers_give_the_same_report(tmp_path, monkeypatch):
    from scanhelp import fake_tokens

    from imgforge.scan import ScanPolicy, engine

    token = fake_tokens("parallel")["github"]
    layers = [layer_tar([("file", "/a", 5000), ("file", "/app/.env", f"T={token}\n".encode())]),
              layer_tar([("wh", "/app/.env"), ("file", "/b", 10)]),
              layer_tar([("wh", "/a")])]
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive(layers))
    one = scan(str(path), policy=ScanPolicy(jobs=1))
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    two = scan(str(path), policy=ScanPolicy(jobs=2))
    assert one == two
    assert [(s.path, s.deleted) for s in two.secrets] == [("/app/.env", True)]


def test_one_batcher_for_all_layers_gives_the_same_report_through_workers(tmp_path, monkeypatch):
    """Text files of every layer go to one batcher (tiny batches, two workers): the report is jobs=1's."""
    from scanhelp import fake_tokens

    from imgforge.scan import ScanPolicy, detect

    tokens = fake_tokens("shared")
    layers = [layer_tar([("file", f"/l{k}/f{i}.env", f"T{i}={tokens['github']}\nx = 1\n".encode())
                         for i in range(30)] + [("file", f"/l{k}/bin.so", b"\0" * 100)])
              for k in range(3)]
    layers.append(layer_tar([("wh", "/l1")]))
    path = tmp_path / "img.tar"
    path.write_bytes(docker_archive(layers))
    one = scan(str(path), policy=ScanPolicy(jobs=1))
    monkeypatch.setattr(detect, "BATCH", 64)  # many small batches, in flight across layer ends
    monkeypatch.setattr(detect, "usable_cores", lambda: 2)
    detect.close_pools()  # the slots are sized by BATCH when the pool is made
    try:
        two = scan(str(path), policy=ScanPolicy(jobs=2))
    finally:
        detect.close_pools()
    assert one == two
    assert len(two.secrets) == 90 and {s.layer for s in two.secrets} == {0, 1, 2}
    assert [s.deleted for s in two.secrets if s.layer == 1] == [True] * 30
