"""A project's own Dockerfile and .dockerignore are never overwritten: generation writes Dockerfile.imgforge (and its
own ignore file, which BuildKit reads instead of .dockerignore) beside them; the build uses the generated pair."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from imgforge.generate import BESIDE_OWN, HEADER, generate, load_project, targets, write_files
from imgforge.generate.init import plan_init

REPO = Path(__file__).resolve().parents[2]
THEIRS = 'FROM python:3.12-slim\nCOPY . .\nCMD ["python", "app.py"]\n'


def _project(tmp_path: Path) -> Path:
    root = Path(shutil.copytree(REPO / "samples" / "static-site", tmp_path / "site"))
    for name in ("Dockerfile", ".dockerignore"):
        (root / name).unlink(missing_ok=True)
    return root


def test_a_project_without_files_of_its_own_gets_the_usual_names(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert targets(root).dockerfile == "Dockerfile" and targets(root).dockerignore == ".dockerignore"
    assert write_files(load_project(root), generate(load_project(root))) == ["Dockerfile", ".dockerignore"]
    # What imgforge wrote is its own: the next generation overwrites it in place.
    assert targets(root).dockerfile == "Dockerfile"
    assert (root / "Dockerfile").read_text().startswith(HEADER)
    assert (root / ".dockerignore").read_text().startswith(HEADER)


def test_their_dockerfile_is_kept_and_the_generated_one_goes_beside_it(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "Dockerfile").write_text(THEIRS)
    (root / ".dockerignore").write_text("public\n")
    files = generate(load_project(root))
    assert write_files(load_project(root), files) == [BESIDE_OWN, f"{BESIDE_OWN}.dockerignore"]
    assert (root / "Dockerfile").read_text() == THEIRS
    assert (root / ".dockerignore").read_text() == "public\n"
    assert (root / BESIDE_OWN).read_text() == files.dockerfile
    # Stable: a second run finds the files up to date under the same names.
    assert write_files(load_project(root), generate(load_project(root))) == []


def test_their_dockerignore_alone_is_kept_too(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / ".dockerignore").write_text("*.md\n")
    names = targets(root)
    assert (names.dockerfile, names.dockerignore) == ("Dockerfile", "Dockerfile.dockerignore")
    write_files(load_project(root), generate(load_project(root)))
    assert (root / ".dockerignore").read_text() == "*.md\n"


@pytest.mark.parametrize("make", ["symlink", "folder", "empty"])
def test_anything_not_written_by_imgforge_counts_as_theirs(tmp_path: Path, make: str) -> None:
    root = _project(tmp_path)
    target = root / "Dockerfile"
    if make == "symlink":
        target.symlink_to("Containerfile")  # dangling: still theirs
    elif make == "folder":
        target.mkdir()
    else:
        target.write_text("")
    assert targets(root).dockerfile == BESIDE_OWN


def test_init_says_their_dockerfile_is_kept_and_how_to_build_it(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "imgforge.yaml").unlink()
    assert "own Dockerfile" not in plan_init(root).text
    (root / "Dockerfile").write_text(THEIRS)
    text = plan_init(root).text
    assert f"generates as {BESIDE_OWN}" in text and "`dockerfile: Dockerfile` builds yours instead" in text
    (root / "Dockerfile").unlink()
    (root / ".dockerignore").write_text("*.md\n")
    assert "build reads Dockerfile.dockerignore (add entries under overrides.dockerignore)" in plan_init(root).text


def test_the_build_reads_the_generated_ignore_file_not_theirs(tmp_path: Path, docker, cleanup_images) -> None:
    """Their .dockerignore drops public/, which the generated Dockerfile copies: the build passes only if BuildKit
    takes Dockerfile.imgforge.dockerignore for Dockerfile.imgforge (real engine). Their file stays as it was, and
    shapes no generated build (a recipe's entries go under overrides.dockerignore)."""
    root = _project(tmp_path)
    (root / "Dockerfile").write_text(THEIRS)
    (root / ".dockerignore").write_text("public\n")
    write_files(load_project(root), generate(load_project(root)))
    tag = f"imgforge-test/own-dockerfile:{uuid.uuid4().hex[:8]}"
    cleanup_images.append(tag)
    docker.build(root, file=root / BESIDE_OWN, tags=[tag], load=True, progress=False)
    listing = docker.run(tag, ["/www"], entrypoint="/bin/ls", remove=True)
    assert "index.html" in str(listing).split()
