"""First end-to-end proof: a two-stage BuildKit build, run, push, and the manifest read back with oras."""

from __future__ import annotations

from pathlib import Path

import oras.client
import oras.provider

DOCKERFILE = """\
FROM imgforge/busybox:1.35 AS build
RUN echo "built by stage one" > /out.txt && head -c 4096 /dev/zero > /junk.bin

FROM imgforge/busybox:1.35
COPY --from=build /out.txt /app/out.txt
USER 65534
CMD ["cat", "/app/out.txt"]
"""


def test_two_stage_build_run_push_and_read_back(docker, registry, unique_repo, cleanup_images, tmp_path: Path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    local = f"imgforge-test/{unique_repo.split('/')[1]}:1"
    remote = f"{registry.address}/{unique_repo}:1.0.0"
    cleanup_images.extend([local, remote])

    image = docker.build(tmp_path, tags=[local], load=True)
    assert image is not None
    # The builder stage's junk did not reach the final image.
    assert docker.run(local, remove=True).strip() == "built by stage one"
    assert docker.run(local, ["id", "-u"], remove=True).strip() == "65534"
    assert docker.run(local, ["ls", "/"], remove=True).count("junk.bin") == 0

    docker.image.tag(local, remote)
    docker.image.push(remote, quiet=True)

    client = oras.client.OrasClient(hostname=registry.address, insecure=True)
    manifest = client.get_manifest(remote)
    assert manifest["schemaVersion"] == 2
    assert len(manifest["layers"]) == len(docker.image.inspect(local).root_fs.layers)
    local_digest = next(d for d in docker.image.inspect(remote).repo_digests if d.startswith(f"{registry.address}/"))
    pushed_digest = registry_digest(registry.url, unique_repo, "1.0.0")
    assert local_digest.endswith(pushed_digest)


def registry_digest(url: str, repo: str, tag: str) -> str:
    from imgforge.env.registry_api import manifest_digest

    digest = manifest_digest(url, repo, tag)
    assert digest and digest.startswith("sha256:")
    return digest
