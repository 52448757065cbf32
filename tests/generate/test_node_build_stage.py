"""The node recipe's build stage has pnpm when a script of the project calls it (corepack, as in the install)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from imgforge.recipes import load_recipe
from tests.generate._files import write


def _pnpm_check() -> str:
    recipe, _ = load_recipe("node", [])
    build = next(b.build for b in recipe.builders if b.build)
    m = re.match(r"if (grep .*?package\.json\"?); then", build)
    assert m is not None, build
    return m.group(1)


@pytest.mark.parametrize(("scripts", "calls"), [
    ({"build": "pnpm run build:css && vite build"}, True),
    ({"build": "tsc", "prebuild": "pnpm --filter ui build"}, True),
    ({"build": "rimraf dist && tsc", "serve": "(pnpm build)"}, True),
    ({"build": "vite build", "start": "node server.js"}, False),
    # A dependency named like the tool, or packageManager, is not a call.
    ({"build": "tsc"}, False),
])
def test_the_build_stage_gets_pnpm_only_when_a_script_calls_it(tmp_path: Path, scripts: dict[str, str],
                                                              calls: bool) -> None:
    pkg = {"name": "shop", "packageManager": "pnpm@9.15.0", "scripts": scripts,
           "devDependencies": {"pnpm": "9.15.0"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg, indent=2)})
    found = subprocess.run(["sh", "-c", _pnpm_check()], cwd=root, check=False).returncode == 0
    assert found is calls


def _yarn_check() -> str:
    recipe, _ = load_recipe("node", [])
    build = next(b.build for b in recipe.builders if b.build)
    m = re.search(r"&& if (grep -qsE '[^']*yarn ' package\.json \S+); then", build)
    assert m is not None, build
    return m.group(1)


@pytest.mark.parametrize(("scripts", "calls"), [
    ({"build": "yarn build:css && vite build"}, True),
    ({"build": "tsc", "prebuild": "yarn workspace ui build"}, True),
    ({"build": "vite build"}, False),
    # pnpm, or a word that ends in yarn, is not a yarn call.
    ({"build": "pnpm run x && fooyarn"}, False),
])
def test_the_build_stage_gets_yarn_only_when_a_script_calls_it(tmp_path: Path, scripts: dict[str, str],
                                                              calls: bool) -> None:
    pkg = {"name": "shop", "packageManager": "yarn@4.5.3", "scripts": scripts}
    root = write(tmp_path, {"package.json": json.dumps(pkg, indent=2)})
    found = subprocess.run(["sh", "-c", _yarn_check()], cwd=root, check=False).returncode == 0
    assert found is calls
