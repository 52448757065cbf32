"""`--insecure` on every command that talks to a registry reaches the one transport (plain http to a named host),
and the pipeline pins its manifests' digests with the same scheme choice as its push."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

import imgforge.pipeline
from imgforge.cli import main
from imgforge.manifest.image import EngineAndRegistry
from imgforge.pipeline import stages
from imgforge.pipeline.services import Services
from imgforge.pipeline.state import PipelineOptions
from imgforge.registry import Request, Response, Transport

HOST = "registry.example:5000"  # a named host: https unless --insecure
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "python-web"


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []

    def record(self: Transport, request: Request) -> Response:
        urls.append(request.url)
        if request.url.endswith("/v2/"):
            return Response(200, {}, b"{}")
        return Response(404, {"Content-Type": "application/json"}, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')

    monkeypatch.setattr(Transport, "send", record)  # the one method that does I/O
    return urls


COMMANDS = {
    "scan": ["scan", f"registry:{HOST}/app:1.0.0"],
    "report": ["report", f"registry:{HOST}/app:1.0.0", "--out", "{tmp}"],
    "manifest": ["manifest", str(SAMPLE), "--image", f"{HOST}/app:1.0.0"],
    "tag": ["tag", f"{HOST}/app", "--version", "1.0.0", "--dry-run"],
    "artifacts": ["artifacts", f"{HOST}/app:1.0.0"],
}


@pytest.mark.parametrize("insecure", [False, True])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_insecure_reaches_the_transport(command: str, insecure: bool, seen: list[str], tmp_path: Path) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]] + (["--insecure"] if insecure else [])
    main(argv)  # the fake registry has no image (most commands fail): the scheme is what is checked
    assert seen, f"{command} sent no registry request"
    assert {url.split("://")[0] for url in seen} == {"http" if insecure else "https"}


def test_pipeline_insecure_reaches_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    got: list[PipelineOptions] = []

    def fake_run_many(projects: list[Path], options: PipelineOptions, *_a: object, **_k: object) -> list[object]:
        got.append(options)
        return []

    monkeypatch.setattr(imgforge.pipeline, "run_many", fake_run_many)
    main(["pipeline", str(tmp_path), "--insecure", "--no-push"])
    assert [o.insecure for o in got] == [True]


@pytest.mark.parametrize("insecure", [False, True])
def test_pipeline_pins_digests_with_the_runs_scheme(insecure: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The push used `Services.client()` (insecure or not); the manifest stage's digest pinning must agree."""
    sources: list[object] = []

    class Stop(Exception):
        pass

    def fake_make_manifests(*_a: object, source: object = None, **_k: object) -> object:
        sources.append(source)
        raise Stop

    monkeypatch.setattr(stages, "make_manifests", fake_make_manifests)
    run = Services(say=lambda _m: None, registry_option=HOST, insecure=insecure)
    state = types.SimpleNamespace(
        project_dir=SAMPLE, options=PipelineOptions(kind="deployment"),
        generate=types.SimpleNamespace(version="1.0.0"), build=types.SimpleNamespace(revision=""),
        push=types.SimpleNamespace(pinned=f"{HOST}/app@sha256:" + "a" * 64))
    with pytest.raises(Stop):
        stages.manifest(state, run)  # type: ignore[arg-type]
    assert isinstance(sources[0], EngineAndRegistry) and sources[0].insecure is insecure
    assert run.client().transport.insecure is insecure
