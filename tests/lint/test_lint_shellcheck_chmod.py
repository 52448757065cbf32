"""SH100 passes on ShellCheck's SC2283 ("remove spaces around =") except where the `=` word is chmod's mode
(`chmod =2775 dir`): there `=` is chmod's operator, not an assignment with spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.lint import LintConfig, lint_files, parse, shellcheck

needs_shellcheck = pytest.mark.skipif(shellcheck.find_shellcheck() is None, reason="shellcheck not installed")


def _script(text: str) -> shellcheck.Script:
    df = parse(text, "Dockerfile")
    [script] = shellcheck.scripts(df, text)
    return script


def _comment(line: int, column: int) -> dict[str, object]:
    return {"line": line, "column": column, "endLine": line, "code": 2283, "level": "error",
            "message": "Remove spaces around = to assign (or use [ ] to compare, or quote '=' if literal)."}


@pytest.mark.parametrize(("run", "word", "dropped"), [
    ("RUN chmod =2775 /srv/data", "=2775", True),
    ("RUN mkdir -p /srv && /bin/chmod =rwx,g+s /srv", "=rwx", True),
    ("RUN set -eux; \\\n\tchmod =0755 /srv", "=0755", True),  # line 2 of the script, after a tab
    ("RUN chmod =2775 /srv && value = 1", "= 1", False),  # an assignment on chmod's line keeps its finding
    ("RUN umask =022 && true", "=022", False),
])
def test_only_chmods_mode_is_dropped(run: str, word: str, dropped: bool) -> None:
    script = _script(f"FROM debian:12\n{run}\n")
    [(line, text)] = [(n, text) for n, text in enumerate(script.text.split("\n"), 1) if word in text]
    comment = _comment(line, text.index(word) + 1)  # ShellCheck's columns count a tab as one
    found = shellcheck._findings([("Dockerfile", "s0.sh", script)], {"s0.sh": [comment]})
    assert (found == []) is dropped


@needs_shellcheck
def test_chmod_equals_mode_is_no_finding(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:12\n"
                    "RUN mkdir -p /srv/data && chmod =2775 /srv/data\n"
                    "RUN value = 1 && echo done\n"
                    "USER 10001\nCMD [\"app\"]\n")
    sh100 = [(f.line, f.message[:6]) for f in lint_files([path], LintConfig()).findings if f.rule == "SH100"]
    assert (3, "SC2283") in sh100
    assert [line for line, _ in sh100 if line == 2] == []
