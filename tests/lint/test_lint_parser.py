"""Parser: directives, continuations, comments, heredocs, flags, forms, stages and line ranges."""

from __future__ import annotations

from imgforge.lint.parser import parse, substitute


def test_directives_and_backtick_escape() -> None:
    text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine:3.20\nRUN echo a `\n    && echo b\nCOPY a C:\\dir\\\n"
    df = parse(text)
    assert df.directives == {"syntax": "docker/dockerfile:1", "escape": "`"}
    assert df.escape == "`"
    run, copy = df.stages[0].instructions[1:]
    assert (run.line, run.end_line) == (4, 5)
    assert run.args == "echo a     && echo b"
    assert copy.args == "a C:\\dir\\" and copy.line == 6
    assert df.findings == ()


def test_directive_after_instruction_is_a_comment() -> None:
    df = parse("FROM alpine:3.20\n# escape=`\nRUN echo \\\n  hi\n")
    assert df.escape == "\\" and df.directives == {}
    assert df.instructions[1].end_line == 4


def test_comments_and_blank_lines_inside_continuation() -> None:
    text = "FROM alpine:3.20\nRUN apk add \\\n  # why: tls\n  ca-certificates \\\n\n  curl\nUSER 1\n"
    df = parse(text)
    run = df.instructions[1]
    assert (run.line, run.end_line) == (2, 6)
    assert "ca-certificates" in run.args and "#" not in run.args
    assert df.comments[3] == "# why: tls"
    assert df.instructions[2].line == 7


def test_heredocs_run_and_copy_with_line_ranges() -> None:
    text = ("FROM alpine:3.20\nRUN <<EOF\necho one\necho two\nEOF\n"
            "COPY <<A <<'B' /etc/\na\nA\nb\nB\nRUN <<-X sh\n\techo tabbed\n\tX\nUSER 1\n")
    df = parse(text)
    run, copy, run2, user = df.instructions[1:]
    assert (run.line, run.end_line) == (2, 5)
    assert run.heredocs[0].body == "echo one\necho two"
    assert [h.name for h in copy.heredocs] == ["A", "B"] and (copy.line, copy.end_line) == (6, 10)
    assert run2.heredocs[0].body == "echo tabbed" and run2.end_line == 13
    assert user.line == 14 and df.findings == ()


def test_unterminated_heredoc_is_a_finding() -> None:
    df = parse("FROM alpine:3.20\nRUN <<EOF\necho never ends\n")
    assert [f.rule for f in df.findings] == ["SYN003"]
    assert df.findings[0].line == 2


def test_json_and_shell_forms() -> None:
    df = parse('FROM alpine:3.20\nCMD ["a", "b c"]\nENTRYPOINT run --x\nRUN [ -f /x ] && echo y\n')
    cmd, ep, run = df.instructions[1:]
    assert cmd.json_args == ("a", "b c")
    assert ep.json_args is None and ep.args == "run --x"
    assert run.json_args is None and df.findings == ()


def test_flags_parsed_and_malformed_ones_reported() -> None:
    text = ("FROM --platform=linux/amd64 alpine:3.20 AS build\n"
            "RUN --mount=type=cache,target=/root/.cache,sharing=locked --network=none echo\n"
            "COPY --from=build --chmod=0755 --link a /b\n"
            "COPY --bogus=1 a /c\nRUN --mount echo\nADD --=x a /d\n")
    df = parse(text)
    stage = df.stages[0]
    assert stage.platform == "linux/amd64" and stage.name == "build"
    run = df.instructions[1]
    assert run.mounts() == ({"type": "cache", "target": "/root/.cache", "sharing": "locked"},)
    assert run.flag("network") == "none" and run.has_mount("cache")
    copy = df.instructions[2]
    assert copy.flag("from") == "build" and copy.flag("link") == "" and copy.flag("chmod") == "0755"
    assert [(f.rule, f.line) for f in df.findings] == [("SYN002", 4), ("SYN002", 5), ("SYN002", 6), ("SYN010", 3)]


def test_arg_before_from_and_substitution() -> None:
    text = "ARG REG=docker.io\nARG TAG\nFROM ${REG}/library/python:${TAG:-3.12}-slim AS py\nFROM py\nUSER 1\n"
    df = parse(text)
    assert df.global_args == {"REG": "docker.io", "TAG": None}
    assert df.stages[0].image == "docker.io/library/python:3.12-slim"
    assert df.stages[1].base_stage == 0
    assert df.shipped() == df.stages
    assert substitute("${A:+set}-$B-${C-x}", {"A": "1", "B": "b"}) == "set-b-x"


def test_stages_by_name_and_index() -> None:
    df = parse("FROM alpine:3.20 AS Build\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\n")
    assert df.stage_by_ref("build") is df.stages[0]
    assert df.stage_by_ref("0") is df.stages[0]
    assert df.stage_by_ref("9") is None
    assert df.findings == ()
    assert df.final is df.stages[1]
    assert (df.stages[0].line, df.stages[0].end_line, df.stages[1].line, df.stages[1].end_line) == (1, 1, 2, 4)


def test_unknown_instruction_is_a_finding_not_an_exception() -> None:
    df = parse("FROM alpine:3.20\nFROBNICATE now\nRUN echo ok\n")
    assert [(f.rule, f.line, f.category) for f in df.findings] == [("SYN001", 2, "syntax")]
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]


def test_lowercase_keywords_and_crlf() -> None:
    df = parse("from alpine:3.20\r\nrun echo \\\r\n  hi\r\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert df.instructions[1].end_line == 3
