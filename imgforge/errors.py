"""The one exception tree of imgforge, and the exit codes the CLI maps it to.

    ImgforgeError                 exit 2 unless a subclass says otherwise
    ├── UsageError                exit 2: bad arguments, settings or recipes
    ├── GateFailed                exit 1: a policy gate (lint, scan, budget, verify) failed
    ├── BuildFailed               exit 1: the image build itself failed
    ├── ImmutableTagError         exit 1: a version tag already points at another digest
    └── EnvironmentProblem        exit 3: something the pipeline needs is not there
        ├── EngineUnavailable     the Docker engine does not answer
        └── RegistryUnavailable   the registry does not answer, or refuses us

Messages name the step that failed and never carry credentials or secret values.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3


class ImgforgeError(Exception):
    """Base class: ``str(err)`` is a one-line ``what failed: why`` for the user."""

    exit_code: int = EXIT_USAGE


class UsageError(ImgforgeError):
    """Bad arguments, settings, recipes or input files."""

    exit_code = EXIT_USAGE


class GateFailed(ImgforgeError):
    """A policy gate failed; the report explains which."""

    exit_code = EXIT_GATE


class BuildFailed(ImgforgeError):
    """The image build failed."""

    exit_code = EXIT_GATE


class ImmutableTagError(ImgforgeError):
    """A released version tag would be moved to a different digest."""

    exit_code = EXIT_GATE


class EnvironmentProblem(ImgforgeError):
    """Something the pipeline needs (engine, registry, disk) is missing."""

    exit_code = EXIT_ENVIRONMENT


class EngineUnavailable(EnvironmentProblem):
    """The Docker engine does not answer."""


class RegistryUnavailable(EnvironmentProblem):
    """The registry does not answer or refuses the request."""
