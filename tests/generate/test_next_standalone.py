"""A Next.js app served by `next start` runs as Next's standalone server (its traced dependencies only, no
production node_modules); a `next dev` start script is not taken for the production server (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init
from imgforge.generate.nodestart import node_start
from tests.generate._files import write

STANDALONE = ("/usr/bin/env", "HOSTNAME=0.0.0.0", "node", ".next/standalone/server.js")


def _next_app(root: Path, scripts: dict[str, str], next_version: str = "14.2.3", config: str = "") -> Path:
    pkg = {"name": "blog", "scripts": scripts, "dependencies": {"next": next_version, "react": "18.3.1"}}
    files = {"package.json": json.dumps(pkg), "yarn.lock": "# yarn lockfile v1\n", "pages/index.js": "export {}\n"}
    if config:
        files["next.config.mjs"] = config
    return write(root, files)


def test_next_start_becomes_the_standalone_server_with_only_its_folder_in_the_runtime(tmp_path: Path) -> None:
    root = _next_app(tmp_path, {"build": "next build", "start": "next start -p 4000"})
    start = node_start(root)
    assert start is not None and start.entrypoint == STANDALONE and start.bundle == ".next/standalone"
    plan = plan_init(root)
    overrides = yaml.safe_load(plan.text)["overrides"]
    assert overrides["runtime"]["artifacts"] == [
        {"stage": "build", "from": "/out/.next/standalone", "to": "/app/.next/standalone"}]
    assert overrides["builders"] == [{"name": "build", "env": {"NEXT_PRIVATE_STANDALONE": "1"}}]
    write_init(plan)
    dockerfile = generate(load_project(root)).dockerfile
    # The build puts static assets and public/ where the standalone server serves them from.
    assert 'cp -a "$n/static" "$n/standalone/$n/"' in dockerfile
    assert "NEXT_PRIVATE_STANDALONE=1" in dockerfile or 'NEXT_PRIVATE_STANDALONE="1"' in dockerfile
    assert "/prod/node_modules" not in dockerfile.split("FROM")[-1]


def test_a_next_dist_dir_moves_the_standalone_server_and_its_cache(tmp_path: Path) -> None:
    root = _next_app(tmp_path, {"build": "next build", "start": "next start"},
                     config="export default { distDir: 'build', reactStrictMode: true }\n")
    start = node_start(root)
    assert start is not None and start.entrypoint[-1] == "build/standalone/server.js"
    settings = yaml.safe_load(plan_init(root).text)
    assert settings["overrides"]["runtime"]["artifacts"] == [
        {"stage": "build", "from": "/out/build/standalone", "to": "/app/build/standalone"}]
    # The recipe's build copies build/static into the standalone folder and leaves build/cache out.
    assert settings["overrides"]["builders"] == [
        {"name": "build", "env": {"NEXT_PRIVATE_STANDALONE": "1", "IMGFORGE_NEXT_DIR": "build"}}]
    assert settings["manifest"]["writable_paths"] == ["/tmp", "/app/build/standalone/build/cache"]


def test_a_next_dev_start_script_is_passed_over_for_the_frameworks_server(tmp_path: Path) -> None:
    # Modelled on a blog starter whose `start` is the dev server and whose `serve` runs next start.
    root = _next_app(tmp_path, {"start": "next dev", "build": "next build", "serve": "next start"})
    start = node_start(root)
    assert start is not None and start.entrypoint == STANDALONE


def test_old_next_static_export_and_custom_servers_keep_their_own_start(tmp_path: Path) -> None:
    old = _next_app(tmp_path / "old", {"build": "next build", "start": "next start"}, next_version="^12.1.0")
    assert node_start(old).entrypoint == ("./node_modules/.bin/next", "start")
    exported = _next_app(tmp_path / "export", {"build": "next build", "start": "next start"},
                         config="export default { output: 'export' }\n")
    assert node_start(exported).entrypoint == ("./node_modules/.bin/next", "start")
    custom = write(_next_app(tmp_path / "custom", {"build": "next build", "start": "node server.js"}),
                   {"server.js": "require('next')\n"})
    assert node_start(custom).entrypoint == ("node", "server.js")
