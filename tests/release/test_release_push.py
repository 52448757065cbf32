"""Push against the real local registry: idempotent re-push, immutable version tags, floating moves."""

from __future__ import annotations

import json

import pytest

from imgforge.errors import ImmutableTagError
from imgforge.push import existing_tags, push_image, staging_repository
from imgforge.reference import Reference
from imgforge.registry import RegistryClient
from imgforge.tags import plan_tags


def _push(image: str, target: Reference, version: str, client: RegistryClient, **kw):
    plan = plan_tags(version, existing_tags(client, target.repository), **kw)
    return push_image(image, target, plan, client=client)


def test_push_twice_is_a_noop_and_other_digest_is_refused(docker, registry, unique_repo, tiny_image):
    client = RegistryClient(registry.address)
    target = Reference.parse(f"{registry.address}/{unique_repo}")
    first_image = tiny_image(unique_repo.split("/")[1] + "-a", "one")

    first = push_image(first_image, target, plan_tags("1.0.0", {}, latest=True, git_sha="0123456789"),
                       client=client)
    assert first.uploaded
    assert [t.tag for t in first.tags] == ["1.0.0", "1.0", "1", "latest", "sha-0123456"]
    assert all(t.action == "created" for t in first.tags)
    tags = existing_tags(client, unique_repo)
    assert set(tags) == {"1.0.0", "1.0", "1", "latest", "sha-0123456"}
    assert set(tags.values()) == {first.digest}
    # The registry's manifest carries the local image (config digest = image id).
    manifest = json.loads(client.get_manifest(unique_repo, "1.0.0").body)
    assert manifest["config"]["digest"] == docker.image.inspect(first_image).id
    # Staging leaves nothing behind in the registry.
    assert client.head_manifest(staging_repository(unique_repo), first.digest) is None

    again = _push(first_image, target, "1.0.0", client, latest=True)
    assert not again.uploaded
    assert again.digest == first.digest
    assert {t.action for t in again.tags} == {"unchanged"}

    other = tiny_image(unique_repo.split("/")[1] + "-b", "two")
    with pytest.raises(ImmutableTagError) as info:
        _push(other, target, "1.0.0", client, latest=True)
    message = str(info.value)
    assert first.digest in message and "1.0.0" in message
    assert message.count("sha256:") == 2
    assert existing_tags(client, unique_repo) == tags  # registry unchanged


def test_backport_moves_only_its_lines(registry, unique_repo, tiny_image):
    client = RegistryClient(registry.address)
    target = Reference.parse(f"{registry.address}/{unique_repo}")
    name = unique_repo.split("/")[1]
    v1 = _push(tiny_image(name + "-1", "1.9.0"), target, "1.9.0", client, latest=True)
    v2 = _push(tiny_image(name + "-2", "2.0.1"), target, "2.0.1", client, latest=True)
    v3 = _push(tiny_image(name + "-3", "1.9.1"), target, "1.9.1", client, latest=True)
    tags = existing_tags(client, unique_repo)
    assert tags["1.9.0"] == v1.digest
    assert tags["2.0.1"] == tags["2"] == tags["2.0"] == tags["latest"] == v2.digest
    assert tags["1.9.1"] == tags["1.9"] == tags["1"] == v3.digest
    moved = {t.tag: t for t in v3.tags}
    assert moved["1.9"].action == "moved" and moved["1.9"].before == v1.digest
