"""The `imgforge` command: a thin shell that parses arguments, calls the library, renders results.

Start-up is part of the interface (pre-commit hooks and editors run `imgforge lint FILE` on every save), so the
shell loads only what the command line asks for:
- each command module is imported when its command runs or shows its help, never to list the commands;
- help is click's plain help, not typer's rich panels, whose module imports rich's markdown and traceback
  renderers (pygments, markdown-it: about 0.1 s, measured with `python -X importtime`);
- library imports stay inside each command (see `_common.py`).
`bench/startup.py` times it; `tests/unit/test_startup_imports.py` checks what each command path imports.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

import typer
import typer.main
from imgforge.cli._common import Group, console_err, run_guarded

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

# Every command: the module whose `register(app)` adds it, and its one-line help for `imgforge --help`
# (the listing does not import the modules; a test checks these lines against the commands' own help).
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("imgforge.cli.env_cmds",
               "Check engine, BuildKit and builder, registry, base images and disk; "
               "exit 0 only when the pipeline can run."),
    "build": ("imgforge.cli.release_cmds",
              "Build an image with BuildKit, with OCI labels, secrets, live progress and per-stage timing."),
    "tag": ("imgforge.cli.release_cmds",
            "Plan the semver tag set against the registry: every tag created or moved, and where it points now."),
    "push": ("imgforge.cli.release_cmds", "Push an image and its tag set; exact version tags are immutable."),
    "attach": ("imgforge.cli.release_cmds", "Push files as an OCI artifact referring to the image "
               "(referrers API or the sha256-<hex> tag fallback)."),
    "artifacts": ("imgforge.cli.release_cmds", "List the artifacts that refer to an image."),
    "lint": ("imgforge.cli.lint_cmd", "Lint Dockerfiles."),
    "scan": ("imgforge.cli.scan_cmd",
             "Scan every layer (deleted files too) for secrets and wasted bytes; exit 1 when a gate fails."),
    "manifest": ("imgforge.cli.manifest_cmds", "Emit Kubernetes YAML for the image, pinned by digest, hardened, "
                 "probed, limited and validated offline."),
    "verify": ("imgforge.cli.manifest_cmds", "Run IMAGE as the kubelet would under the manifest "
               "(limits, user, read-only root, probes); exit 1 on failure."),
    "init": ("imgforge.cli.project_cmds", "Detect the project's stack and write imgforge.yaml (non-interactive)."),
    "generate": ("imgforge.cli.project_cmds",
                 "Write Dockerfile and .dockerignore from imgforge.yaml and its recipe (same input, same bytes)."),
    "pipeline": ("imgforge.cli.pipeline_cmds",
                 "Run generate → lint → build → scan → report → tag → push → manifest → verify → attach."),
    "report": ("imgforge.cli.pipeline_cmds", "Image-size report: layer chart, wasted bytes, efficiency, top files, "
               "secrets, change since the previous version."),
    "plan": ("imgforge.cli.plan_cmd",
             "Print the projects affected by a change since REF, with a GitHub Actions `matrix` object."),
    "registry": ("imgforge.cli.env_cmds", "Start, stop or report the embedded local registry (127.0.0.1:5000)."),
    "bases": ("imgforge.cli.env_cmds", "The local base-image catalog, made from Debian packages (no pulls)."),
}
COMMAND_MODULES = list(dict.fromkeys(module for module, _ in COMMANDS.values()))
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (also used by the console script)."""
    return run_guarded(app, argv if argv is not None else sys.argv[1:])


__all__ = ["COMMANDS", "app", "main", "console_err"]


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
