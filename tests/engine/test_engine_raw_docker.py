"""Raw `docker` subprocesses remain only where python-on-whales lacks the command in the form needed, and each
says so: every function that runs the docker CLI itself names python-on-whales in a comment or docstring."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "imgforge"
# How imgforge spells a docker CLI argv: the engine seam's builders, the client's own argv, or a literal "docker".
DOCKER_ARGV = re.compile(r'docker_command\(|\.command\(|docker_cmd|save_command\(|"docker"')


def _runs_a_process(fn: ast.AST) -> bool:
    """Whether `fn` calls subprocess.*, or a runner with the literal "docker" as its first argument."""
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "subprocess":
            return True
        first = node.args[0] if node.args else None
        looks_up = isinstance(func, ast.Attribute) and func.attr == "which"  # shutil.which("docker") runs nothing
        if isinstance(first, ast.Constant) and first.value == "docker" and not looks_up:
            return True
    return False


def raw_docker_calls() -> dict[str, str]:
    """`file:function` -> its source, for every function that runs the docker CLI as a subprocess."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        for fn in ast.walk(ast.parse(src)):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            text = ast.get_source_segment(src, fn) or ""
            for inner in ast.walk(fn):
                if inner is not fn and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    text = text.replace(ast.get_source_segment(src, inner) or "", "")
            if DOCKER_ARGV.search(text) and _runs_a_process(fn):
                found[f"{path.relative_to(PACKAGE.parent)}:{fn.name}"] = text
    return found


def test_the_finder_sees_the_known_raw_calls() -> None:
    calls = raw_docker_calls()
    assert "imgforge/image/daemon.py:save_stream" in calls  # the streamed `docker image save`
    assert "imgforge/manifest/probes.py:docker_exec" in calls
    assert "imgforge/gitinfo.py:git" not in calls


def test_each_raw_docker_call_says_why_python_on_whales_will_not_do() -> None:
    silent = [name for name, text in raw_docker_calls().items() if "python-on-whales" not in text]
    assert silent == []
