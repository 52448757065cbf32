"""The python recipe's install for a project without a lockfile or requirements.txt: the dependencies it
declares (PEP 621, Poetry's table, setup.py's install_requires), read at build time without running the project.

The recipe's own command runs here on project files written after real layouts (pallets/quart's Poetry examples,
aio-libs/aiohttp-demos and a Sanic template with only a setup.py); the engine tests build two such projects.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from imgforge.generate.dockerfile import variant
from imgforge.generate.pydeps import dependencies
from imgforge.recipes import load_recipe
from tests.generate._files import write


def _declared(root: Path) -> list[str]:
    """What the chosen deps variant writes to /tmp/requirements.txt, run on `root` with this Python."""
    recipe, _ = load_recipe("python")
    deps = next(b for b in recipe.builders if b.name == "deps")
    chosen = variant(root, deps)
    assert chosen is not None and "setup.py" in chosen.when
    command = re.match(r"python3 -c '([^']*)' > /tmp/requirements\.txt", chosen.install)
    assert command is not None, chosen.install[:200]
    res = subprocess.run([sys.executable, "-c", command.group(1)], cwd=root, capture_output=True, text=True,
                         check=True)
    return [line for line in res.stdout.splitlines() if line]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(("files", "wanted"), [
    ({"pyproject.toml": '[project]\nname = "a"\ndependencies = ["flask>=3", "gunicorn"]\n'}, ["flask>=3", "gunicorn"]),
    # Poetry without a lockfile: ^ and ~ become the ranges Poetry means; python, optional and git ones are left out.
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\nquart = "*"\nhttpx = "^0.27.2"\n'
                        'pydantic = "^2.7"\nrich = "~13.7"\nclick = "~8"\n'
                        'uvloop = {version = "^0.19", optional = true}\n'
                        'hypercorn = {version = ">=0.16,<1", extras = ["h3", "trio"]}\nlib = {git = "https://x"}\n'
                        'attrs = "23.2.0"\nidna = "~=3.7"\n'},
     ["quart", "httpx>=0.27.2,<0.28", "pydantic>=2.7,<3", "rich>=13.7,<13.8", "click>=8,<9",
      "hypercorn[h3,trio]>=0.16,<1", "attrs==23.2.0", "idna~=3.7"]),
    # setup.py: a literal list, or a name bound to one; extras_require is not installed.
    ({"setup.py": "from setuptools import setup\nsetup(name='c', install_requires=['aiohttp>=3.6', 'faker'],\n"
                  "      extras_require={'dev': ['pytest']})\n"}, ["aiohttp>=3.6", "faker"]),
    ({"setup.py": "import re\nfrom setuptools import setup\nreqs = ['sanic', 'sanic-ext']\n"
                  "version = re.findall('x', open('pkg/__init__.py').read())\nsetup(install_requires=reqs)\n"},
     ["sanic", "sanic-ext"]),
    # Computed lists are not run: nothing, rather than a failed build.
    ({"setup.py": "from setuptools import setup\nsetup(install_requires=open('reqs.in').read().split())\n"}, []),
    ({"setup.py": "print 'python 2'\n"}, []),
    # A pyproject.toml for tools only, beside a setup.py: setup.py's list.
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n", "setup.py": "setup(install_requires=['falcon'])\n"},
     ["falcon"]),
])
def test_declared_dependencies_without_a_lockfile(tmp_path, files, wanted):
    assert _declared(_write(tmp_path, files)) == wanted


def test_setup_py_requirements_read_from_a_file_are_installed_from_it(tmp_path):
    """mher/flower's `install_requires=get_requirements('default.txt')` reads requirements/default.txt: pip gets
    that file (copied with the manifests), its own -r includes and markers intact."""
    write(tmp_path, {"setup.py": "from setuptools import setup\n\ndef reqs(name):\n"
                                 "    return open('requirements/' + name).read().splitlines()\n\n"
                                 "setup(name='v', install_requires=reqs('default.txt'), tests_require=reqs('t.txt'))\n",
                     "requirements/default.txt": "tornado>=6.5,<7\n", "requirements/t.txt": "pytest\n"})
    assert _declared(tmp_path) == [f"--requirement {tmp_path / 'requirements' / 'default.txt'}"]
    recipe, _ = load_recipe("python")
    chosen = variant(tmp_path, next(b for b in recipe.builders if b.name == "deps"))
    assert chosen is not None and "requirements/" in chosen.manifests


SETUP_CFG = ("[metadata]\nname = js_site\nversion = 1.0.0\n\n[options]\npackages = find:\ninclude_package_data = true\n"
             "install_requires =\n    Flask>=2.0\n    # the server\n    waitress\n\n[options.extras_require]\n"
             "test =\n    pytest\n")


def test_setup_cfg_install_requires_are_installed(tmp_path):
    """Flask 2.0's examples: metadata and dependencies in setup.cfg, `setup()` alone in setup.py; extras are not
    installed, and a setup.cfg that does not parse gives nothing rather than a failed build."""
    write(tmp_path, {"setup.py": "from setuptools import setup\n\nsetup()\n", "setup.cfg": SETUP_CFG})
    assert _declared(tmp_path) == ["Flask>=2.0", "waitress"]
    assert dependencies(tmp_path) == {"flask", "waitress"}
    (tmp_path / "setup.cfg").write_text("install_requires = flask\n[options\n")
    assert _declared(tmp_path) == []
    assert dependencies(tmp_path) == set()
