"""Realistic projects with real third-party dependencies go through `init` + `generate` + build unedited, and
serve; no CA or index credential reaches an image; a source edit keeps the dependency layer (real engine).

Each project is built once per session (shared fixture). Dependencies come from PyPI and npm at build time
through the build network of this machine (its TLS-intercepting CA travels as a BuildKit secret only).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from unittest import mock

import pytest

from imgforge.build import BuildError, BuildOptions, build
from imgforge.cli import main
from imgforge.image import open_image
from tests.projects._layers import layer_entries

DATA = Path(__file__).resolve().parent / "data"
RUN = uuid.uuid4().hex[:8]
# A credential for an extra index the build really queries (PyPI ignores basic auth): it must stay out of images.
TOKEN = f"imgforge-probe-{uuid.uuid4().hex}"
R = TypeVar("R")
HOST_BUNDLE = Path(os.environ.get("SSL_CERT_FILE") or "/etc/ssl/certs/ca-certificates.crt")

# project -> (path to GET, text the answer holds)
SERVES = {
    "flask-gunicorn": ("/", "hello from flask"),
    # psycopg2 has no Linux wheel: built from source against libpq-dev, loading libpq5 in the runtime.
    "flask-psycopg2": ("/", "psycopg2 2.9.10 on libpq 1"),
    # psycopg2-binary 2.9.3 has wheels up to cp310: built from its sdist on the oldest catalog Python (3.11, whose
    # gcc 12 compiles it; trixie's gcc 14 refused 2.9.1's C on 3.13) against libpq-dev, loading libpq5 at run time.
    "flask-psycopg2-binary-2021": ("/", "ledger on psycopg2 2.9.3, libpq 1"),
    # Pillow 8.4.0 has wheels up to cp310: built from its sdist with libjpeg-dev and zlib1g-dev, libjpeg62-turbo at
    # run time (it encodes a JPEG and a PNG).
    "flask-pillow-2021": ("/", "thumbs on Pillow 8.4.0: jpeg True, zlib True, True"),
    "fastapi-uv": ("/items/widget", '"count":3'),
    "django-procfile": ("/notes/1", "write tests"),
    "express-api": ("/orders/1", '"item":"book"'),
    "vite-spa": ("/about", '<div id="app">'),
    "go-vendor": ("/?name=ada", "hello, ada, from the go shop"),
    # bcrypt's binary comes from its install script: the runtime's production-only tree must keep it.
    "node-yarn-native": ("/", "native bcrypt ok: true"),
    # Its build script runs `yarn stamp`: yarn 4 runs it in the build stage (no .yarnrc.yml there).
    "node-yarn-berry": ("/", "up 1m, stamped by yarn/4.5.3"),
    # No nodeLinker in .yarnrc.yml: yarn 4's default is Plug'n'Play; the runtime's plain node needs node_modules.
    "node-yarn-berry-pnp": ("/", "pnp project up 2m"),
    "node-pnpm-native": ("/", "pnpm native bcrypt ok: true"),
    # A pnpm workspace member with `prepare: husky` (a devDependency): the member's production install runs that
    # script again (Yurex1/fastify-template: "sh: 1: husky: not found").
    "node-pnpm-workspace-husky": ("/", "ferry api: next sailing in 45m"),
    # packageManager "pnpm@10.13.1" without a hash: corepack's signature check cannot pass behind this machine's
    # proxy (no signatures in the metadata); its .npmrc reaches the install in the npmrc secret. (Once a build cached
    # that pnpm in the corepack cache mount, this engine passes without the fallback too.)
    "node-pnpm-pinned": ("/", "pnpm pinned without a hash: ok"),
    # lockfileVersion 6.0 and no packageManager (surjithctly/astroship): pnpm 10 refused the frozen lockfile.
    # Its build script runs `pnpm run stamp`: pnpm is there in the build stage too.
    "node-pnpm-lock6": ("/", "pnpm 8 lockfile: ok, built by pnpm run"),
    # hatchling declared but no package to build (Railway's template shape): railway.json's hypercorn on [::].
    "starlette-hatch-railway": ("/", "pinboard: 2 pins, served by hypercorn"),
    # requirements.txt holds only gunicorn: flask comes from pyproject, gevent (the Procfile's worker) from its
    # prod extra.
    "flask-extras-procfile": ("/", "tally: 3 counters on gevent 24.11.1"),
    # A src/ package whose app mounts src/static (not in the wheel) and an argparse command line in
    # [project.scripts]: the FastAPI app runs, from the sources.
    "fastapi-src-static": ("/", "board: notices pinned from src/static"),
    # No requirements.txt: requirements/production.txt (with -r base.txt) is installed, not local.txt.
    "django-reqs-folder": ("/", "pages: production requirements, without the debug toolbar"),
    # `bun run build:prod && bun dist/server.js`: the bun build stage runs build:prod (not build), as node's does,
    # and the start command is what follows it; hono is external to the bundle, from the production node_modules.
    "bun-build-prod": ("/", "tide tables, production bundle"),
    # A Bun workspace (bun.lock, isolated linker): its server member apps/api, built after the workspace package it
    # imports (packages/tides, whose `main` is its own build's dist/) and after apps/web, whose build writes the
    # client into apps/api/public (served at /app.js), from the root lockfile.
    "bun-workspace": ("/", "harbor api: high water at dover in 4h12m"),
    # A [project.scripts] entry whose Gradio launch() names no port: GRADIO_SERVER_PORT=$PORT makes it listen there.
    "gradio-script": ("/", "tipcalc: split the bill"),
    # better-sqlite3's prebuilt binary is on GitHub (unreachable here): its install script compiles it with
    # node-gyp, against the headers in the node-dev base (no download from nodejs.org). Its postinstall exits 1
    # ("git command not found") in a builder without git.
    "node-sqlite-native": ("/", "logbook: 3 entries in sqlite 3."),
    # The same under Bun (cjol/bun-monorepo): a devDependency's native build runs bun's node-gyp, whose headers
    # must come from the bun-dev base; its postinstall needs git (alexanderop/nuxt-starter's vite-plus).
    "bun-sqlite-devtool": ("/", "tally: 17 birds in 2 kinds on bun 1.3.14"),
}


@dataclass(frozen=True)
class Built:
    """A project copy after init + generate, its image tag and the build's output lines."""

    root: Path
    tag: str
    log: tuple[str, ...]


