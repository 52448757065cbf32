"""The build stage: `build(context, dockerfile, options) -> BuildResult` over BuildKit (buildx)."""

from imgforge.build.options import BuildOptions, Secret, created_timestamp, git_revision, oci_labels
from imgforge.build.progress import ProgressLog, StageTiming, StepFailure, locate_step
from imgforge.build.run import BuildError, BuildResult, build, is_tty

__all__ = [
    "BuildError", "BuildOptions", "BuildResult", "ProgressLog", "Secret", "StageTiming", "StepFailure",
    "build", "created_timestamp", "git_revision", "is_tty", "locate_step", "oci_labels",
]
