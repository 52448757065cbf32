"""`imgforge lint`'s work, without typer: the typer command (`lint_cmd.py`) and the fast path share it.

The fast path (`fast_main`) reads the plain command lines an editor or a pre-commit hook runs (files and the
documented options, each with a valid value) by hand and skips typer and click (~30 ms of a ~0.15 s one-file run,
`python -X importtime`); anything else (help, an unknown option, a bad value) goes to typer, which prints the usage
error.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from imgforge.cli._console import console, console_err, plain_stdout, report_error
from imgforge.errors import EXIT_GATE, ImgforgeError, UsageError


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


@dataclass(frozen=True)
class LintArgs:
    """The `imgforge lint` command line, parsed."""

    files: tuple[Path, ...] = ()
    fmt: Format = Format.text
    json_out: bool = False
    fail_on: FailOn | None = None
    config: Path | None = None
    output: Path | None = None
    list_rules: bool = False
    use_shellcheck: bool = True


def run_lint(args: LintArgs) -> int:
    """Lint the files and print or write the report; the exit code (0, 1 at --fail-on, 4 the linter failed)."""
    from imgforge.lint import EXIT_INTERNAL, lint_files
    from imgforge.lint.formats import render
    from imgforge.lint.rules import RULES

    if args.list_rules:
        for r in RULES.values():
            console.print(f"{r.id:<7} {r.severity:<7} {r.category:<13} {r.title}", markup=False)
        return 0
    paths = list(args.files) or [Path("Dockerfile")]
    for p in paths:
        if not p.exists():
            raise UsageError(f"linting {p}: no such file")
    cfg = None
    if args.config is not None:
        if not args.config.exists():
            raise UsageError(f"reading lint settings {args.config}: no such file")
        from imgforge.lint.config import load_config  # deferred: pydantic only when settings are given

        cfg = load_config(args.config)
    report = lint_files(paths, cfg, use_shellcheck=args.use_shellcheck,
                         workers=os.cpu_count() or 1)  # the rules of a large batch on every CPU
    chosen = "json" if args.json_out else args.fmt.value
    # Text goes through rich only for a terminal: a file, a pipe, a pre-commit hook or an editor gets plain text
    # straight away (rich is ~15 ms of a one-file run, bench/lint.py).
    styled = chosen == "text" and args.output is None and not plain_stdout()
    text = render(report, chosen, markup=styled)
    if args.output is not None:
        try:
            args.output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"writing {args.output}: {exc.strerror or exc}") from exc
    elif styled:
        console.print(text)
    else:
        if chosen == "text":
            text = text.expandtabs(8)  # as rich prints it (the same for all but double-width characters before a tab)
        sys.stdout.write(text + ("\n" if text else ""))
        sys.stdout.flush()
    if report.internal_error:
        return EXIT_INTERNAL
    threshold = args.fail_on.value if args.fail_on is not None else (cfg.fail_on if cfg and cfg.fail_on else "error")
    return EXIT_GATE if report.failed(threshold) else 0


_FLAGS = {"--json": ("json_out", True), "--list-rules": ("list_rules", True), "--shellcheck": ("use_shellcheck", True),
          "--no-shellcheck": ("use_shellcheck", False)}
_VALUED = {"--format": "fmt", "-f": "fmt", "--fail-on": "fail_on", "--config": "config", "--output": "output",
           "-o": "output"}


def parse_args(argv: list[str]) -> LintArgs | None:
    """The arguments after `imgforge lint`, or None for anything typer should read: help, `--`, a short option
    bundle, an unknown option, a value that is missing, looks like an option or is not one of the choices, an empty
    argument. The last of a repeated option wins, as with click."""
    files: list[Path] = []
    flags: dict[str, bool] = {}
    given: dict[str, str] = {}
    k = 0
    while k < len(argv):
        word = argv[k]
        k += 1
        if not word.startswith("-"):
            if not word:
                return None
            files.append(Path(word))
            continue
        name, eq, value = word.partition("=")
        if name in _FLAGS and not eq:
            key, flag = _FLAGS[name]
            flags[key] = flag
            continue
        if name not in _VALUED or (eq and not name.startswith("--")):
            return None
        if not eq:
            if k == len(argv):
                return None
            value = argv[k]
            k += 1
        if not value or value.startswith("-"):
            return None
        given[_VALUED[name]] = value
    fmt, fail_on = given.get("fmt", "text"), given.get("fail_on")
    if fmt not in Format.__members__ or (fail_on is not None and fail_on not in FailOn.__members__):
        return None
    config, output = given.get("config"), given.get("output")
    return LintArgs(files=tuple(files), fmt=Format(fmt), json_out=flags.get("json_out", False),
                    fail_on=FailOn(fail_on) if fail_on is not None else None,
                    config=Path(config) if config is not None else None,
                    output=Path(output) if output is not None else None,
                    list_rules=flags.get("list_rules", False), use_shellcheck=flags.get("use_shellcheck", True))


def fast_main(argv: list[str]) -> int | None:
    """Run `imgforge lint ARGV` without typer and give its exit code, or None when typer should read ARGV."""
    args = parse_args(argv)
    if args is None:
        return None
    try:
        return run_lint(args)
    except ImgforgeError as err:
        return report_error(err)
    except KeyboardInterrupt:
        console_err.print("imgforge: interrupted")
        return 130
