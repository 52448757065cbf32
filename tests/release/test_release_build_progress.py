"""BuildKit plain-progress parsing over golden output captured from Docker 20.10's BuildKit 0.8."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.build import BuildOptions, ProgressLog, Secret, locate_step, oci_labels
from imgforge.build.options import check_build_args, created_timestamp
from python_on_whales import DockerClient

import imgforge.build.run
from imgforge.build.run import _plugin_client, buildx_plugin, check_cache
from imgforge.errors import UsageError

DATA = Path(__file__).resolve().parents[1] / "data" / "release"


def _feed(name: str) -> ProgressLog:
    log = ProgressLog()
    for line in (DATA / name).read_text().splitlines():
        log.feed(line)
    return log


def test_failure_names_dockerfile_line_and_output_tail():
    failure = _feed("buildkit-plain-fail.txt").failure((DATA / "fail.Dockerfile").read_text())
    assert failure is not None
    assert (failure.stage, failure.step) == ("build", "3/3")
    assert failure.dockerfile_line == 5  # the continued RUN starts on line 5
    assert failure.output_tail == ("line1", "line2")
    assert "exit code: 3" in failure.error


def test_stage_timings_from_ok_build():
    timings = {t.stage: t for t in _feed("buildkit-plain-ok.txt").timings()}
    assert set(timings) == {"build", "final"}
    assert timings["build"].steps == 2 and timings["build"].cached == 1
    assert timings["final"].seconds == pytest.approx(0.3)
    assert _feed("buildkit-plain-ok.txt").failure("") is None


def test_newer_buildkit_file_line_wins():
    log = ProgressLog()
    for line in ["#7 [2/2] RUN false", "#7 ERROR: process did not complete", "Dockerfile:12", "--------"]:
        log.feed(line)
    failure = log.failure("FROM x\nRUN false\n")
    assert failure is not None and failure.dockerfile_line == 12 and failure.stage == "main"


@pytest.mark.parametrize(("stage", "index", "line"), [
    ("", 2, 3), ("build", 1, 1), ("final", 1, 6), ("final", 2, 7), ("stage-2", 1, 8), ("nope", 1, None),
])
def test_locate_step(stage: str, index: int, line: int | None):
    text = "FROM a AS build\n# c\nRUN x \\\n  && y\nFROM build AS final\nCOPY a b\nRUN z\nFROM scratch\n"
    if stage == "":
        text = "FROM a\n\nRUN x\n"
    assert locate_step(text, stage, index) == line


def test_secret_looking_build_args_are_refused():
    with pytest.raises(UsageError, match="NPM_TOKEN looks like a secret"):
        check_build_args({"VERSION": "1", "NPM_TOKEN": "x"})
    with pytest.raises(UsageError, match="DB_PASSWORD"):
        check_build_args({"DB_PASSWORD": "x"})
    check_build_args({"VERSION": "1", "AUTHOR": "me", "TOKENIZER_MODEL": "bpe", "PASSTHROUGH": "1"})


def test_secret_flag_never_carries_a_value():
    assert Secret.parse("id=npm,env=NPM_TOKEN").flag() == "id=npm,env=NPM_TOKEN"
    assert Secret.parse("id=k,src=/tmp/k").flag() == "id=k,src=/tmp/k"
    with pytest.raises(UsageError):
        Secret.parse("id=k")


def test_docker_driver_allows_only_inline_cache():
    check_cache(BuildOptions(cache_to="type=local,dest=/tmp/c"), lambda: "docker-container")
    with pytest.raises(UsageError, match="only inline cache"):
        check_cache(BuildOptions(cache_to="type=registry,ref=x"), lambda: "docker")


def test_builder_is_inspected_only_for_a_cache_export_it_could_refuse():
    def never() -> str:
        raise AssertionError("the builder was inspected")

    check_cache(BuildOptions(), never)
    check_cache(BuildOptions(cache_to="type=inline"), never)


def _plugin(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "docker-buildx").write_text("#!/bin/sh\n")
    (folder / "docker-buildx").chmod(0o755)
    return folder / "docker-buildx"


def test_buildx_plugin_is_found_where_the_docker_cli_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    system = _plugin(tmp_path / "system")
    monkeypatch.setattr(imgforge.build.run, "_SYSTEM_PLUGIN_DIRS", (str(tmp_path / "none"), str(system.parent)))
    config = tmp_path / "config"
    config.mkdir()
    assert buildx_plugin(config) == system
    mine = _plugin(config / "cli-plugins")  # the config folder's own plugin comes first, as for the CLI
    assert buildx_plugin(config) == mine
    (config / "config.json").write_text('{"cliPluginsExtraDirs": ["/opt/plugins"]}')
    assert buildx_plugin(config) is None  # extra plugin dirs: left to `docker buildx` itself


def test_build_calls_the_plugin_with_the_clients_global_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    plugin = _plugin(tmp_path / "cli-plugins")
    monkeypatch.setattr(imgforge.build.run, "_SYSTEM_PLUGIN_DIRS", ())
    monkeypatch.delenv("BUILDX_GIT_INFO", raising=False)
    engine = DockerClient(config=str(tmp_path), host="unix:///tmp/other.sock")
    cmd = [str(part) for part in _plugin_client(engine).client_config.docker_cmd]
    assert cmd[1:] == ["DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=docker", "BUILDX_GIT_INFO=0", str(plugin),
                       "--config", str(tmp_path), "--host", "unix:///tmp/other.sock"]
    cli = _plugin_client(DockerClient(config=str(tmp_path / "empty"))).client_config.client_call
    assert cli == ["env", "BUILDX_GIT_INFO=0", "docker"]  # no plugin found: `docker buildx`, without git either
    podman = DockerClient(client_call=["podman"], config=str(tmp_path))
    assert _plugin_client(podman) is podman


def test_buildx_runs_no_git_unless_the_caller_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # buildx's git info only feeds provenance attestations; a caller who sets the variable keeps its choice.
    plugin = _plugin(tmp_path / "cli-plugins")
    monkeypatch.setattr(imgforge.build.run, "_SYSTEM_PLUGIN_DIRS", ())
    monkeypatch.setenv("BUILDX_GIT_INFO", "1")
    call = _plugin_client(DockerClient(config=str(tmp_path))).client_config.client_call
    assert call == ["env", "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=docker", str(plugin)]
    engine = DockerClient(config=str(tmp_path / "empty"))
    assert _plugin_client(engine) is engine


def test_created_from_source_date_epoch_and_labels(tmp_path: Path):
    created = created_timestamp(tmp_path, {"SOURCE_DATE_EPOCH": "1700000000"})
    assert created == "2023-11-14T22:13:20Z"
    labels = oci_labels(title="app", version="1.2.3", revision=None, source=None, created=created)
    assert labels == {"org.opencontainers.image.title": "app", "org.opencontainers.image.version": "1.2.3",
                      "org.opencontainers.image.created": created}
