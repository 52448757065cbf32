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

if TYPE_CHECKING:
    from imgforge.cli._app import app, module_commands
    from imgforge.cli._console import console_err

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
