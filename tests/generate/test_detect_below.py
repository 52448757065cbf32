"""A repository whose app sits one folder down (src/, built by a compose file) is pointed at that folder (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.generate.detect import detect_stack


def test_the_one_matching_folder_below_is_named(tmp_path: Path) -> None:
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "requirements.txt").write_text("fastapi==0.110.0\n")
    (tmp_path / "src" / "app" / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    build: ./src\n")
    with pytest.raises(UsageError, match=r"src/ holds a project a recipe matches: imgforge init .*/src$"):
        detect_stack(tmp_path)


def test_two_matching_folders_below_name_neither(tmp_path: Path) -> None:
    for name in ("api", "worker"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.py").write_text("print('hi')\n")
    with pytest.raises(UsageError) as caught:
        detect_stack(tmp_path)
    assert str(caught.value).endswith("no recipe matches its files (pass --recipe NAME)")
