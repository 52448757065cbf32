"""The command table: each command's module and one-line help, read without importing any command module
(`imgforge --help` lists these; `_app.LazyGroup` imports a module only to run or explain its command)."""

from __future__ import annotations

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
