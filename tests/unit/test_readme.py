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


def test_settings_example_is_valid(tmp_path):
    """The README's imgforge.yaml example passes every section's model."""
    from imgforge.lint import load_config
    from imgforge.manifest.settings import load_settings
    from imgforge.project import load_project
    from imgforge.report.model import Budgets
    from imgforge.scan import ScanPolicy
    from imgforge.settings import load_section

    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Settings: `imgforge.yaml`\s*```yaml\n(.*?)```", text, re.S)
    assert block
    (tmp_path / "imgforge.yaml").write_text(block.group(1))
    (tmp_path / "app.py").write_text("print('hi')\n")
    project = load_project(tmp_path)
    assert project.image_name == "team/api" and project.recipe.runtime.port == 9000
    assert "PIN003" in load_config(tmp_path).disable
    assert load_section(tmp_path, "scan", ScanPolicy).min_efficiency == 0.95
    assert load_section(tmp_path, "report", Budgets).max_growth == 5_000_000
    settings, overlays = load_settings(tmp_path)
    assert overlays["prod"].replicas == 3 and settings.resources is not None