def build_project(root: Path, tag: str) -> tuple[str, ...]:
    lines: list[str] = []
    build(root, root / "Dockerfile", BuildOptions(tags=(tag,), progress="plain"), on_line=lines.append)
    return tuple(lines)


def _selected_names(session: pytest.Session) -> list[str]:
    """The projects that the selected tests of this file name in their `name` parameter."""
    names = set()
    for item in session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.path == Path(__file__) and "project_image" in getattr(item, "fixturenames", ()) and "name" in params:
            names.add(params["name"])
    return sorted(names)


@pytest.fixture(scope="session")
def project_image(request, docker, cleanup_images, tmp_path_factory) -> Callable[[str], Built]:
    """init + generate + build a data project once per session (unedited); return where and what.

    The first call builds it together with every other project the selected tests name, three at a time: the
    builds mostly wait on PyPI, npm and the Go proxy, so together they take little longer than the slowest."""
    built: dict[str, Future[Built]] = {}
    work = tmp_path_factory.mktemp("projects")
    wanted = _selected_names(request.session)

    def start(pool: ThreadPoolExecutor, name: str) -> Future[Built]:
        try:
            root = shutil.copytree(DATA / name, work / name)
            assert main(["init", str(root)]) == 0
            assert main(["generate", str(root)]) == 0
        except Exception as exc:  # this project's tests fail with it; the others still build
            failed: Future[Built] = Future()
            failed.set_exception(exc)
            return failed
        tag = f"imgforge-test/project-{name}:{RUN}"
        cleanup_images.append(tag)
        return pool.submit(lambda: Built(root, tag, build_project(root, tag)))

    def get(name: str) -> Built:
        if name not in built:
            # The host's index settings carry a credential here, as a corporate machine's would.
            extra = {"PIP_EXTRA_INDEX_URL": f"https://imgforge-probe:{TOKEN}@pypi.org/simple"}
            with mock.patch.dict(os.environ, extra), ThreadPoolExecutor(3) as pool:
                for other in [name, *(n for n in wanted if n != name and n not in built)]:
                    built[other] = start(pool, other)
            # Leaving the pool waited for every build, so the variable is gone before any test runs.
        return built[name].result()

    return get


