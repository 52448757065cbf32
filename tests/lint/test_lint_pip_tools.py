"""PIN006 and the packaging tools a build installs to install the app (pip, project managers and their plugins,
pipx): tooling, not a dependency of the app, so no pin is asked for them; the app's packages beside them still are.
imgforge's own PDM recipe (`pip install pdm` in a throwaway venv) was reported by its own lint."""

from __future__ import annotations

import pytest

from imgforge.lint import lint


def _pin006(run: str) -> list[str]:
    text = f"FROM python:3.12-slim\nRUN {run}\nUSER 10001\nCMD [\"app\"]\n"
    return [f.message for f in lint(text, "Dockerfile") if f.rule == "PIN006"]


@pytest.mark.parametrize("run", [
    "python3 -m venv /opt/tools && /opt/tools/bin/pip install --quiet pdm",
    "pip install poetry==1.8.3 && pip install poetry-plugin-export",
    "pip install --user pipx hatch",
    "pip install --upgrade pip setuptools wheel uv",
])
def test_packaging_tools_need_no_pin(run: str) -> None:
    assert _pin006(run) == []


def test_the_apps_packages_beside_them_are_still_reported() -> None:
    [message] = _pin006("pip install pdm flask")
    assert "flask" in message and "pdm" not in message
