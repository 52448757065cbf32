"""A requirements list frozen on Windows pins packages with nothing for Linux (twisted-iocpsupport beside Twisted,
pywin32): the builder's copy of the list goes without them, the step says which, and the rest install as pinned
(pure; the sed expression is run on a copy here as the builder runs it).

Modelled on a Django Channels chat app frozen on Windows (daphne, Twisted, twisted-iocpsupport==1.0.4).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init
from tests.generate._files import write

APP = "from flask import Flask\napp = Flask(__name__)\n"
FROZEN = ("Django==4.2.5\ndaphne==4.0.0\nTwisted==23.8.0\ntwisted-iocpsupport==1.0.4\npywin32==306\n"
          "pywin32-ctypes==0.2.2\nPyWinPTY==2.0.12 ; python_version >= '3.8'\n")


def dockerfile(root: Path) -> str:
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    return generate(load_project(root)).dockerfile


def _step(text: str) -> str:
    [step] = [line for line in text.splitlines() if line.startswith("RUN sed -i -E")]
    return step


def test_the_builder_drops_the_windows_only_pins_before_the_install(tmp_path: Path) -> None:
    text = dockerfile(write(tmp_path, {"requirements.txt": FROZEN, "app.py": APP}))
    step = _step(text)
    assert text.index(step) < text.index("--requirement requirements.txt")
    assert "# twisted-iocpsupport 1.0.4 (requirements.txt), pywin32 306 (requirements.txt), PyWinPTY 2.0.12" in text
    # Run the expression as the builder's sed would, on a copy.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(tmp_path / "requirements.txt", copy / "requirements.txt")
    subprocess.run(shlex.split(step.removeprefix("RUN ")), cwd=copy, check=True)
    kept = (copy / "requirements.txt").read_text().splitlines()
    assert kept == ["Django==4.2.5", "daphne==4.0.0", "Twisted==23.8.0", "pywin32-ctypes==0.2.2"]


@pytest.mark.parametrize("files", [
    {"requirements.txt": "Django==4.2.5\npywin32-ctypes==0.2.2\n"},  # pure Python: it installs
    {"requirements.txt": "pywin32==306 ; sys_platform == 'win32'\n"},  # pip leaves it out itself
    {"Pipfile.lock": '{"default": {"pywin32": {"version": "==306"}}}'},  # not a requirements file
])
def test_nothing_is_dropped_where_pip_needs_no_help(tmp_path: Path, files: dict[str, str]) -> None:
    text = dockerfile(write(tmp_path, {**files, "app.py": APP}))
    assert "RUN sed -i -E" not in text and "Windows-only" not in text


def test_a_requirements_folder_file_is_the_one_edited(tmp_path: Path) -> None:
    root = write(tmp_path, {"requirements/base.txt": "Django==4.2.5\ntwisted-iocpsupport==1.0.4\n",
                            "requirements/production.txt": "-r base.txt\ngunicorn==21.2.0\n", "app.py": APP})
    assert _step(dockerfile(root)).endswith(" requirements/base.txt")
