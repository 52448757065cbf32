"""Engine and builder selection, settings, the registry-cache plan and registry bases in generated Dockerfiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imgforge.build.registry_cache import branch_tag, cache_plan, registry_base
from imgforge.cli import main
from imgforge.env.engine import Selection, client, docker_command, selected, use
from imgforge.errors import EnvironmentProblem, UsageError
from imgforge.generate import generate, load_project
from imgforge.settings import bases_settings, build_settings

DIGEST = "sha256:" + "cd" * 32


def test_a_selection_names_its_engine_and_reaches_it_in_every_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    assert selected() == Selection() and Selection().engine_name() == "the default engine"
    by_host = Selection("unix:///run/b.sock", "farm")
    assert (by_host.host, by_host.context_name) == ("unix:///run/b.sock", None)
    assert by_host.engine_name() == "engine unix:///run/b.sock" and by_host.builder_name() == "builder farm"
    with use(Selection("ctx-b")):
        assert docker_command("ps")[-3:] == ["--context", "ctx-b", "ps"]
        assert client().client_config.context == "ctx-b"
    with use(by_host):
        assert docker_command("ps")[-3:] == ["--host", "unix:///run/b.sock", "ps"]
    assert selected() == Selection(), "the selection ends with the block"
    assert Selection(None, "b1").over(Selection("c", "b2")) == Selection("c", "b1")
    monkeypatch.setenv("DOCKER_HOST", "tcp://build:2376")
    assert Selection().engine_name() == "engine tcp://build:2376 (DOCKER_HOST)"


def test_build_and_bases_settings_are_checked_with_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text(
        "build:\n  context: ci-remote\n  builder: farm\n  network: {host: false}\n"
        "bases:\n  registry: registry.example:5000/platform\n")
    assert (build_settings(tmp_path).context, build_settings(tmp_path).builder) == ("ci-remote", "farm")
    assert bases_settings(tmp_path).registry == "registry.example:5000/platform"
    (tmp_path / "imgforge.yaml").write_text("build:\n  contxt: x\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:2: build.contxt: Extra inputs"):
        build_settings(tmp_path)
    (tmp_path / "imgforge.yaml").write_text("bases:\n  registry: 'http://x'\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:2: bases.registry"):
        bases_settings(tmp_path)


def test_an_unknown_engine_or_builder_is_named_with_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    sock = tmp_path / "none.sock"
    assert main(["build", ".", "--context", f"unix://{sock}"]) == 3
    assert f"building: engine unix://{sock}: Cannot connect" in capsys.readouterr().err
    (tmp_path / "imgforge.yaml").write_text("build: {context: 'unix:///nonexistent/b.sock'}\n")
    assert main(["bases", "list"]) == 3
    assert "engine unix:///nonexistent/b.sock" in capsys.readouterr().err


def test_cache_plan_inline_by_default_registry_max_with_a_container_builder() -> None:
    tags = ["1.0.0", "1.1.0", "cache-branch-feature-x", "cache-deps"]
    plan = cache_plan("r:5000/app", "docker", "1.1.0", "feature/x", tags, ["deps", "build"])
    assert plan.cache_from == ("r:5000/app:1.1.0", "r:5000/app:cache-branch-feature-x", "r:5000/app:cache-deps")
    assert plan.cache_to == "type=inline" and plan.stage_images == ("deps", "build")
    assert cache_plan("r:5000/app", "docker", None, "main", tags).cache_from == (), "absent tags are not read"
    wide = cache_plan("r:5000/app", "docker-container", "1.1.0", None, tags, ["deps"])
    assert wide.cache_to == "type=registry,ref=r:5000/app:buildcache,mode=max"
    assert wide.cache_from == ("type=registry,ref=r:5000/app:buildcache", "r:5000/app:1.1.0")
    assert wide.stage_images == (), "mode=max keeps the builder stages already"
    assert branch_tag("dependabot/pip/flask-3.0") == "cache-branch-dependabot-pip-flask-3.0"


def test_registry_bases_pinned_by_digest_in_generated_dockerfiles(tmp_path: Path) -> None:
    asked: list[tuple[str, str, str]] = []

    def resolve(registry: str, repository: str, tag: str) -> str | None:
        asked.append((registry, repository, tag))
        return DIGEST

    assert registry_base("imgforge/golang:1.24", "r:5000/p", True, resolve) == \
        f"${{IMGFORGE_BASES}}/imgforge/golang:1.24@{DIGEST}"
    assert asked == [("r:5000/p", "imgforge/golang", "1.24")]
    assert registry_base("docker.io/library/golang:1.22", "r:5000", True, resolve) == "docker.io/library/golang:1.22"
    assert registry_base("imgforge/golang:1.24", "r:5000", False, resolve) == "${IMGFORGE_BASES}/imgforge/golang:1.24"
    with pytest.raises(EnvironmentProblem, match="pinning base imgforge/golang:1.24: r:5000 does not have it"):
        registry_base("imgforge/golang:1.24", "r:5000", True, lambda *_: None)


def test_generate_takes_bases_from_the_registry_unpinned_when_asked(tmp_path: Path) -> None:
    (tmp_path / "imgforge.yaml").write_text("recipe: go\nbases: {registry: 'mirror.example:5000/ci', pin: false}\n")
    (tmp_path / "go.mod").write_text("module example.invalid/x\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    text = generate(load_project(tmp_path)).dockerfile
    assert "ARG IMGFORGE_BASES=mirror.example:5000/ci\n" in text
    assert text.index("ARG IMGFORGE_BASES") < text.index("FROM ")
    froms = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert froms == ["${IMGFORGE_BASES}/imgforge/golang:1.24", "${IMGFORGE_BASES}/imgforge/busybox:1.35"]


def test_the_readme_settings_example_holds_valid_build_and_bases_sections(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## Settings: `imgforge.yaml`\s*```yaml\n(.*?)```", text, re.S)
    assert block
    (tmp_path / "imgforge.yaml").write_text(block.group(1))
    assert build_settings(tmp_path).builder == "default" and build_settings(tmp_path).cache
    assert bases_settings(tmp_path).registry == "127.0.0.1:5000"
