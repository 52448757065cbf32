"""The consoles and the error line, without typer: `imgforge lint FILE` prints through these on its fast path.

External text (engine and build output, paths, image names, error messages) is never rendered as rich markup: pass
it through `escape()`. The consoles also turn emoji codes off, so a `:warning:` in a message stays as written.
rich itself is imported on first output, not with this module: it is ~20 ms of the ~90 ms CPU time of
`imgforge --help` (python -X importtime, bench/startup.py), and help is printed without it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, cast

from imgforge.errors import ImgforgeError
from imgforge.printable import printable

if TYPE_CHECKING:
    from rich.console import Console


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


class _DeferredConsole:
    """A rich `Console` made, and rich imported, on first use (see the module docstring)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def _real(self) -> Console:
        if self._console is None:
            from rich.console import Console  # deferred: rich is not needed to print help

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    # rich's Live (progress bars, status spinners) holds its console as a context manager.
    def __enter__(self) -> Console:
        return self._real().__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._real().__exit__(*exc)


def plain_stdout() -> bool:
    """True when rich would print stdout without styles: not a terminal, and neither FORCE_COLOR nor TTY_COMPATIBLE
    is set (with either, rich decides)."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    try:
        return not sys.stdout.isatty()
    except ValueError:  # closed
        return True


console = cast("Console", _DeferredConsole(no_color=_no_color(), highlight=False, soft_wrap=True, emoji=False))
console_err = cast("Console", _DeferredConsole(stderr=True, no_color=_no_color(), highlight=False, soft_wrap=True,
                                               emoji=False))


def escape(text: str) -> str:
    """`text` with rich markup escaped, for f-strings printed with markup."""
    from rich.markup import escape as rich_escape  # deferred with the consoles

    return rich_escape(text)


def report_error(err: ImgforgeError) -> int:
    """Print `imgforge: what failed: why` on stderr and give the error's exit code."""
    # Messages quote project files, archives and registries: control characters are shown, not obeyed.
    message = "\n".join(printable(line) for line in str(err).split("\n"))
    console_err.print(f"[red]imgforge:[/red] {escape(message)}")
    return err.exit_code