@contextmanager
def running(docker, tag: str, port: int) -> Iterator[tuple[str, str]]:
    container = docker.run(tag, detach=True, publish=[("127.0.0.1:", port)], remove=False)
    try:
        host_port = docker.container.inspect(container.id).network_settings.ports[f"{port}/tcp"][0]["HostPort"]
        yield container.id, f"http://127.0.0.1:{host_port}"
    finally:
        docker.container.remove(container.id, force=True)


def get_text(url: str, deadline: float = 40.0) -> tuple[int, str]:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > end:
                raise
            time.sleep(0.5)


@pytest.mark.parametrize("name", sorted(SERVES))
def test_project_builds_unedited_and_serves(docker, project_image, name):
    built = project_image(name)
    config = docker.image.inspect(built.tag).config
    assert config.user == "10001:10001"
    port = int(next(iter(config.exposed_ports)).split("/")[0])
    assert f"PORT={port}" in config.env
    path, expected = SERVES[name]
    with running(docker, built.tag, port) as (cid, url):
        status, body = get_text(url + path)
        assert expected in body, (status, body[:500], docker.container.logs(cid)[-2000:])
        assert status == 200
        if name == "vite-spa":
            # SPA fallback: a client-side route (also nested) gets index.html with 200; a missing asset is a 404.
            assert get_text(url + "/orders/42/edit") == (200, body)
            assert get_text(url + "/")[1] == body
            assert get_text(url + "/assets/missing.js")[0] == 404
        # The image's own HEALTHCHECK command passes (http or tcp, with the runtime's own client).
        test = config.healthcheck.test if config.healthcheck else None
        assert test and test[0] == "CMD"
        assert docker.execute(cid, list(test[1:])) is not None


@pytest.mark.parametrize("name", ["flask-psycopg2-binary-2021", "flask-pillow-2021"])
def test_a_runtime_with_system_packages_keeps_no_apt_cache(docker, project_image, name):
    # `apt-get update` writes pkgcache.bin and srcpkgcache.bin (77 MB on these images) besides the lists.
    out = docker.run(project_image(name).tag, ["sh", "-c", "du -sk /var/cache/apt /var/lib/apt/lists | cut -f1"],
                     entrypoint="", remove=True)
    assert all(int(size) < 512 for size in out.split()), out


def test_runtime_images_hold_no_dev_dependencies_and_no_package_manager(docker, project_image):
    express = project_image("express-api").tag
    check = "for (const m of ['express', 'nodemon']) { try { require.resolve(m); console.log(m, 'yes') } " \
            "catch { console.log(m, 'no') } }"
    out = docker.run(express, ["node", "-e", check], entrypoint="", remove=True, workdir="/app")
    assert "express yes" in out and "nodemon no" in out
    assert "missing" in docker.run(express, ["sh", "-c", "command -v npm || echo missing"], entrypoint="", remove=True)
    spa = project_image("vite-spa").tag
    listing = docker.run(spa, ["sh", "-c", "ls /www; ls /app /www/node_modules 2>&1 | head -2"], entrypoint="",
                         remove=True)
    assert "index.html" in listing and "assets" in listing and "No such file" in listing
    fastapi = project_image("fastapi-uv").tag
    # The project itself was built (hatchling, from PyPI through the build network) and installed.
    code = ("import app, importlib.metadata as m; d = m.distribution('inventory-api'); "
            "print(d.version, d.read_text('INSTALLER').strip())")
    found = docker.run(fastapi, ["python3", "-c", code], entrypoint="", remove=True)
    # Installed by the recipe's direct backend call and `installer`, not by its pip fallback.
    assert found.split() == ["0.3.1", "imgforge"]


def test_a_bun_workspace_image_holds_its_member_and_that_members_production_tree(docker, project_image):
    built = project_image("bun-workspace")
    script = ("const f = require('fs'); const has = p => { try { require.resolve(p); return true } "
              "catch { return false } }; console.log(process.cwd(), has('hono'), has('is-number'), has('is-odd'), "
              "f.existsSync('/app/apps/worker/src'), f.existsSync('/app/packages/tides/dist/index.js'))")
    found = docker.run(built.tag, ["bun", "-e", script], entrypoint="", remove=True)
    # hono: the member's dependency; is-number: its devDependency; is-odd: the other member's dependency.
    assert str(found).strip() == "/app/apps/api true false false false true", found
    # The web member's build output is in the api's folder (the web sources are not in the image).
    script = ("const f = require('fs'); console.log(f.readFileSync('public/app.js', 'utf8').includes('harbor tides'), "
              "f.existsSync('/app/apps/web/src'))")
    found = docker.run(built.tag, ["bun", "-e", script], entrypoint="", remove=True)
    assert str(found).strip() == "true false", found


