"""Session fixtures: a live engine and the local registry, for tests marked `integration`.

With CI=true a missing engine or registry is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgforge.env.engine import require_engine
from imgforge.env.registry import LocalRegistry, default_registry
from imgforge.errors import EnvironmentProblem

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REPO_ROOT = Path(__file__).resolve().parents[1]


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} (CI=true: integration tests never skip)", pytrace=False)
    pytest.skip(f"{what}; run `bash .ci/setup`")


@pytest.fixture(scope="session")
def docker():
    """A python-on-whales client whose engine answers, with buildx available."""
    try:
        client = require_engine()
    except EnvironmentProblem as err:
        _missing(str(err))
    if shutil.which("docker") and os.system("docker buildx version >/dev/null 2>&1") != 0:
        _missing("docker buildx is not installed")
    return client


@pytest.fixture(scope="session")
def registry(docker) -> LocalRegistry:
    """The local registry on 127.0.0.1:5000, started when it is not up."""
    reg = default_registry()
    try:
        reg.up()
    except EnvironmentProblem as err:
        _missing(str(err))
    return reg


@pytest.fixture
def no_registry_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No registry credentials from anywhere: an empty Docker config folder and no IMGFORGE_REGISTRY_* variables."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    for var in ("IMGFORGE_REGISTRY_USER", "IMGFORGE_REGISTRY_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def unique_repo() -> str:
    """A repository name no other test uses, e.g. `test/3f2a9c1e`."""
    return f"test/{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def base_debian(docker) -> str:
    """The catalog's Debian root image (made by `imgforge bases build`)."""
    from imgforge.env.bases import ROOT_IMAGE

    if not docker.image.exists(ROOT_IMAGE):
        _missing(f"base image {ROOT_IMAGE} is missing (run `imgforge bases build`)")
    return ROOT_IMAGE


@pytest.fixture(scope="session")
def cleanup_images(docker) -> Iterator[list[str]]:
    """Append image refs to this list; they are removed at the end of the session."""
    refs: list[str] = []
    yield refs
    for ref in refs:
        with contextlib.suppress(Exception):  # best-effort cleanup
            docker.image.remove(ref, force=True)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/integration or using the engine fixtures is marked `integration`."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"docker", "registry", "base_debian"}:
            item.add_marker(pytest.mark.integration)
