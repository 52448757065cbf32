"""The typer application behind `imgforge`: a group that imports a command's module only to run or explain it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from imgforge.cli._commands import COMMAND_MODULES, COMMANDS
from imgforge.cli._common import Group

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

SETTINGS: dict[str, Any] = {"rich_markup_mode": None, "add_completion": False, "pretty_exceptions_enable": False}


def module_commands(module: str) -> dict[str, Command]:
    """The click commands that `module.register(app)` adds, built on a fresh app."""
    sub = typer.Typer(**SETTINGS)
    importlib.import_module(module).register(sub)
    return dict(typer.main.get_group(sub).commands)


class _Commands(dict[str, "Command"]):
    """The group's commands by name, each module imported on the first look-up of one of its commands."""

    def __missing__(self, name: str) -> Command:
        modules = [COMMANDS[name][0]] if name in COMMANDS else COMMAND_MODULES  # an unlisted name: look everywhere
        for module in modules:
            for found, command in module_commands(module).items():
                self.setdefault(found, command)
        if name not in self:
            raise KeyError(name)
        return self[name]

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def keys(self) -> Any:  # the names that `Did you mean` and the listing offer
        return dict.fromkeys(COMMANDS).keys()


class LazyGroup(Group):
    """The top-level group: lists commands from `COMMANDS`, imports a command's module only to run or explain it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])


def _root() -> None:
    """No top-level options: the group only dispatches (a callback makes typer build a group with no commands)."""


app = typer.Typer(
    name="imgforge",
    help="Build container images the way a platform engineer would: generate, lint, build, scan, push, manifest.",
    cls=LazyGroup,
    callback=_root,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    **SETTINGS,
)
