"""Each start-up path loads only what it uses (issue 18): `imgforge --help`, `lint --help`, `scan --help`,
`lint FILE` and `scan ARCHIVE`, each run in a fresh interpreter. Timings are measured in bench/startup.py."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from imgforge.cli import COMMAND_MODULES, COMMANDS, main, module_commands

ROOT = Path(__file__).resolve().parents[2]

# Never on a start-up path: the engine client, the manifest validators, the registry clients, the pipeline.
HEAVY = ("python_on_whales", "kubernetes_validate", "oras", "jsonschema", "requests", "docker", "imgforge.pipeline",
         "imgforge.manifest", "imgforge.build", "imgforge.generate")
# typer's rich help: rich's markdown and traceback renderers (markdown-it, pygments).
RICH_HELP = ("typer.rich_utils", "rich.markdown", "rich.traceback", "pygments", "markdown_it")


def modules_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (which may call the CLI and exit)."""
    wrapped = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: sys.__stderr__.write('MODULES=' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        + code
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", wrapped], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    line = next((ln for ln in done.stderr.splitlines() if ln.startswith("MODULES=")), None)
    assert line is not None, done.stderr[-2000:]
    return set(json.loads(line.removeprefix("MODULES=")))


def cli(*args: str) -> str:
    return f"from imgforge.cli import main\nsys.exit(main({list(args)!r}))\n"


def assert_none(loaded: set[str], names: tuple[str, ...]) -> None:
    found = sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))
    assert not found, f"imported on this start-up path: {found}"


def docker_save_archive(path: Path) -> None:
    """A one-layer `docker save` archive: manifest.json, the config and the layer tar."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tf:
        data = b"print('hello')\n"
        info = tarfile.TarInfo("app/main.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(layer.getvalue()).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                         "history": [{"created_by": "COPY app /app # buildkit"}]}).encode()
    members = {"config.json": config, f"{diff_id[7:]}/layer.tar": layer.getvalue(),
               "manifest.json": json.dumps([{"Config": "config.json", "RepoTags": ["startup:1"],
                                             "Layers": [f"{diff_id[7:]}/layer.tar"]}]).encode()}
    with tarfile.open(path, mode="w") as tf:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))


def test_importing_the_cli_loads_no_command_and_no_heavy_dependency(tmp_path: Path) -> None:
    loaded = modules_after("import imgforge.cli\n", tmp_path)
    assert_none(loaded, HEAVY + RICH_HELP + ("pydantic", "yaml", "imgforge.lint", "imgforge.scan", "imgforge.settings"))
    assert not set(COMMAND_MODULES) & loaded


@pytest.mark.parametrize("args", [("--help",), ("lint", "--help"), ("scan", "--help"), ("lint", "-h")])
def test_help_loads_only_its_own_command_module(tmp_path: Path, args: tuple[str, ...]) -> None:
    loaded = modules_after(cli(*args), tmp_path)
    # Help is plain text: not even rich is imported.
    assert_none(loaded, HEAVY + ("rich", "pydantic", "yaml", "imgforge.lint", "imgforge.scan", "imgforge.settings",
                                 "imgforge.env", "imgforge.registry"))
    own = {COMMANDS[args[0]][0]} if args[0] in COMMANDS else set()
    assert set(COMMAND_MODULES) & loaded == own


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_commands_help_loads_no_library(tmp_path: Path, name: str) -> None:
    loaded = modules_after(cli(name, "--help"), tmp_path)
    assert_none(loaded, HEAVY + RICH_HELP + ("pydantic", "yaml", "imgforge.settings", "imgforge.scan", "imgforge.lint"))


def test_lint_file_loads_the_linter_only(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 1000\nCMD [\"sh\"]\n")
    loaded = modules_after(cli("lint", "--no-shellcheck", "Dockerfile"), tmp_path)
    assert "imgforge.lint" in loaded
    assert_none(loaded, HEAVY + RICH_HELP + ("yaml", "imgforge.scan", "imgforge.settings", "imgforge.lint.config",
                                            "imgforge.env", "imgforge.registry"))
    # pydantic only as typer's own argument coercion (typer 0.29+), never through an imgforge model.
    assert "pydantic" not in loaded or "typer._adapters" in loaded
    # Output not on a terminal: plain text, no rich, in every format.
    assert_none(loaded, ("rich",))
    for fmt in ("json", "sarif", "github"):
        assert_none(modules_after(cli("lint", "--no-shellcheck", "--format", fmt, "Dockerfile"), tmp_path), ("rich",))


def test_scan_of_an_archive_talks_to_no_engine_or_registry(tmp_path: Path) -> None:
    docker_save_archive(tmp_path / "image.tar")
    loaded = modules_after(cli("scan", "image.tar", "--json"), tmp_path)
    assert "imgforge.scan" in loaded
    assert_none(loaded, HEAVY + RICH_HELP)
    # Default settings: no pydantic, no settings model, and (output not on a terminal) no rich.
    assert_none(loaded, ("pydantic", "yaml", "imgforge.settings", "imgforge.scan.policy", "rich", "imgforge.env"))


def test_scan_beside_settings_without_a_scan_section_loads_no_settings_model(tmp_path: Path) -> None:
    docker_save_archive(tmp_path / "image.tar")
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\n  # scan: is not set here\n")
    loaded = modules_after(cli("scan", "image.tar", "--json"), tmp_path)
    assert_none(loaded, ("pydantic", "imgforge.settings", "imgforge.scan.policy"))


def test_scan_beside_settings_with_a_scan_section_applies_it(tmp_path: Path) -> None:
    docker_save_archive(tmp_path / "image.tar")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "imgforge", "scan", "image.tar", "--json"]
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\nscan:\n  max_size: 1\n")
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "size:" in json.loads(done.stdout)["gates"][0], done.stderr
    (tmp_path / "imgforge.yaml").write_text("scan:\n  max_size: lots\n")
    bad = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "max_size" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\n")
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and json.loads(again.stdout)["gates"] == []


def test_the_listing_matches_the_commands_own_help() -> None:
    real: dict[str, tuple[str, str]] = {}
    for module in COMMAND_MODULES:
        for name, command in module_commands(module).items():
            real[name] = (module, command.get_short_help_str(limit=1000))
    assert real == COMMANDS


def test_an_unknown_command_is_a_usage_error_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scna"]) == 2
    assert "Did you mean 'scan'?" in capsys.readouterr().err


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in COMMANDS)


def test_lint_beside_settings_without_a_lint_section_loads_no_settings_model(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1000\nCMD [\"sh\"]\n")
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\n  # lint: is not set here\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = \"api\"\n")
    loaded = modules_after(cli("lint", "--no-shellcheck", "Dockerfile"), tmp_path)
    assert_none(loaded, ("imgforge.settings", "imgforge.lint.config"))


def test_lint_beside_settings_with_a_lint_section_applies_it(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCMD [\"sh\"]\n")
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\nlint:\n  disable: [PIN001]\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "imgforge", "lint", "--no-shellcheck", "--format", "json",
                           "Dockerfile"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip(), done.stderr
    assert "PIN001" not in done.stdout
    (tmp_path / "imgforge.yaml").write_text("image:\n  name: shop/api\n")
    again = subprocess.run([sys.executable, "-m", "imgforge", "lint", "--no-shellcheck", "--format", "json",
                            "Dockerfile"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert "PIN001" in again.stdout
