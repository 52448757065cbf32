"""Node server kinds whose start command runs what a TypeScript build emits (realproj15): a `compile` script as
the build (Feathers' generator, Apollo's starter), a start script that compiles first with a script the build runs
too (a GraphQL Yoga gateway), and a start script named as in the build's output folder (AdonisJS)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from imgforge.generate.nodebuild import BUILD_SCRIPTS, build_script
from imgforge.generate.nodestart import node_start, package_json
from imgforge.recipes import load_recipe
from tests.generate._files import write

_TSCONFIG_LIB = json.dumps({"compilerOptions": {"outDir": "./lib", "rootDir": "./src"}})


def _feathers_like(tmp_path: Path) -> Path:
    # Modelled on the Feathers v5 generator: no `build`, `compile` runs tsc into lib/, `start` is `node lib/`.
    pkg = {"name": "chat", "main": "lib/client", "scripts": {
        "dev": "nodemon -x ts-node src/index.ts", "compile": "shx rm -rf lib/ && tsc", "start": "node lib/"},
        "dependencies": {"@feathersjs/feathers": "^5.0.0", "@feathersjs/koa": "^5.0.0"},
        "devDependencies": {"typescript": "^5", "shx": "^0.3"}}
    return write(tmp_path, {"package.json": json.dumps(pkg, indent=2), "package-lock.json": "{}",
                            "tsconfig.json": _TSCONFIG_LIB, "src/index.ts": "app.listen(3030)\n"})


def _dockerfile(root: Path) -> str:
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    return generate(load_project(root)).dockerfile


def test_a_compile_script_is_the_build_when_there_is_no_build_script(tmp_path: Path) -> None:
    root = _feathers_like(tmp_path)
    assert build_script(package_json(root)['scripts']) == "compile"
    start = node_start(root)
    assert start is not None and start.entrypoint == ("node", "lib/")
    dockerfile = _dockerfile(root)
    assert "AS build" in dockerfile
    assert "compile" in dockerfile


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to evaluate the build stage's script choice")
@pytest.mark.parametrize(("scripts", "runs"), [
    ({"compile": "tsc", "start": "node lib/"}, "compile"),
    ({"build": "tsc -p .", "compile": "tsc"}, "build"),
    ({"build": "vite build"}, "build"),
    # A production variant of the build comes first (labasubagia/apollo-server-ts: webpack.$NODE_ENV.ts).
    ({"build": "webpack --config webpack.$NODE_ENV.ts", "build:prod": "NODE_ENV=production npm run build"},
     "build:prod"),
    ({"build": "tsc", "build:production": "tsc -p tsconfig.prod.json"}, "build:production"),
])
def test_the_build_stage_runs_build_else_compile(tmp_path: Path, scripts: dict[str, str], runs: str) -> None:
    recipe, _ = load_recipe("node", [])
    build = next(b.build for b in recipe.builders if b.build)
    m = re.search(r'npm run "\$\((node -p ".*?")\)"', build)
    assert m is not None, build
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "scripts": scripts})})
    done = subprocess.run(["sh", "-c", m.group(1)], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == runs == build_script(package_json(root)['scripts'])
    # The stage exists for exactly the scripts it may run.
    when = next(b.when for b in recipe.builders if b.build)
    assert when == [f"package.json#scripts.{name}" for name in BUILD_SCRIPTS]


def test_without_build_or_compile_there_is_no_build_stage(tmp_path: Path) -> None:
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "scripts": {"start": "node server.js"}}),
                            "package-lock.json": "{}", "server.js": "require('http').createServer().listen(3000)\n"})
    assert build_script(package_json(root)['scripts']) is None
    assert "AS build" not in _dockerfile(root)


@pytest.mark.parametrize(("scripts", "entry"), [
    # A gateway's start compiles with `tsc` first; the build script (codegen, then tsc) ran it in the image.
    ({"compile": "tsc", "build": "npm run build:types && rm -rf dist && tsc", "build:types": "graphql-codegen",
      "start": "npm run compile && node -r ./dist/tracer.js ./dist/index.js"},
     ("node", "-r", "./dist/tracer.js", "./dist/index.js")),
    # Apollo Server's starter: `compile` is the build and the start compiles first.
    ({"compile": "tsc", "start": "npm run compile && node ./dist/index.js"}, ("node", "./dist/index.js")),
    ({"build": "tsc", "start": "yarn build && node dist/main.js"}, ("node", "dist/main.js")),
])
def test_a_start_that_compiles_first_runs_the_server(tmp_path: Path, scripts: dict[str, str],
                                                     entry: tuple[str, ...]) -> None:
    root = write(tmp_path, {"package.json": json.dumps({"name": "gw", "scripts": scripts})})
    start = node_start(root)
    assert start is not None and start.entrypoint == entry


def test_a_start_that_runs_another_script_first_is_not_cut(tmp_path: Path) -> None:
    # `migrate` is no step of the build: the command stays whole (and so is not plain node).
    scripts = {"build": "tsc", "migrate": "knex migrate:latest", "start": "npm run migrate && node dist/index.js"}
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "scripts": scripts})})
    start = node_start(root)
    assert start is None or start.entrypoint != ("node", "dist/index.js")


def _adonis_like(tmp_path: Path, tsconfig: dict[str, object], deps: dict[str, str]) -> Path:
    # Modelled on AdonisJS 6 starter kits: `node ace build` writes build/ (with bin/server.js), `start` is what runs
    # inside it, the sources have bin/server.ts.
    pkg = {"name": "api", "type": "module", "scripts": {"start": "node bin/server.js", "build": "node ace build",
                                                        "dev": "node ace serve --hmr"}, "dependencies": deps}
    return write(tmp_path, {"package.json": json.dumps(pkg), "tsconfig.json": json.dumps(tsconfig),
                            "bin/server.ts": "import 'reflect-metadata'\n", "ace.js": "import './bin/console.js'\n"})


def test_a_start_script_named_as_in_the_build_output_runs_from_there(tmp_path: Path) -> None:
    root = _adonis_like(tmp_path, {"extends": "@adonisjs/tsconfig/tsconfig.app.json",
                                   "compilerOptions": {"rootDir": "./", "outDir": "./build"}},
                        {"@adonisjs/core": "^6.18.0"})
    start = node_start(root)
    assert start is not None
    assert start.entrypoint == ("/usr/bin/env", "HOST=0.0.0.0", "node", "build/bin/server.js")
    assert "outDir" in start.why


def test_an_emitted_script_without_adonis_keeps_its_host(tmp_path: Path) -> None:
    root = _adonis_like(tmp_path, {"compilerOptions": {"outDir": "out"}}, {"koa": "^2"})
    start = node_start(root)
    assert start is not None and start.entrypoint == ("node", "out/bin/server.js")


@pytest.mark.parametrize("files", [
    {"bin/server.js": ""},  # the script exists in the sources: it runs as named
    {"tsconfig.json": json.dumps({"compilerOptions": {"outDir": "./build", "rootDir": "./src"}})},  # another root
    {"tsconfig.json": json.dumps({"compilerOptions": {}})},  # no outDir
])
def test_the_start_script_is_kept_when_the_output_folder_is_not_known(tmp_path: Path,
                                                                      files: dict[str, str]) -> None:
    root = _adonis_like(tmp_path, {"compilerOptions": {"outDir": "./build"}}, {"@adonisjs/core": "^6"})
    write(root, files)
    start = node_start(root)
    assert start is not None and start.entrypoint[-2:] == ("node", "bin/server.js")


@pytest.mark.parametrize(("start", "entry"), [
    # PM2's container runner with an ecosystem file (pm2 is a production dependency, pm2-runtime its executable).
    ("pm2-runtime start ecosystem.config.js --env production",
     ("/usr/bin/env", "PM2_HOME=/tmp/.pm2", "./node_modules/.bin/pm2-runtime", "start", "ecosystem.config.js",
      "--env", "production")),
    ("NODE_ENV=production pm2-runtime app.js",
     ("/usr/bin/env", "PM2_HOME=/tmp/.pm2", "NODE_ENV=production", "./node_modules/.bin/pm2-runtime", "app.js")),
    # A home the project chose is kept.
    ("PM2_HOME=/data/pm2 pm2-runtime app.js",
     ("/usr/bin/env", "PM2_HOME=/data/pm2", "./node_modules/.bin/pm2-runtime", "app.js")),
])
def test_pm2_runtime_keeps_its_state_in_a_writable_folder(tmp_path: Path, start: str,
                                                          entry: tuple[str, ...]) -> None:
    pkg = {"name": "api", "main": "server.js", "scripts": {"start": start},
           "dependencies": {"express": "^4", "pm2": "^5"}}
    lock = {"lockfileVersion": 3, "packages": {"node_modules/pm2": {
        "version": "5.1.2", "bin": {"pm2": "bin/pm2", "pm2-runtime": "bin/pm2-runtime", "pm2-dev": "bin/pm2-dev"}}}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "package-lock.json": json.dumps(lock),
                            "ecosystem.config.js": "module.exports = {apps: [{script: './server.js'}]}\n",
                            "server.js": "", "app.js": ""})
    start_found = node_start(root)
    assert start_found is not None and start_found.entrypoint == entry
    assert ("PM2_HOME=/tmp/.pm2" in start_found.why) is ("PM2_HOME=/tmp/.pm2" in entry)


def test_the_install_does_not_download_the_cypress_app(tmp_path: Path) -> None:
    # Modelled on Remix's indie stack: Cypress is a devDependency for end-to-end tests; its install script would
    # download the test runner app, which no image build runs.
    pkg = {"name": "indie", "scripts": {"build": "remix build", "start": "remix-serve ./build/index.js"},
           "dependencies": {"@remix-run/serve": "*", "@remix-run/node": "*"}, "devDependencies": {"cypress": "^13"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "package-lock.json": "{}"})
    dockerfile = _dockerfile(root)
    deps = dockerfile[dockerfile.index("AS deps"):dockerfile.index("npm ci")]
    assert "CYPRESS_INSTALL_BINARY=0" in deps


def test_pm2_runtime_is_known_without_a_lockfile_listing_it(tmp_path: Path) -> None:
    # estcar08/herokuapi-like: package-lock v1 lists no `bin`; `start` runs pm2-runtime over an ecosystem file.
    pkg = {"name": "api", "main": "server.js", "scripts": {"start": "pm2-runtime start ecosystem.config.js"},
           "dependencies": {"express": "^4", "pm2": "^5"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "server.js": "",
                            "package-lock.json": json.dumps({"lockfileVersion": 1, "dependencies": {}})})
    start = node_start(root)
    assert start is not None and start.entrypoint == (
        "/usr/bin/env", "PM2_HOME=/tmp/.pm2", "./node_modules/.bin/pm2-runtime", "start", "ecosystem.config.js")


@pytest.mark.parametrize(("start", "entry"), [
    # Node 20.6+'s env file: .dockerignore keeps .env out of the image, where node would exit on the missing file.
    ("node --env-file=.env dist/index.js", ("node", "dist/index.js")),
    ("node --env-file .env.production --enable-source-maps server.js", ("node", "--enable-source-maps", "server.js")),
    ("NODE_ENV=production node --env-file=config/.env server.js",
     ("/usr/bin/env", "NODE_ENV=production", "node", "server.js")),
    # A file that may be missing, or one that is not a .env file (it is in the image), is kept.
    ("node --env-file-if-exists=.env server.js", ("node", "--env-file-if-exists=.env", "server.js")),
    ("node --env-file=settings.env server.js", ("node", "--env-file=settings.env", "server.js")),
])
def test_an_env_file_kept_out_of_the_image_is_not_passed_to_node(tmp_path: Path, start: str,
                                                                  entry: tuple[str, ...]) -> None:
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "type": "module", "scripts": {"start": start}}),
                            "server.js": "", "settings.env": "A=1\n"})
    found = node_start(root)
    assert found is not None and found.entrypoint == entry
    assert ("dropped" in found.why) is (start.count("--env-file") > sum(w.startswith("--env-file") for w in entry))


def _webpack_check() -> str:
    recipe, _ = load_recipe("node", [])
    build = next(b.build for b in recipe.builders if b.build)
    m = re.search(r'if (node -e "const \[a, b\] = require\(\'webpack/package\.json\'\).*?") 2>/dev/null; then', build)
    assert m is not None, build
    return m.group(1)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the build stage's webpack check")
@pytest.mark.parametrize(("version", "legacy"), [
    ("5.3.0", True),  # labasubagia/apollo-server-ts's lock
    ("4.46.0", True),  # create-react-app 4, webpack 4 projects
    ("5.60.0", True),
    ("5.61.0", False),  # md4 in WebAssembly from here on
    ("5.97.1", False),
    (None, False),  # no webpack at all
])
def test_old_webpack_builds_with_the_openssl_legacy_provider(tmp_path: Path, version: str | None,
                                                             legacy: bool) -> None:
    files = {"package.json": json.dumps({"name": "x", "scripts": {"build": "webpack"}})}
    if version is not None:
        files["node_modules/webpack/package.json"] = json.dumps({"name": "webpack", "version": version})
    root = write(tmp_path, files)
    done = subprocess.run(["sh", "-c", _webpack_check()], cwd=root, capture_output=True, check=False)
    assert (done.returncode == 0) is legacy


@pytest.mark.parametrize("lock", ["package-lock.json", "bun.lock"])
def test_the_vercel_folder_stays_out_of_the_build_context(tmp_path: Path, lock: str) -> None:
    # A committed `vercel build` output (.vercel/output/_functions, with the secrets Astro's build embedded in it).
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "scripts": {"start": "node server.js"}}),
                            lock: "{}", "server.js": "require('http').createServer().listen(3000)\n",
                            ".vercel/output/_functions/entry.mjs": "export const middlewareSecret = 'x'\n"})
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    assert ".vercel" in generate(load_project(root)).dockerignore.splitlines()