@pytest.mark.parametrize("name", ["node-yarn-native", "node-pnpm-native"])
def test_runtime_keeps_what_install_scripts_built_and_drops_dev_dependencies(docker, project_image, name):
    tag = project_image(name).tag
    check = "for (const m of ['bcrypt', 'nodemon']) { try { require(m); console.log(m, 'yes') } " \
            "catch (e) { console.log(m, 'no', e.code) } }"
    out = docker.run(tag, ["node", "-e", check], entrypoint="", remove=True, workdir="/app")
    assert "bcrypt yes" in out and "nodemon no MODULE_NOT_FOUND" in out, out
    # pnpm's node_modules/bcrypt is a link into node_modules/.pnpm: the trailing slash makes find enter it.
    binary = docker.run(tag, ["sh", "-c", "find /app/node_modules/bcrypt/ -name '*.node'"], entrypoint="", remove=True)
    assert binary.strip().endswith("bcrypt_lib.node"), binary


def test_pnpm_project_without_a_package_manager_field_builds(docker, project_image, cleanup_images, tmp_path):
    """No `packageManager`: corepack's own pnpm installs it on the image's Node (the latest corepack wants Node 22
    and defaults to a pnpm that fails on Node 20)."""
    built = project_image("node-pnpm-native")
    root = Path(shutil.copytree(built.root, tmp_path / "site"))
    package = json.loads((root / "package.json").read_text())
    del package["packageManager"]
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    tag = f"{built.tag}-no-package-manager"
    cleanup_images.append(tag)
    build_project(root, tag)  # failed before: corepack 0.36's pnpm 11 needs Node 22
    out = docker.run(tag, ["node", "-e", "require('bcrypt'); require('express'); console.log('loaded')"],
                     entrypoint="", remove=True, workdir="/app")
    assert "loaded" in out


@pytest.mark.parametrize("line", ["18", "20", "22"])
def test_a_native_module_compiles_offline_on_every_node_line(docker, project_image, cleanup_images, tmp_path, line):
    """Debian's node (18, 20: libnode-dev) and the official binaries (22, 24: their own headers) each give node-gyp
    the headers of the image's node; node-sqlite-native itself takes the newest line."""
    built = project_image("node-sqlite-native")
    root = Path(shutil.copytree(built.root, tmp_path / "site"))
    (root / ".nvmrc").write_text(line + "\n")
    for generated in ("imgforge.yaml", "Dockerfile", ".dockerignore"):
        (root / generated).unlink()
    assert main(["init", str(root)]) == 0 and main(["generate", str(root)]) == 0
    assert f"imgforge/node-dev:{line}" in (root / "Dockerfile").read_text()
    tag = f"{built.tag}-node{line}"
    cleanup_images.append(tag)
    build_project(root, tag)  # its postinstall exits 1 ("git command not found") in a builder without git
    check = "const D = require('better-sqlite3'); console.log(process.versions.node, new D(':memory:').open)"
    out = docker.run(tag, ["node", "-e", check], entrypoint="", remove=True, workdir="/app")
    assert out.split()[0].startswith(line + ".") and out.split()[1] == "true", out


def test_a_bun_devdependency_compiles_offline_on_the_newer_bun_line(docker, project_image, cleanup_images, tmp_path):
    """Bun 1.4 says it is node 26, whose headers no base has: node-gyp must still take the bun-dev base's."""
    built = project_image("bun-sqlite-devtool")
    root = Path(shutil.copytree(built.root, tmp_path / "site"))
    package = json.loads((root / "package.json").read_text())
    package["packageManager"] = "bun@1.4.5"
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    for generated in ("imgforge.yaml", "Dockerfile", ".dockerignore"):
        (root / generated).unlink()
    assert main(["init", str(root)]) == 0 and main(["generate", str(root)]) == 0
    assert "imgforge/bun-dev:1.4" in (root / "Dockerfile").read_text()
    tag = f"{built.tag}-bun14"
    cleanup_images.append(tag)
    build_project(root, tag)  # its postinstall exits 1 ("git command not found") in a builder without git
    out = docker.run(tag, ["bun", "-e", "console.log(Bun.version)"], entrypoint="", remove=True, workdir="/app")
    assert out.strip() == "1.4.5", out


