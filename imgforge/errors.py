"""The one exception tree of imgforge, and the exit codes the CLI maps it to.

    ImgforgeError                 exit 2 unless a subclass says otherwise
    ├── UsageError                exit 2: bad arguments, settings or recipes
    ├── GateFailed                exit 1: a policy gate (lint, scan, budget, verify) failed
    ├── BuildFailed               exit 1: the image build itself failed
    ├── ImmutableTagError         exit 1: a version tag already points at another digest
    └── EnvironmentProblem        exit 3: something the pipeline needs is not there
        ├── EngineUnavailable     the Docker engine does not answer
        └── RegistryUnavailable   the registry does not answer, or refuses us (status, code, url when known)
            └── RegistryError     the registry answered an HTTP error: status, OCI error code, redacted URL

Messages name the step that failed and never carry credentials or secret values.
"""

from __future__ import annotations

from typing import Any, TypeVar

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
    """The registry does not answer or refuses the request; `status`, `code` and `url` carry the evidence."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "", url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.url = url

    def within(self, step: str) -> RegistryUnavailable:
        """The same error (same class and evidence) with `step: ` in front of its message."""
        return _restore(type(self), (f"{step}: {self}",), dict(self.__dict__))

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (errors cross from scan worker processes) although subclasses take other arguments.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class RegistryError(RegistryUnavailable):
    """The registry answered with an HTTP error: its status, OCI error code and the redacted URL."""

    def __init__(self, status: int, code: str, url_redacted: str, message: str) -> None:
        super().__init__(message, status=status, code=code, url=url_redacted)

    @property
    def url_redacted(self) -> str:
        return self.url


_E = TypeVar("_E", bound=RegistryUnavailable)


def _restore(cls: type[_E], args: tuple[Any, ...], state: dict[str, Any]) -> _E:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err
