"""Lint settings: the `lint:` section of imgforge.yaml and `[tool.imgforge.lint]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from imgforge.errors import UsageError
from imgforge.lint.model import FailOn, Severity
from imgforge.settings import load_section


PurposeSetting = Literal["auto", "service", "base", "dev", "test", "fixture", "docs"]  # imgforge.lint.purpose.SETTINGS


class LintConfig(BaseModel):
    """Which rules run and how severe they are: `disable: [PIN003]`, `severity: {USR001: error}`, and what the
    image is for: `purpose: service` (judged as shipped wherever it lies; auto: from its path)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    disable: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: FailOn | None = None
    purpose: PurposeSetting | None = None  # None: not set here (auto unless a lower layer sets it)

    @field_validator("disable")
    @classmethod
    def _known_disable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_ids(value))

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        _check_ids(value)
        return value

    def merged(self, other: LintConfig) -> LintConfig:
        """This config with `other` layered on top (other wins on conflicts)."""
        return LintConfig(disable=tuple(dict.fromkeys(self.disable + other.disable)),
                          severity={**self.severity, **other.severity}, fail_on=other.fail_on or self.fail_on,
                          purpose=other.purpose or self.purpose)


def _check_ids(ids: object) -> list[str]:
    from imgforge.lint.rules import RULES

    from imgforge.lint.hadolint import SHELLCHECK_CODE

    out = [str(i).upper() for i in ids]  # type: ignore[attr-defined]
    unknown = [i for i in out if i not in RULES and not SHELLCHECK_CODE.fullmatch(i)]  # SC2086: a ShellCheck code
    if unknown:
        raise ValueError(f"unknown rule id {unknown[0]!r} (see `imgforge lint --list-rules`)")
    return out


def load_config(project: Path) -> LintConfig:
    """Read `.hadolint.yaml` (its codes as ours), then pyproject.toml `[tool.imgforge.lint]`, then imgforge.yaml
    `lint:` from `project`; each later one wins."""
    from imgforge.lint import hadolint

    config = LintConfig()
    found = hadolint.find(project) if project.is_dir() else None
    if found is not None:
        try:
            config = LintConfig.model_validate(hadolint.settings(found))
        except ValidationError as exc:  # cannot happen for codes we map, kept so a bad mapping reads clearly
            raise UsageError(f"invalid settings: {found}: {exc.errors()[0]['msg']}") from exc
    pyproject = project / "pyproject.toml" if project.is_dir() else None
    if pyproject is not None and pyproject.is_file():
        try:
            raw: Any = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"reading {pyproject}: {exc}") from exc
        except RecursionError as exc:
            raise UsageError(f"reading {pyproject}: nested too deeply") from exc
        for key in ("tool", "imgforge", "lint"):  # any TOML type may stand at each key (`tool = 1`)
            raw = raw.get(key) if isinstance(raw, dict) else None
        if raw is not None:
            try:
                config = config.merged(LintConfig.model_validate(raw))
            except ValidationError as exc:
                problems = "; ".join(f"tool.imgforge.lint.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                     for e in exc.errors())
                raise UsageError(f"invalid settings: {pyproject}: {problems}") from exc
    return config.merged(load_section(project, "lint", LintConfig))
