"""Settings loading: errors name file, line and key path (pure)."""

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from imgforge.errors import UsageError
from imgforge.settings import load_raw, load_section


class Lintish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fail_on: str = "error"
    disable: list[str] = []


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "imgforge.yaml").write_text(text)
    return tmp_path


def test_missing_file_gives_defaults(tmp_path):
    assert load_section(tmp_path, "lint", Lintish) == Lintish()


def test_valid_section(tmp_path):
    write(tmp_path, "recipe: python\nlint:\n  disable: [DF001]\n")
    assert load_section(tmp_path, "lint", Lintish).disable == ["DF001"]


def test_unknown_top_level_key_names_line(tmp_path):
    write(tmp_path, "recipe: python\n\nlnt:\n  disable: []\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3: unknown key 'lnt'"):
        load_raw(tmp_path)


@pytest.mark.parametrize("section", ["tags", "push", "verify"])
def test_sections_no_stage_reads_are_refused_not_ignored(tmp_path, section):
    # tag, push and verify take their settings from the command line: a section for them would be silently unread.
    write(tmp_path, f"recipe: python\n{section}:\n  latest: true\n")
    with pytest.raises(UsageError, match=rf"imgforge.yaml:2: unknown key '{section}'"):
        load_raw(tmp_path)


def test_wrong_type_names_line_and_path(tmp_path):
    write(tmp_path, "recipe: python\nlint:\n  fail_on: error\n  disable: 12\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:4: lint.disable: "):
        load_section(tmp_path, "lint", Lintish)


def test_unknown_nested_key(tmp_path):
    write(tmp_path, "lint:\n  fail_on: error\n  colour: red\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3: lint.colour: Extra inputs"):
        load_section(tmp_path, "lint", Lintish)


def test_yaml_syntax_error_names_line(tmp_path):
    write(tmp_path, "lint:\n  disable: [a, b\nrecipe: x\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3"):
        load_raw(tmp_path)


def test_not_a_mapping(tmp_path):
    write(tmp_path, "- a\n- b\n")
    with pytest.raises(UsageError, match="must be a mapping"):
        load_raw(tmp_path)
