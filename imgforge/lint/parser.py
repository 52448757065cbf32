"""Dockerfile parser: directives, continuations, heredocs, flags, JSON/shell forms and stages, with line ranges.

Problems in the text become `syntax` findings (never exceptions), so garbage input still yields a report.
"""

from __future__ import annotations

import difflib
import json
import re

from imgforge.lint import lazy_re
from imgforge.errors import UsageError
from imgforge.lint.model import Dockerfile, Finding, Flag, Heredoc, Instruction, Severity, Stage
from imgforge.reference import Reference

# id -> (severity, title, fix); the registry publishes these as rule metadata.
SYNTAX_RULES: dict[str, tuple[Severity, str, str]] = {
    "SYN001": ("error", "Unknown instruction",
               "Use a Dockerfile instruction (RUN, COPY, ...) or make the line a comment."),
    "SYN002": ("error", "Malformed or unknown instruction flag",
               "Write flags as --name=value with a flag this instruction supports."),
    "SYN003": ("error", "Unterminated heredoc", "End the here-document with its terminator word on a line of its own."),
    "SYN004": ("error", "Missing or malformed arguments", "Give the instruction its required arguments."),
    "SYN005": ("error", "No FROM before build instructions",
               "Start the file with FROM (only ARG and parser directives may come before it)."),
    "SYN006": ("warning", "Invalid JSON form runs as a shell string",
               'Use double quotes in exec form: CMD ["app", "--flag"].'),
    "SYN007": ("error", "Not a Dockerfile", "Lint a text Dockerfile with at least one FROM instruction."),
    "SYN008": ("error", "Invalid parser directive", "Use `# escape=\\` or `# escape=`` ` at the very top of the file."),
    "SYN009": ("error", "Duplicate stage name", "Give every stage a unique name in `FROM image AS name`."),
    "SYN010": ("warning", "COPY --from names no earlier stage",
               "Reference a stage defined above (by name or index) or a full image reference."),
    "SYN011": ("error", "ENV without a value", "Write `ENV KEY=value` (an empty value is `ENV KEY=\"\"`)."),
    "SYN012": ("error", "EXPOSE of something that is not a port",
               "EXPOSE takes port numbers or ranges with an optional protocol: `EXPOSE 8080/tcp 9000-9010`."),
    "SYN013": ("error", "FROM names no valid image reference",
               "Name the base as a lowercase repository with a tag (python:3.12-slim); replace placeholders first."),
    "SYN014": ("info", "A template, not a Dockerfile",
               "Lint the rendered Dockerfile (the template tool's output); here the template blocks are skipped."),
}
_PORT = lazy_re.compile(r"^(\d{1,5}(-\d{1,5})?|\$\{?[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}?)(/(tcp|udp|sctp))?$", re.I)
# `RUN [ "$X" = "true" ] && ...` is a shell test, not a broken exec form.
_SHELL_TEST = lazy_re.compile(r"^\[\[?\s.*(\s(=|==|!=|-[a-z]{1,2})\s|\s\]\]?\s*(&&|\|\||;|$))", re.S)

INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}
FLAGS: dict[str, set[str]] = {
    "FROM": {"platform"},
    "RUN": {"mount", "network", "security"},
    "COPY": {"from", "chmod", "chown", "link", "parents", "exclude"},
    "ADD": {"chmod", "chown", "link", "checksum", "keep-git-dir", "exclude", "unpack"},
    "HEALTHCHECK": {"interval", "timeout", "start-period", "start-interval", "retries"},
}
BOOL_FLAGS = {"link", "parents", "keep-git-dir", "unpack"}
HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}

