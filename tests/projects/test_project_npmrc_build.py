"""A project's own .npmrc reaches npm and pnpm as the build network's npmrc secret: its settings take effect, and
its registry token is in no layer of the runtime image or of any builder stage, nor in their configs (real engine).

The .npmrc holds `ignore-scripts=true`, which the install needs (the project's preinstall script fails), and a
token-shaped credential for a scope the project never uses (so the install does not try it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from imgforge.build import BuildOptions, build
from imgforge.cli import main
from imgforge.image import open_image

DATA = Path(__file__).resolve().parent / "data"
RUN = uuid.uuid4().hex[:8]
# npm's token shape (npm_ + 36 alphanumerics), made per run: a fixed one could sit in some cache on purpose.
TOKEN = "npm_" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                         for _ in range(36))
NOT_APPLIED = "imgforge-npmrc-not-applied"


def _npm_project(root: Path) -> None:
    root.mkdir()
    (root / "package-lock.json").write_text(json.dumps({
        "name": "npmrc-npm", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "npmrc-npm", "version": "1.0.0"}}}))
    (root / "package.json").write_text(json.dumps({"name": "npmrc-npm", "version": "1.0.0", "private": True}))
    (root / "server.js").write_text("require('http').createServer((q, s) => s.end('ok\\n')).listen(8080);\n")


def _project(name: str, root: Path) -> Path:
    if name == "npm":
        _npm_project(root)
    else:
        shutil.copytree(DATA / "node-pnpm-pinned", root)
    package = json.loads((root / "package.json").read_text())
    # Fails the install unless the .npmrc's ignore-scripts reaches the package manager; the run id in the
    # description keeps an earlier run's cached install layer (secrets are not part of BuildKit's cache key) away.
    package["scripts"] = {"preinstall": f"echo {NOT_APPLIED} >&2; exit 1", "start": "node server.js"}
    package["description"] = f"npmrc secret probe {RUN}"
    (root / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    # The pnpm project's token is literal; the npm project's comes from ${VAR}, expanded when the build starts.
    auth = TOKEN if name == "pnpm" else "${IMGFORGE_PROBE_NPM_TOKEN}"
    (root / ".npmrc").write_text(
        "engine-strict=true\nignore-scripts=true\n@imgforge-unused:registry=https://npm.imgforge-unused.invalid/\n"
        f"//npm.imgforge-unused.invalid/:_authToken={auth}\n")
    return root


def _stages(dockerfile: Path) -> list[str]:
    return re.findall(r"^FROM \S+ AS (\S+)$", dockerfile.read_text(), re.M)


def _entries(tag: str) -> Iterator[tuple[str, bytes]]:
    for layer in open_image(f"docker:{tag}").layers:
        with layer.open() as stream, tarfile.open(fileobj=stream, mode="r|*") as tar:
            for member in tar:
                data = tar.extractfile(member) if member.isfile() else None
                yield member.name, data.read() if data else b""


@pytest.mark.parametrize("name", ["npm", "pnpm"])
def test_a_projects_npmrc_applies_and_its_token_is_in_no_layer(docker, cleanup_images, tmp_path, name):
    root = _project(name, tmp_path / name)
    assert main(["init", str(root)]) == 0
    assert main(["generate", str(root)]) == 0
    dockerfile = root / "Dockerfile"
    assert not [line for line in dockerfile.read_text().splitlines() if ".npmrc" in line and not line.startswith("#")]
    tag = f"imgforge-test/npmrcsecret-{name}:{RUN}"
    images = {"runtime": tag}
    log: list[str] = []
    with mock.patch.dict(os.environ, {"IMGFORGE_PROBE_NPM_TOKEN": TOKEN}):
        cleanup_images.append(tag)
        build(root, dockerfile, BuildOptions(tags=(tag,), progress="plain"), on_line=log.append)
        # Each builder stage as its own image: what a registry cache export of the stage would hold.
        for stage in _stages(dockerfile):
            if stage != "runtime":
                images[stage] = f"{tag}-{stage}"
                cleanup_images.append(images[stage])
                build(root, dockerfile, BuildOptions(tags=(images[stage],), target=stage, progress="plain"),
                      on_line=log.append)
    assert "deps" in images, images
    # The setting took effect: the preinstall script that fails the install never ran.
    assert not any(NOT_APPLIED in line for line in log)
    assert not any(TOKEN in line for line in log)
    for stage, image in images.items():
        seen = 0
        for path, data in _entries(image):
            seen += 1
            assert TOKEN.encode() not in data, f"{stage}: {path} holds the project's registry token"
            assert not re.match(r"^(app|prod)/(.*/)?\.npmrc$", path), f"{stage}: {path} is the project's .npmrc"
        assert seen > 100, f"{stage}: expected to read the image's files"
        meta = [subprocess.run(cmd, capture_output=True, text=True, check=True).stdout for cmd in (
            ["docker", "image", "inspect", image], ["docker", "history", "--no-trunc", image])]
        assert "buildkit" in meta[1], "the history really lists the build steps"
        assert not any(TOKEN in text for text in meta), f"{stage}: the image config holds the token"
    out = docker.run(tag, ["sh", "-c", "ls -A /app"], entrypoint="", remove=True)
    assert "package.json" in out and ".npmrc" not in out
