"""The `imgforge` command: a thin shell that parses arguments, calls the library, renders results.

Start-up is part of the interface (pre-commit hooks and editors run `imgforge lint FILE` on every save), so the
shell loads only what the command line asks for:
- each command module is imported when its command runs or shows its help, never to list the commands;
- help is click's plain help, not typer's rich panels, whose module imports rich's markdown and traceback
  renderers (pygments, markdown-it: about 0.1 s, measured with `python -X importtime`);
- library imports stay inside each command (see `_common.py`);
- typer itself (~30 ms) is imported only off the plain `imgforge lint FILE...` path, which `lint_run.fast_main`
  parses by hand: an editor or a pre-commit hook runs it on every save (issue 12's 0.15 s target).
`bench/startup.py` times it; `tests/unit/test_startup_imports.py` checks what each command path imports.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from imgforge.cli._commands import COMMAND_MODULES, COMMANDS

if TYPE_CHECKING:
    from imgforge.cli._app import app, module_commands
    from imgforge.cli._console import console_err


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (also used by the console script)."""
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["lint"]:
        from imgforge.cli.lint_run import fast_main

        code = fast_main(args[1:])
        if code is not None:
            return code
    from imgforge.cli._app import app
    from imgforge.cli._common import run_guarded

    return run_guarded(app, args)


def __getattr__(name: str) -> Any:
    # The typer application and the consoles are made on first use: see the module docstring.
    if name in ("app", "module_commands", "SETTINGS", "LazyGroup"):
        from imgforge.cli import _app

        return getattr(_app, name)
    if name == "console_err":
        from imgforge.cli import _console

        return _console.console_err
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMANDS", "COMMAND_MODULES", "app", "console_err", "main", "module_commands"]


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
