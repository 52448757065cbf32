"""Hostile input gives findings or a one-line error, never a traceback."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from imgforge.cli._common import run_guarded
from imgforge.cli.lint_cmd import register
from imgforge.lint import lint, lint_file


def test_empty_file() -> None:
    assert [f.rule for f in lint("")] == ["SYN007"]


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(os.urandom(4096) + b"\x00\x01\x02")
    report = lint_file(path)
    assert [f.rule for f in report.findings] == ["SYN007"]
    assert "binary" in report.findings[0].message


def test_invalid_utf8_without_nul(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine:3.20\nRUN echo \xff\xfe\nUSER 1\n")
    assert [f.rule for f in lint_file(path).findings if f.severity != "info"] == []


def test_ten_megabyte_line_is_fast() -> None:
    big = "RUN echo " + "a" * (10 * 1024 * 1024) + "\n"
    start = time.perf_counter()
    findings = lint("FROM alpine:3.20\n" + big + "USER 1\n")
    assert time.perf_counter() - start < 10
    assert [f.rule for f in findings if f.severity != "info"] == []


def test_ten_megabyte_unknown_word_message_is_short() -> None:
    findings = lint("FROM alpine:3.20\n" + "X" * (10 * 1024 * 1024))
    syn = [f for f in findings if f.rule == "SYN001"]
    assert len(syn) == 1 and syn[0].line == 2 and len(syn[0].message) < 200


def test_unterminated_heredoc_and_trailing_continuation() -> None:
    rules = [f.rule for f in lint("FROM alpine:3.20\nUSER 1\nRUN <<EOF\necho x\n")]
    assert "SYN003" in rules
    assert [f.rule for f in lint("FROM alpine:3.20\nUSER 1\nRUN echo \\\n") if f.severity != "info"] == []


def test_unbalanced_quotes_in_run() -> None:
    findings = lint("FROM alpine:3.20\nRUN echo 'unterminated && apt-get install -y x\nUSER 1\n")
    assert all(f.rule for f in findings)


_APP = typer.Typer()
register(_APP)
_APP.command("noop", hidden=True)(lambda: None)  # two commands keep `lint` a subcommand, as in the real CLI


def main(argv: list[str]) -> int:
    """The lint command alone (the full CLI imports every stage and is slower); test_list_rules uses the real one."""
    return run_guarded(_APP, argv)


@pytest.mark.parametrize("payload", [b"", b"\x00" * 100, b"FROM", b"FROM \n", b"\xef\xbb\xbfFROM a:1\nUSER 1",
                                     b"RUN <<", b"FROM a:1\nCOPY --from= a b", b"FROM a:1 AS\n", b"]["])
def test_cli_never_tracebacks(tmp_path: Path, payload: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(payload)
    code = main(["lint", str(path), "--format", "json"])
    out = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in out.out + out.err


def test_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and len(err.strip().splitlines()) == 1


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FROMRUNCOPY<>EOF-=\\`#[]\"' \n\tAS$:{}/.&|;x0")), max_size=300))
def test_random_text_never_raises(text: str) -> None:
    for f in lint(text):
        assert f.line >= 1 and f.end_line >= f.line and f.rule


@pytest.mark.parametrize("template", [
    "ENV API_TOKEN={}", 'LABEL x="{}"', "COPY {} /x", "FROM {}", "USER {}", "ARG {}", "RUN --mount={} echo",
    "COPY --from={} /a /b", "WORKDIR {}", "RUN <<{}", "RUN rm -rf /{}", "RUN curl -o /{} http://x/y", 'RUN ["{}',
])
def test_megabyte_lines_stay_linear(template: str) -> None:
    start = time.perf_counter()
    lint("FROM alpine:3.20\n" + template.format("a" * 2 * 1024 * 1024) + "\nUSER 1\n")
    assert time.perf_counter() - start < 3  # linear: ~0.15 s; a quadratic path takes minutes


# -- lint settings from a pull request: imgforge.yaml `lint:` and pyproject.toml `[tool.imgforge.lint]` ------------

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(
    ["PIN003", "pin003", "USR001", "NOPE1", "error", "warning", "info", "fatal", "", "\x1b[31m"]), st.text(max_size=6))
_DOCS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["tool", "imgforge", "lint", "disable", "severity", "fail_on", "PIN003", "USR001", "x"]), inner,
    max_size=3), max_leaves=10)


def _toml(value: object) -> str:
    """A TOML value (inline tables and arrays; None as an empty string, which TOML lacks)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else json.dumps("" if value is None else value)


def _shaped(cut: int, leaf: object) -> dict[str, object]:
    doc: object = leaf
    for key in reversed(["tool", "imgforge", "lint"][:cut]):
        doc = {key: doc}
    return doc if isinstance(doc, dict) else {"x": doc}


@settings(max_examples=150, deadline=None)
@given(yaml_lint=_DOCS, cut=st.integers(1, 3), leaf=_DOCS)
def test_random_lint_settings_are_a_config_or_one_usage_error(tmp_path_factory: pytest.TempPathFactory,
                                                              yaml_lint: object, cut: int, leaf: object) -> None:
    import yaml

    from imgforge.errors import UsageError
    from imgforge.lint import load_config

    root = tmp_path_factory.mktemp("p")
    (root / "imgforge.yaml").write_text(yaml.safe_dump({"lint": yaml_lint}), encoding="utf-8")
    pyproject = "".join(f'"{k}" = {_toml(v)}\n' for k, v in _shaped(cut, leaf).items())
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    try:
        config = load_config(root)
    except UsageError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
    else:
        lint("FROM alpine:3.20\nRUN apk add curl\nUSER 1\n", "Dockerfile", config)


@pytest.mark.parametrize("pyproject", ["tool = 1\n", '[tool]\nimgforge = "x"\n', "[tool]\nimgforge = [1]\n",
                                       "a = " + "[" * 50_000 + "]" * 50_000 + "\n"])
def test_hostile_pyproject_is_ignored_or_one_usage_error(tmp_path: Path, pyproject: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1\n", encoding="utf-8")
    assert main(["lint", str(tmp_path / "Dockerfile"), "--config", str(tmp_path)]) in (0, 2)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and len(out.err.strip().splitlines()) <= 1, out.err
