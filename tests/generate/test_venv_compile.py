"""The python recipe compiles the dependencies' bytecode after installing them; a module that does not compile on
the chosen Python (gunicorn 19.6's py2-era async workers, which nothing imports) stays source-only with a note, as
pip's own compile step leaves it, and the install goes on (biancarosa/falcon-example pins gunicorn==19.6.0).
The recipe's own compile step runs here on a folder holding such a module."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from imgforge.recipes import load_recipe
from tests.generate._files import write


def test_every_deps_variant_keeps_going_past_a_module_that_does_not_compile(tmp_path: Path) -> None:
    recipe, _ = load_recipe("python")
    deps = next(b for b in recipe.builders if b.name == "deps")
    steps = {re.search(r"\{ python3 -m compileall[^}]*/opt/venv[^}]*\}", v.install) for v in deps.dependencies.variants
             if "compileall" in v.install}
    assert None not in steps and len({m.group(0) for m in steps if m}) == 1
    step = next(iter(m.group(0) for m in steps if m))
    write(tmp_path, {"venv/lib/ok.py": "x = 1\n", "venv/lib/workers/_gaiohttp.py": "async = 1\n"})
    script = step.replace("python3", sys.executable).replace("/opt/venv", str(tmp_path / "venv"))
    res = subprocess.run(["sh", "-c", f"{script} && echo went-on"], capture_output=True, text=True, check=False)
    assert res.returncode == 0 and res.stdout.strip().endswith("went-on")
    assert "stay source-only" in res.stderr
    assert list((tmp_path / "venv/lib/__pycache__").glob("ok.*.pyc"))
