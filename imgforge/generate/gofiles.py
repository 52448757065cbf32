"""Files a Go service opens at run time relative to its working folder (html templates, static assets, a config
file), which the built binary does not carry: the go recipe's runtime holds the binary alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from imgforge.generate.facts import read_text, source_files

# A Go string literal, interpreted ("…") or raw (`…`).
_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`([^`]*)`')
# Calls that take a path: a bare name ("static") counts only on a line with one of them (router.Static("/static",
# "static"), http.Dir("public"), filepath.Join("public", name)); a literal with a slash or a file suffix counts
# anywhere (a flag's default).
_FILE_CALL = re.compile(r"\b(?:Static|StaticFS|StaticFile|Dir|ReadFile|ReadDir|Open|OpenFile|ParseGlob|ParseFiles|"
                        r"LoadHTMLGlob|LoadHTMLFiles|ServeFile|Stat|Glob|Walk|WalkDir|FileServer|Join)\s*\(")
_PATHLIKE = re.compile(r"^(?:\./)?[\w.-]+(?:/[\w.*{}\[\]-]*)*$")
# Folders that are never run-time data of the service itself.
_NOT_DATA = {"vendor", "testdata", "node_modules", ".git", "docs", "test", "tests", "scripts", "hack", "build",
             "deploy", "charts", "examples", "go.mod", "go.sum", "go.work", "Makefile", "Dockerfile"}
_MAX_BYTES = 64_000_000


@dataclass(frozen=True)
class RuntimeFile:
    """A file or folder at the module root the service opens by a relative path, and the source line saying so."""

    path: str
    why: str


def _candidates(text: str) -> list[str]:
    """Relative paths named by string literals in `text` (Go source)."""
    found = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("//", "import ")) or "go:embed" in line:
            continue
        call = _FILE_CALL.search(line) is not None
        for m in _LITERAL.finditer(line):
            value = m.group(1) if m.group(1) is not None else m.group(2)
            if not value or not _PATHLIKE.match(value) or value.startswith("/"):
                continue
            bare = "/" not in value.removeprefix("./") and "." not in value.removeprefix("./")
            if bare and not call:
                continue
            found.append(value.removeprefix("./"))
    return found


def _has_data(path: Path) -> bool:
    """Whether `path` is a non-Go file, or a folder holding one, small enough to ship."""
    if path.is_file():
        return path.suffix != ".go"
    total, data = 0, False
    for child in path.rglob("*"):
        if "node_modules" in child.parts:
            return False  # a front-end's sources: its build output, if any, is what would ship
        if child.is_file():
            total += child.stat().st_size
            data = data or child.suffix not in (".go", ".mod", ".sum")
            if total > _MAX_BYTES:
                return False
    return data


def runtime_files(root: Path, binary: str = "app") -> tuple[RuntimeFile, ...]:
    """Top-level files and folders of the module the service's own (non-test) sources open by a relative path,
    each once, in source order; a folder of Go code only, or one named like the binary, is left out."""
    chosen: dict[str, RuntimeFile] = {}
    sources = [p for p in source_files(root, (".go",)) if not p.name.endswith("_test.go")]
    # What //go:embed compiles into the binary (ParseFS(content, "templates/*.html") names it too) needs no copy.
    embedded = {pattern.split("/", 1)[0] for source in sources for line in read_text(source).splitlines()
                if line.startswith("//go:embed ") for pattern in line.split()[1:]}
    for source in sources:
        rel = source.relative_to(root)
        for value in _candidates(read_text(source)):
            top = value.split("/", 1)[0]
            if top in chosen or top in _NOT_DATA or top in embedded or top == binary or top.startswith(".") \
                    or "*" in top:
                continue
            target = root / top
            if target.exists() and _has_data(target):
                chosen[top] = RuntimeFile(top + ("/" if target.is_dir() else ""), f'"{value}" in {rel}')
    return tuple(chosen.values())
