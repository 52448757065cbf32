"""Map history `created_by` strings to Dockerfile lines by instruction text, and suggest fixes for bloat."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BUILDKIT_ARGS = re.compile(r"^\|(\d+)\s+")
_SH = "/bin/sh -c "
_NOP = "#(nop) "
_FLAG = re.compile(r"^--[a-z-]+(=\S+)?$")
CACHE_DIRS = ("/var/cache/", "/var/lib/apt/lists/", "/root/.cache/", "/tmp/", "/root/.npm/", "/root/.cargo/registry/",
              "/root/go/pkg/mod/", "/root/.m2/", "/home/")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: keyword, normalized text after it, and its first line."""

    keyword: str
    text: str
    line: int


def _squash(text: str) -> str:
    return " ".join(text.split())


def _drop_flags(keyword: str, text: str) -> str:
    if keyword not in ("RUN", "COPY", "ADD"):
        return text
    words = text.split(" ")
    while words and _FLAG.match(words[0]):
        words.pop(0)
    return " ".join(words)


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions of a Dockerfile, read by the linter's parser (escape directive, continuations, heredocs)."""
    from imgforge.lint.parser import parse

    return [Instruction(i.keyword.upper(), _squash(i.args), i.line) for i in parse(text, "Dockerfile").instructions]


def instruction_of(created_by: str | None) -> tuple[str, str]:
    """(KEYWORD, normalized text) of a history `created_by` (BuildKit or classic builder)."""
    s = _squash(created_by or "")
    s = s.removesuffix("# buildkit").strip()
    if s.startswith(_SH + _NOP):
        s = s[len(_SH + _NOP):]
    elif s.startswith(_SH):
        s = "RUN " + s
    keyword, _, rest = s.partition(" ")
    keyword = keyword.upper()
    if keyword == "RUN":
        m = _BUILDKIT_ARGS.match(rest)
        if m:
            rest = " ".join(rest[m.end():].split(" ")[int(m.group(1)):])
        rest = rest.removeprefix(_SH)
    return keyword, _drop_flags(keyword, rest)


def map_lines(commands: list[str | None], instructions: list[Instruction]) -> list[int | None]:
    """The Dockerfile line of each layer command, matched by instruction text (None when unmatched)."""
    out: list[int | None] = []
    pos = 0
    for cmd in commands:
        if cmd is None:
            out.append(None)
            continue
        keyword, text = instruction_of(cmd)
        found = None
        # Prefer the next matching instruction after the previous match (later stages come later).
        for order in (range(pos, len(instructions)), range(pos)):
            for k in order:
                ins = instructions[k]
                if ins.keyword == keyword and (ins.text == text or (text and text.endswith(ins.text) and ins.text)):
                    found = k
                    break
            if found is not None:
                break
        if found is None:
            out.append(None)
        else:
            out.append(instructions[found].line)
            pos = found + 1
    return out


def line_naming(instructions: list[Instruction], keywords: tuple[str, ...], name: str) -> int | None:
    """The last line of an instruction (ENV, ARG, LABEL) that sets `name`."""
    hit = None
    pattern = re.compile(rf"(^|\s){re.escape(name)}(=|\s|$)")
    for ins in instructions:
        if ins.keyword in keywords and pattern.search(ins.text):
            hit = ins.line
    return hit


def fix_for(path: str, how: str, added_by: str | None, removed_by: str | None) -> str:
    """A one-line fix for one wasted file version."""
    added = instruction_of(added_by)[0] if added_by else ""
    removed = instruction_of(removed_by)[0] if removed_by else ""
    if how == "metadata-only":
        return ("set modes and owners where files are created (COPY --chmod/--chown, or in the same RUN) "
                "instead of a later chmod/chown layer")
    if path.startswith(CACHE_DIRS) and added == "RUN":
        return ("use a cache mount (RUN --mount=type=cache,target=...) or clean up in the same RUN "
                "so the cache never lands in a layer")
    if added in ("COPY", "ADD"):
        return "move it to a build stage and COPY only what the runtime needs (or exclude it with .dockerignore)"
    if added == "RUN" and removed == "RUN":
        return "merge the RUNs: create and remove it in the same RUN, or build it in a separate stage"
    return "build it in a separate stage and copy only the final version into the image"
