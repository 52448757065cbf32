"""The README's two set-up commands stay true: CI runs exactly the README's test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- commands -->\s*```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "README must start with the commands block"
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_two_commands():
    assert len(readme_commands()) == 2


def test_ci_runs_the_readme_test_command():
    test_cmd = readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd in ci.splitlines()


def test_main_command_sets_up_first():
    assert readme_commands()[0].startswith("bash .ci/setup && ")