_DIRECTIVE = lazy_re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC = lazy_re.compile(r"(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_FIRST_WORD = lazy_re.compile(r"([^ \t\f\v]*)[ \t\f\v]*(.*)", re.S)
_FLAG = lazy_re.compile(r"--([a-z][a-z0-9-]*)(?:=(.*))?$", re.S)
_VAR = lazy_re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def substitute(text: str, env: dict[str, str | None]) -> str:
    """Expand $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt} with `env` (unset -> empty), as BuildKit does."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        value = env.get(name)
        op, word = m.group(2), m.group(3) or ""
        if op in (":-", "-"):
            return value if value else word
        if op in (":+", "+"):
            return word if value else ""
        return value or ""

    return _VAR.sub(repl, text)


def _unquoted(word: str) -> str:
    """`word` without its shell quotes, as BuildKit's shell lexer reads a FROM operand (`"alpine:3.20"` is
    alpine:3.20)."""
    out: list[str] = []
    quote = ""
    for ch in word:
        if ch in "\"'" and quote in ("", ch):
            quote = "" if quote else ch
            continue
        out.append(ch)
    return "".join(out)


class _Parser:
    """One pass over the lines; collects instructions, comments and syntax findings."""

    def __init__(self, text: str, path: str, *, template: bool = False) -> None:
        self.path = path
        self.template = template  # the rendered text of a template: its blocks are gone
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.findings: list[Finding] = []
        self.comments: dict[int, str] = {}
        self.directives: dict[str, str] = {}
        self.escape = "\\"
        self.template_line: int | None = None  # the first line where a `{{ }}` block stands for an instruction

    def problem(self, rule: str, line: int, end_line: int, message: str) -> None:
        severity, _title, fix = SYNTAX_RULES[rule]
        self.findings.append(Finding(self.path, line, end_line, rule, "syntax", severity, message, fix))

    def parse_directives(self) -> int:
        i = 0
        if self.template:  # a rendered template's leading blocks (`{{ set ... }}`) render to nothing at all
            while i < len(self.lines) and not self.lines[i].strip():
                i += 1
        while i < len(self.lines):
            m = _DIRECTIVE.match(self.lines[i].strip())
            if not m:
                break
            key, value = m.group(1).lower(), m.group(2)
            if key not in ("syntax", "escape", "check"):
                break  # an unknown directive is a comment and ends the directive block
            if key in self.directives:
                self.problem("SYN008", i + 1, i + 1, f"parser directive `{key}` is given twice")
            self.directives[key] = value
            if key == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                else:
                    self.problem("SYN008", i + 1, i + 1, f"escape directive must be \\ or `, not {value[:20]!r}")
            self.comments[i + 1] = self.lines[i].strip()
            i += 1
        if self.template and "escape" not in self.directives and _BACKTICK_CONTINUED.search("\n".join(self.lines)) \
                and not _BACKSLASH_CONTINUED.search("\n".join(self.lines)):
            # A template fragment inserted into a Windows Dockerfile (`# escape=``) inherits its escape character.
            self.escape = "`"
        return i

    def run(self) -> Dockerfile:
        start = self.parse_directives()
        instructions: list[Instruction] = []
        stages: list[Stage] = []
        stage_instr: list[list[Instruction]] = []
        global_args: dict[str, str | None] = {}
        i = start
        lines, n = self.lines, len(self.lines)
        esc = self.escape
        while i < n:
            stripped = lines[i].strip()
            if not stripped:
                i += 1
                continue
            if stripped.startswith("#"):
                self.comments[i + 1] = stripped
                i += 1
                continue
            first = i
            parts: list[str] = []
            cur = lines[i]
            while True:
                body = cur.rstrip()
                if body.endswith(esc) and not body.endswith(esc * 2):
                    parts.append(body[:-1])
                    i += 1
                    while i < n and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                        if lines[i].strip():
                            self.comments[i + 1] = lines[i].strip()
                        i += 1
                    if i >= n:
                        break
                    cur = lines[i]
                    continue
                parts.append(cur)
                i += 1
                break
            text = "".join(parts).strip()
            keyword, _, rest = text.partition(" ")
            if "\t" in keyword:
                keyword, _, more = keyword.partition("\t")
                rest = more + " " + rest
            keyword = keyword.upper()
            rest = rest.strip()
            if self.template_line is None and _template_instruction(text, keyword, rest):
                self.template_line = first + 1
            heredocs: list[Heredoc] = []
            if keyword in HEREDOC_KEYWORDS and "<<" in rest:
                i = self._heredocs(rest, first + 1, i, heredocs)
            end = heredocs[-1].end_line if heredocs else i
            instr = self._instruction(keyword, rest, first + 1, end, len(stages) - 1, tuple(heredocs))
            if instr is None:
                continue
            if keyword == "FROM":
                stages.append(self._stage(instr, len(stages), stages, global_args))
                stage_instr.append([])
                instr = Instruction(instr.keyword, instr.args, instr.flags, instr.line, instr.end_line,
                                    len(stages) - 1, instr.json_args, instr.heredocs)
            elif not stages:
                if keyword == "ARG":
                    for name, value in _arg_pairs(rest):
                        global_args[name] = value
                else:
                    self.problem("SYN005", instr.line, instr.end_line, f"{keyword} comes before the first FROM")
            instructions.append(instr)
            if stage_instr:
                stage_instr[-1].append(instr)
        final = tuple(
            Stage(s.index, s.name, s.image, s.line, tuple(stage_instr[k]), s.platform, s.base_stage)
            for k, s in enumerate(stages)
        )
        if not instructions and not self.findings:
            self.problem("SYN007", 1, 1, "the file has no instructions")
        elif not stages and not any(f.rule == "SYN007" for f in self.findings):
            # One finding says it: "X comes before the first FROM" on every line would promise a FROM that never comes.
            self.findings = [f for f in self.findings if f.rule != "SYN005"]
            if not self.template:  # a template's FROM is one of its blocks (`{{ .base }}` renders to the FROM line)
                self.problem("SYN007", 1, 1, "the file has no FROM instruction")
        df = Dockerfile(self.path, self.directives, self.escape, global_args, final, tuple(instructions),
                        self.comments, ())
        self._check_copy_from(df)
        return Dockerfile(df.path, df.directives, df.escape, df.global_args, df.stages, df.instructions,
                          df.comments, tuple(self.findings))

    def _heredocs(self, rest: str, line: int, i: int, out: list[Heredoc]) -> int:
        for m in _HEREDOC.finditer(rest):
            strip_tabs, name = m.group(1) == "-", m.group(3)
            start = i
            body: list[str] = []
            while i < len(self.lines):
                cur = self.lines[i]
                check = cur.lstrip("\t") if strip_tabs else cur
                if check.rstrip("\r") == name:
                    break
                body.append(check)
                i += 1
            if i >= len(self.lines):
                self.problem("SYN003", line, len(self.lines), f"heredoc <<{name} is never terminated")
                out.append(Heredoc(name, "\n".join(body), start + 1, len(self.lines)))
                return i
            out.append(Heredoc(name, "\n".join(body), start + 1, i + 1))
            i += 1
        return i

    def _instruction(self, keyword: str, rest: str, line: int, end: int, stage: int,
                     heredocs: tuple[Heredoc, ...]) -> Instruction | None:
        if keyword not in INSTRUCTIONS:
            if self.template and keyword.startswith(("&&", "||", "|", ";")):
                return None  # continues a RUN whose line ended in an inserted block (`&& {{InsertTemplate(...)}}`)
            shown = keyword[:40] + ("..." if len(keyword) > 40 else "")
            self.problem("SYN001", line, end, f"unknown instruction {shown!r}")
            return None
        flags: list[Flag] = []
        allowed = FLAGS.get(keyword, set())
        while rest.startswith("--"):
            # (BuildKit ends a flag at any blank: `COPY --link<TAB>--from=build` is two flags)
            m = _FIRST_WORD.match(rest)
            token, rest = (m.group(1), m.group(2).lstrip()) if m else (rest, "")
            if token == "--":
                break  # BuildKit's flag parser: a bare `--` ends the flags (`COPY -- --weird-name /dst/`)
            m = _FLAG.match(token)
            shown = token[:40]
            if not m:
                self.problem("SYN002", line, end, f"{keyword}: malformed flag {shown!r}")
                continue
            name, value = m.group(1), m.group(2)
            if name not in allowed:
                self.problem("SYN002", line, end, f"{keyword} does not support the flag --{name}")
            elif value is None and name not in BOOL_FLAGS:
                self.problem("SYN002", line, end, f"{keyword}: flag --{name} needs a value (--{name}=...)")
            elif value == "" and name not in BOOL_FLAGS:
                self.problem("SYN002", line, end, f"{keyword}: flag --{name} has an empty value")
            flags.append(Flag(name, value))
        json_args = None
        if rest.startswith("["):
            try:
                parsed = json.loads(rest)
            except (ValueError, RecursionError):  # deeply nested arrays exhaust the stack: not an exec form
                parsed = None
                if keyword in ("RUN", "CMD", "ENTRYPOINT", "SHELL") and rest[1:].lstrip()[:1] in ("'", '"') \
                        and not _SHELL_TEST.match(rest):
                    self.problem("SYN006", line, end, f"{keyword} looks like exec form but is not valid JSON; "
                                                      "it will run through /bin/sh -c")
            if isinstance(parsed, list) and all(isinstance(a, str) for a in parsed):
                json_args = tuple(parsed)
        if not rest and keyword not in ("ONBUILD",) and not (self.template and end > line):
            # (a template's instruction continued into blocks, `RUN \` then `{{if ...}}`, has them for arguments)
            self.problem("SYN004", line, end, f"{keyword} has no arguments")
        if keyword == "ENV" and rest and "=" not in rest.split(None, 1)[0] and len(rest.split(None, 1)) == 1:
            self.problem("SYN011", line, end, f"ENV {rest[:40]} has no value")
        if keyword == "EXPOSE" and rest:
            bad = [p for p in rest.split() if not _PORT.match(p.strip("\"'"))]
            if bad:
                self.problem("SYN012", line, end, f"EXPOSE {bad[0][:30]!r} is not a port or port range")
        if keyword == "SHELL" and rest and json_args is None:
            self.problem("SYN004", line, end, "SHELL requires the JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]")
        return Instruction(keyword, rest, tuple(flags), line, end, stage, json_args, heredocs)

    def _stage(self, instr: Instruction, index: int, stages: list[Stage],
               global_args: dict[str, str | None]) -> Stage:
        words = instr.args.split()
        name = None
        if len(words) == 3 and words[1].lower() == "as":
            name = words[2]
        elif len(words) != 1 and words:
            self.problem("SYN004", instr.line, instr.end_line, "FROM takes `image [AS name]`")
        image = _unquoted(substitute(words[0], global_args)) if words else ""
        if name is not None:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", name):
                self.problem("SYN004", instr.line, instr.end_line, f"invalid stage name {name[:40]!r}")
            if any(s.name and s.name.lower() == name.lower() for s in stages):
                self.problem("SYN009", instr.line, instr.end_line, f"stage name {name!r} is used twice")
        base = None
        for s in stages:
            if s.name is not None and s.name.lower() == image.lower():
                base = s.index
        if words and base is None and "$" not in words[0] and "{{" not in words[0] and image.lower() != "scratch":
            why = reference_error(image)
            if why is not None:
                self.problem("SYN013", instr.line, instr.end_line, f"FROM {image[:60]} is not a valid image reference "
                                                                   f"({why}): BuildKit rejects it; a placeholder "
                                                                   "left unreplaced, or a typo")
        platform = next((f.value for f in instr.flags if f.name == "platform"), None)
        return Stage(index, name, image, instr.line, (), platform, base)

    def _check_copy_from(self, df: Dockerfile) -> None:
        for stage in df.stages:
            for ins in stage.instructions:
                ref = ins.flag("from") if ins.keyword == "COPY" else None
                if not ref or "$" in ref:
                    continue
                target = df.stage_by_ref(ref)
                if stage.name is not None and stage.name.lower() == ref.lower():
                    target = stage
                if target is not None and target.index < stage.index:
                    continue
                if target is None and any(c in ref for c in ":/@"):
                    continue  # an image reference, not a stage
                if target is None and not ref.isdigit() and not _near_stage_name(ref, df):
                    continue  # a bare name BuildKit pulls from Docker Hub (`--from=composer`), not a stage typo
                why = "its own stage" if target is not None and target.index == stage.index else "no earlier stage"
                self.problem("SYN010", ins.line, ins.end_line, f"COPY --from={ref[:60]} names {why}")


def _near_stage_name(ref: str, df: Dockerfile) -> bool:
    """True when ref is within a typo (similarity >= 0.75) of a stage name of df."""
    names = [s.name.lower() for s in df.stages if s.name]
    return bool(difflib.get_close_matches(ref.lower(), names, n=1, cutoff=0.75))


_HOST = lazy_re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def reference_error(image: str) -> str | None:
    """Why `image` (ARGs substituted) is not an image reference BuildKit accepts, or None when it is one."""
    first, sep, rest = image.partition("/")
    if sep and first != first.lower() and _HOST.match(first):
        image = f"{first.lower()}/{rest}"  # Docker reads an uppercase first component as a registry host
    try:
        Reference.parse(image)
    except UsageError:
        pass
    else:
        return None
    name = image.partition("@")[0]
    if name != name.lower():
        try:
            Reference.parse(name.lower())
        except UsageError:
            pass
        else:
            return "repository names are lowercase"
    return "not `[registry/]repository[:tag][@digest]`"


def _arg_pairs(rest: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for word in rest.split():
        name, eq, value = word.partition("=")
        out.append((name, value.strip("\"'") if eq else None))
    return out


_TEMPLATE_ARG = lazy_re.compile(r"^(?:--\S+\s+)*(\{\{|%%[A-Za-z_]|%\{)")
# Placeholders other generators fill: `%%NAME%%` (sed-style update scripts) and `%{expr}` (Nickel strings,
# Terraform templates). Bounded, no nested repeats: linear on hostile lines.
_PLACEHOLDER = lazy_re.compile(r"%%([A-Za-z_][A-Za-z0-9_]{0,100})%%|%\{([^{}\n]{0,200})\}")
# A file named as a template (`Dockerfile.j2`, `Dockerfile.ncl`, `Dockerfile.tmpl`): a generator's input, whose
# lines that are not instructions belong to the template language.
_TEMPLATE_NAME = lazy_re.compile(r"\.(j2|jinja2?|ncl|tmpl|tpl|template|erb|mustache|hbs|njk|gotmpl|m4)$", re.I)


def _template_instruction(text: str, keyword: str, rest: str) -> bool:
    """True when a template block or placeholder stands where an instruction or its first argument goes
    (`{{ if ... }}`, `FROM {{ .base }}`, `FROM oraclelinux:{{ .variant }}`, `FROM %%BASE_IMAGE%%`): only a template
    (docker-library's jq templates, Helm-like generators, update scripts) has that. `{{` inside an argument, as in
    `RUN docker inspect -f '{{.Id}}' x`, is a real Dockerfile, as is `rpm --eval '%{_arch}'`."""
    if text.startswith(("{{", "%%")):
        return True
    if keyword not in INSTRUCTIONS:
        return False
    if _TEMPLATE_ARG.match(rest):
        return True
    image = next((w for w in rest.split() if not w.startswith("--")), "") if keyword == "FROM" else ""
    return "{{" in image or _PLACEHOLDER.search(image) is not None


_REST_OF_LINE_BLANK = lazy_re.compile(r"[ \t\r]*(\n|$)")


_BACKTICK_CONTINUED = lazy_re.compile(r"[ \t]`[ \t]*$", re.M)
_BACKSLASH_CONTINUED = lazy_re.compile(r"[ \t]\\[ \t]*$", re.M)


def _block_end(text: str, start: int) -> int:
    """The index just past the `}}` closing the block opened at `start`, counting nested blocks (Cottle's
    `{{if x:{{y}}^else:z}}`), or -1 when it is never closed."""
    depth, pos = 0, start
    while True:
        opening, closing = text.find("{{", pos), text.find("}}", pos)
        if closing < 0:
            return -1
        if 0 <= opening < closing:
            depth, pos = depth + 1, opening + 2
            continue
        depth, pos = depth - 1, closing + 2
        if depth == 0:
            return pos


def _render_template(text: str) -> str:
    """The text with its template blocks neutralised, line numbers kept: a block alone on its lines becomes blank
    lines (as `{{ if }}` / `{{ end }}` lines vanish when rendered), one inside a line becomes one plain word
    (`{{.variant}}`) standing for the value it renders to. One forward pass: linear even on hostile input."""
    out: list[str] = []
    pos = 0
    blank_before = True  # only whitespace so far on the current line
    owed = 0  # line breaks of inline blocks spanning lines, put back where their line ends
    while True:
        start = text.find("{{", pos)
        end = _block_end(text, start) if start >= 0 else -1
        if end < 0:
            break
        segment = text[pos:start]
        if "\n" in segment:
            cut = segment.index("\n")
            segment = segment[:cut] + "\n" * owed + segment[cut:]
            owed = 0
            blank_before = not segment.rsplit("\n", 1)[1].strip()
        else:
            blank_before = blank_before and not segment.strip()
        out.append(segment)
        block = text[start:end]
        if blank_before and ("\n" in block or _REST_OF_LINE_BLANK.match(text, end)):
            # A block opening its line and spanning lines is control flow or a `set`: it renders to nothing, and
            # what follows its `}}` (`# escape=`, an instruction) starts the line it ends on.
            out.append("\n" * block.count("\n"))
        else:
            out.append("{{" + re.sub(r"[^\w.-]", "", block[2:-2]) + "}}")
            owed += block.count("\n")
            blank_before = False
        pos = end
    rest = text[pos:]
    cut = rest.find("\n")
    cut = len(rest) if cut < 0 else cut
    out.append(rest[:cut] + "\n" * owed + rest[cut:])
    return "".join(out)


def parse(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile text into stages and instructions with line ranges; problems become findings.

    A template (`{{ }}` blocks where instructions go) is parsed with its blocks neutralised and gets one SYN014
    finding, rather than a syntax error for every template line.
    """
    if "\x00" in text[:8192]:
        severity, _t, fix = SYNTAX_RULES["SYN007"]
        finding = Finding(path, 1, 1, "SYN007", "syntax", severity, "binary content, not a Dockerfile", fix)
        return Dockerfile(path, {}, "\\", {}, (), (), {}, (finding,))
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser(text, path)
    df = parser.run()
    named = _TEMPLATE_NAME.search(path) is not None and any(f.rule == "SYN001" for f in df.findings)
    if parser.template_line is None and not named:
        return df
    rendered_text = _render_template(_PLACEHOLDER.sub(lambda m: "{{" + (m.group(1) or m.group(2)) + "}}", text))
    first = parser.template_line
    if named:  # the template language's own lines (`let ... in`, `{% if %}`) are not instructions: blank them
        lines = rendered_text.split("\n")
        for f in _Parser(rendered_text, path).run().findings:
            if f.rule == "SYN001":
                lines[f.line - 1:f.end_line] = [""] * (f.end_line - f.line + 1)
                first = f.line if first is None else min(first, f.line)
        rendered_text = "\n".join(lines)
    first = first or 1
    rendered = _Parser(rendered_text, path, template=True)
    rendered.problem("SYN014", first, first,
                     f"this file is a template (template blocks or placeholders, the first on line {first}): its "
                     "template lines are skipped here; lint the rendered Dockerfile for a full check")
    return rendered.run()
