"""A uv project's workspace members and path dependencies (`-e ./packages/core` in `uv export`) are copied into the
dependency stage with the manifests and installed as wheels, not editable links (pure).

Modelled on tdejager/test-uv-versions: a root app depending on two workspace members and an editable path
package, all under packages/, with one uv.lock.
"""

from __future__ import annotations

from pathlib import Path

from imgforge.generate import generate, load_project
from imgforge.generate.uvlocal import uv_local_sources
from tests.generate._files import write

LOCK = '''version = 1
requires-python = ">=3.11"

[manifest]
members = ["core", "svc"]

[[package]]
name = "core"
version = "0.1.0"
source = { editable = "packages/core" }

[[package]]
name = "helpers"
version = "1.0.0"
source = { directory = "libs/helpers" }

[[package]]
name = "svc"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "core" }, { name = "helpers" }, { name = "flask" }]

[[package]]
name = "outside"
version = "1.0.0"
source = { directory = "../outside" }

[[package]]
name = "flask"
version = "3.1.0"
source = { registry = "https://pypi.org/simple" }
'''


def _project(root: Path) -> Path:
    return write(root, {"uv.lock": LOCK, "imgforge.yaml": "recipe: python\n",
                        "pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\n'
                                          'dependencies = ["core", "helpers", "flask"]\n\n'
                                          '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n[tool.uv.sources]\n'
                                          'core = { workspace = true }\nhelpers = { path = "libs/helpers" }\n',
                        "packages/core/pyproject.toml": '[project]\nname = "core"\nversion = "0.1.0"\n',
                        "packages/core/src/core/__init__.py": "", "libs/helpers/setup.py": "",
                        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})


def test_local_sources_in_the_lock_inside_the_project(tmp_path: Path) -> None:
    assert uv_local_sources(_project(tmp_path / "p")) == ["packages/core/", "libs/helpers/"]


def test_the_dependency_stage_holds_them_and_installs_them_as_wheels(tmp_path: Path) -> None:
    dockerfile = generate(load_project(_project(tmp_path))).dockerfile
    deps = dockerfile.split("FROM ", 2)[1]
    assert "COPY pyproject.toml uv.lock ./" in deps
    assert "COPY packages/core/ ./packages/core/" in deps and "COPY libs/helpers/ ./libs/helpers/" in deps
    assert deps.index("COPY libs/helpers/") < deps.index("uv export")
    assert "sed -i 's/^-e //' /tmp/requirements.txt" in deps
