"""gunicorn < 21 imports pkg_resources: pip keeps setuptools below 82 when requirements.txt pins it (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init

APP = "from flask import Flask\napp = Flask(__name__)\n"
BOUND = "RUN echo 'setuptools<82' > /tmp/imgforge-constraints.txt\nENV PIP_CONSTRAINT=/tmp/imgforge-constraints.txt"


def dockerfile(root: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "imgforge.yaml").write_text(plan_init(root).text)
    return generate(load_project(root)).dockerfile


@pytest.mark.parametrize(("files", "bounded"), [
    # A Heroku-era tutorial's pins (modelled on fly.io's hello-flask): gunicorn 20.1.0 asks for setuptools>=3.0.
    ({"requirements.txt": "Flask==2.2.2\ngunicorn==20.1.0\n"}, True),
    ({"requirements.txt": "Flask==2.2.2\ngunicorn==19.9.0 --hash=sha256:aa\n"}, True),
    ({"requirements.txt": "Flask==3.0.3\ngunicorn==23.0.0\n"}, False),  # no pkg_resources since 21
    ({"requirements.txt": "gunicorn==20.1.0\nsetuptools==80.9.0\n"}, False),  # the project pins it itself
    ({"requirements.txt": "gunicorn\n"}, False),  # unpinned: pip takes a gunicorn without pkg_resources
    # Pipfile.lock installs with --no-deps: no setuptools is resolved at all, so no constraint applies.
    ({"Pipfile.lock": json.dumps({"default": {"gunicorn": {"version": "==20.1.0"}}})}, False),
])
def test_the_constraint_comes_only_for_a_pinned_pkg_resources_user(tmp_path: Path, files: dict[str, str],
                                                                   bounded: bool) -> None:
    text = dockerfile(tmp_path, {"app.py": APP, **files})
    assert (BOUND in text) is bounded
    if bounded:
        # Before the install that reads it, and named in the comment above it.
        assert text.index(BOUND) < text.index("--requirement requirements.txt")
        assert "# gunicorn 1" in text or "# gunicorn 2" in text
