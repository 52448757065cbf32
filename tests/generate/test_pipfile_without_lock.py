"""A Pipfile without its lock: the python recipe installs its [packages] as written (pure; the recipe's own
command runs here on a Pipfile modelled on pipenv's own examples and Heroku's Pipenv Flask apps)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from imgforge.generate.dockerfile import variant
from imgforge.generate.pydeps import dependencies
from imgforge.generate.pystart import python_start
from imgforge.recipes import load_recipe
from tests.generate._files import write

PIPFILE = '''[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
Flask = "==3.0.3"
gunicorn = "*"
requests = {version = ">=2.31", extras = ["socks"]}
uvloop = {version = "*", markers = "sys_platform == 'linux'"}
mylib = {path = "./lib", editable = true}
tool = {git = "https://github.com/example/tool.git", ref = "main"}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.11"
'''


def test_the_pipfiles_packages_are_installed(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile": PIPFILE, "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})
    recipe, _ = load_recipe("python")
    chosen = variant(tmp_path, next(b for b in recipe.builders if b.name == "deps"))
    assert chosen is not None and chosen.when == ["Pipfile"] and chosen.manifests == ["Pipfile"]
    command = re.match(r"python3 -c '([^']*)' > /tmp/requirements\.txt", chosen.install)
    assert command is not None
    res = subprocess.run([sys.executable, "-c", command.group(1)], cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert res.stdout.splitlines() == ["Flask==3.0.3", "gunicorn", "requests[socks]>=2.31",
                                       "uvloop; sys_platform == 'linux'"]
    start = python_start(tmp_path)
    assert "flask" in dependencies(tmp_path) and start is not None and "gunicorn" in start.entrypoint[-1]


def test_a_pipfile_beside_a_requirements_txt_leaves_it_to_the_pinned_file(tmp_path: Path) -> None:
    write(tmp_path, {"Pipfile": PIPFILE, "requirements.txt": "Flask==3.0.3\ngunicorn==23.0.0\n"})
    recipe, _ = load_recipe("python")
    chosen = variant(tmp_path, next(b for b in recipe.builders if b.name == "deps"))
    assert chosen is not None and "requirements.txt" in chosen.when