def _pem_bodies(text: str) -> set[str]:
    return {re.sub(r"\s+", "", body) for body in
            re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)}


def _needles(image_bundle: str) -> list[bytes]:
    """The token, and 64 base64 chars of each CA the host trusts beyond the image's own Debian bundle."""
    host = _pem_bodies(HOST_BUNDLE.read_text(errors="replace"))
    extra = sorted(host - _pem_bodies(image_bundle))
    # The signature at a certificate's end is unique to it (a re-issued CA shares its subject with the old one).
    return [TOKEN.encode(), *(body[-80:-16].encode() for body in extra)]


def _files(tag: str, pick: Callable[[str, bytes], R]) -> list[tuple[str, R]]:
    """Each regular file of `tag`, base layer first, with what `pick` takes from its bytes (one `docker save` pass)."""
    return [row for layer in layer_entries(tag, pick, files_only=True) for row in layer]


def _file_bytes(tag: str, wanted: Callable[[str], bool]) -> list[tuple[str, bytes]]:
    """The files of `tag` whose path is `wanted`, with their bytes, base layer first."""
    return [(path, data) for path, data in _files(tag, lambda path, data: data if wanted(path) else None)
            if data is not None]


@pytest.mark.parametrize("name", ["flask-gunicorn", "express-api"])
def test_no_ca_or_index_credential_in_any_layer_or_the_config(docker, project_image, name):
    built = project_image(name)
    assert HOST_BUNDLE.is_file()
    bundles = _file_bytes(built.tag, lambda path: path.endswith("etc/ssl/certs/ca-certificates.crt"))
    needles = _needles(bundles[0][1].decode(errors="replace") if bundles else "")
    # This machine builds behind a TLS-intercepting proxy: its CA is in the host bundle, not in Debian's.
    assert len(needles) > 1, "expected the host to trust a CA that Debian's bundle does not hold"
    for path, found in _files(built.tag, lambda _, data: [needle for needle in needles if needle in data]):
        assert not found, f"{path} holds a host secret"
    # The config as the engine keeps it (env, labels, build history with each RUN and build arg).
    meta = [subprocess.run(cmd, capture_output=True, text=True, check=True).stdout for cmd in (
        ["docker", "image", "inspect", built.tag], ["docker", "history", "--no-trunc", built.tag])]
    assert "buildkit" in meta[1], "the history really lists the build steps"
    for needle in needles:
        assert not any(needle.decode() in text for text in meta)
    assert not any(TOKEN in line for line in built.log), "pip must redact the index password in the build output"


def dep_layer(ref: str, dep_path: str) -> tuple[str, dict[str, tuple[int, int, str]]]:
    """The diff id of the layer a `COPY` of `dep_path` made, and its files (mode, size, sha256; no times)."""
    image = open_image(f"docker:{ref}")
    commands = image.config.layer_commands()
    index = next(i for i, c in enumerate(commands) if c and "COPY" in c and dep_path in c)
    files: dict[str, tuple[int, int, str]] = {}
    with image.layers[index].open() as stream, tarfile.open(fileobj=stream, mode="r|*") as tar:
        for member in tar:
            data = tar.extractfile(member) if member.isfile() else None
            files[member.name] = (member.mode, member.size, hashlib.sha256(data.read() if data else b"").hexdigest())
    return image.config.diff_ids[index], files


@pytest.mark.parametrize(("name", "edit", "dep_path"), [
    ("flask-gunicorn", ("hello/__init__.py", "hello from flask", "hello again from flask"), "/opt/imgforge-deps"),
    ("express-api", ("src/server.js", "orders api", "orders api v2"), "node_modules"),
])
def test_source_edit_keeps_the_dependency_layer(docker, project_image, cleanup_images, name, edit, dep_path):
    """The edit reruns no dependency step and the dependency layer comes from the cache with the same files.

    BuildKit 0.8 stamps the build time on the folder a COPY creates and keys the COPY by the files' contents, so
    when an engine holds two builds of the same dependencies (a --no-cache build, a bench run, another clone's
    run), a cached rebuild may take either one's layer. The python recipe copies its venv onto / from a tree
    whose times are all fixed, so equivalent builds make the same layer and its digest is compared too; the node
    recipe's node_modules layer is compared by its files only.
    """
    built = project_image(name)
    file, old, new = edit
    target = built.root / file
    base, tag = f"{built.tag}-base", f"{built.tag}-edited"
    cleanup_images.extend([base, tag])
    build_project(built.root, base)
    text = target.read_text()
    try:
        target.write_text(text.replace(old, new))
        log = build_project(built.root, tag)
    finally:
        target.write_text(text)
    before = list(docker.image.inspect(base).root_fs.layers)
    after = list(docker.image.inspect(tag).root_fs.layers)
    assert before != after, "the edit changed the image"
    ran = ran_steps(log)
    assert not [step for step in ran if step.startswith("[deps ") and " FROM " not in step], ran
    assert not [step for step in ran if "COPY" in step and dep_path in step], ran
    (base_id, base_files), (edited_id, edited_files) = dep_layer(base, dep_path), dep_layer(tag, dep_path)
    assert base_files == edited_files, f"{dep_path} files changed"
    if dep_path == "/opt/imgforge-deps":
        assert base_id == edited_id == dep_layer(built.tag, dep_path)[0]


