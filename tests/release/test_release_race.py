"""Two pushes of different images as the same version, started together: exactly one wins, every round."""

from __future__ import annotations

import threading

from imgforge.errors import ImmutableTagError
from imgforge.push import PushResult, existing_tags, push_image
from imgforge.reference import Reference
from imgforge.registry import RegistryClient
from imgforge.tags import plan_tags

ROUNDS = 20


def test_concurrent_pushes_of_one_version_exactly_one_wins(docker, registry, unique_repo, tiny_image):
    name = unique_repo.split("/")[1]
    images = [tiny_image(f"{name}-a", "race a"), tiny_image(f"{name}-b", "race b")]  # tiny, layers shared
    target = Reference.parse(f"{registry.address}/{unique_repo}")
    failures: list[str] = []
    for round_ in range(ROUNDS):
        version = f"7.7.{round_}"
        start = threading.Barrier(2)
        results: list[PushResult | ImmutableTagError] = []

        def push(image: str, version: str = version, start: threading.Barrier = start,
                 results: list[PushResult | ImmutableTagError] = results) -> None:
            client = RegistryClient(registry.address)
            plan = plan_tags(version, existing_tags(client, unique_repo))
            start.wait()
            try:
                results.append(push_image(image, target, plan, client=client, docker=docker))
            except ImmutableTagError as err:
                results.append(err)

        threads = [threading.Thread(target=push, args=(image,)) for image in images]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [r for r in results if isinstance(r, PushResult)]
        lost = [r for r in results if isinstance(r, ImmutableTagError)]
        tags = RegistryClient(registry.address).tag_digests(unique_repo, [version, "7.7", "7"])
        if len(won) != 1 or len(lost) != 1:
            failures.append(f"round {round_}: {len(won)} won, {len(lost)} lost")
            continue
        if set(tags.values()) != {won[0].digest} or len(tags) != 3:
            failures.append(f"round {round_}: tags disagree {tags}, winner {won[0].digest}")
        if any(t.action == "moved" for t in won[0].tags if t.tag == version):
            failures.append(f"round {round_}: version tag reported moved")
        if tags.get(version) not in str(lost[0]):
            failures.append(f"round {round_}: the loser's error does not name the winner: {lost[0]}")
    assert failures == []