def ran_steps(log: tuple[str, ...]) -> list[str]:
    """The build steps that ran rather than came from the cache (plain progress: `#N [stage i/n] ...`, `#N DONE`)."""
    headers: dict[str, str] = {}
    done: list[str] = []
    for line in log:
        if m := re.match(r"#(\d+) (\[[a-z][\w-]* \d+/\d+\] .*)", line):
            headers.setdefault(m.group(1), m.group(2))
        elif (m := re.match(r"#(\d+) DONE", line)) and m.group(1) in headers:
            done.append(headers[m.group(1)][:80])
    return done


def app_bytecode(tag: str) -> dict[str, bytes]:
    """The .pyc files under /app in the image (path -> bytes), from every layer, later layers winning."""
    return dict(_file_bytes(tag, lambda name: name.startswith("app/") and name.endswith(".pyc")))


@pytest.mark.parametrize("name", ["flask-gunicorn", "fastapi-uv"])
def test_app_bytecode_is_compiled_at_build_time_and_reproducible(docker, project_image, cleanup_images, name):
    """Every app source has hash-based bytecode (no mtime inside), with the same bytes in a --no-cache rebuild.

    flask-gunicorn copies its sources straight into the runtime stage; fastapi-uv is a package with a build stage.
    """
    built = project_image(name)
    again = f"{built.tag}-nocache"
    cleanup_images.append(again)
    build(built.root, built.root / "Dockerfile", BuildOptions(tags=(again,), no_cache=True))
    first, second = app_bytecode(built.tag), app_bytecode(again)
    sources = [p.relative_to(built.root) for p in built.root.rglob("*.py")]
    assert sources
    for src in sources:
        pyc = [n for n in first if n.startswith(f"app/{src.parent}/__pycache__/".replace("/./", "/"))
               and n.split("/")[-1].startswith(src.stem + ".cpython-")]
        assert pyc, f"no bytecode for {src} in {sorted(first)}"
        # PEP 552 flags: 0b01 is hash-based without a source check (unchecked-hash), so no mtime is recorded.
        assert int.from_bytes(first[pyc[0]][4:8], "little") == 0b01
    assert first == second, "bytecode differs between two builds of the same sources"


def test_django_static_files_are_collected_at_build_time(docker, project_image, cleanup_images, tmp_path):
    """collectstatic runs in the source step (the site has the staticfiles app); a failing one stops the build."""
    built = project_image("django-procfile")
    names = {name for name, _ in _files(built.tag, lambda *_: None)}
    assert "app/staticfiles/notes/notes.css" in names
    # Settings that set STATIC_ROOT only on their host (`if not DEBUG:`, as Render's Django example does) have
    # nothing to collect into here: skipped, and the build log says so.
    root = Path(shutil.copytree(built.root, tmp_path / "site"))
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    settings.write_text(re.sub(r"(?m)^STATIC_ROOT = .*$", "", text))
    tag = f"{built.tag}-no-static-root"
    cleanup_images.append(tag)
    log = build_project(root, tag)
    assert any("collectstatic skipped: the settings set no STATIC_ROOT" in line for line in log)
    assert not any(name.startswith("app/staticfiles/") for name, _ in _files(tag, lambda *_: None))
    # Any other collectstatic failure is the project's: the build stops and says why.
    settings.write_text(text + '\nSTORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},'
                        ' "staticfiles": {"BACKEND": "mysite.missing.Storage"}}\n')
    with pytest.raises(BuildError, match="mysite.missing"):
        build_project(root, f"{tag}-broken")
