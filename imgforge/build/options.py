"""What a build is asked to do: tags, args, target, labels, secrets and cache, validated before any I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from imgforge.errors import UsageError
from imgforge.gitinfo import last_change

Progress = Literal["auto", "plain", "tty", "quiet"]
_SECRETISH = re.compile(
    r"(^|_)(PASS|PASSWD|PASSWORD|SECRET|TOKEN|APIKEY|AUTH|CREDENTIALS?|PAT)(_|$)|API_KEY|PRIVATE_KEY|ACCESS_KEY",
    re.I,
)
OCI = "org.opencontainers.image"


@dataclass(frozen=True)
class Secret:
    """A BuildKit secret mount: read from a file (`src`) or an environment variable (`env`)."""

    id: str
    src: Path | None = None
    env: str | None = None

    def flag(self) -> str:
        """The value of `--secret` (names a file or variable, never the value itself)."""
        return f"id={self.id},src={self.src}" if self.src is not None else f"id={self.id},env={self.env}"

    @classmethod
    def parse(cls, text: str) -> Secret:
        """Parse `id=x,src=path` or `id=x,env=VAR` (the docker CLI syntax)."""
        fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
        if "id" not in fields or not (("src" in fields) ^ ("env" in fields)):
            raise UsageError(f"reading --secret {text!r}: expected id=NAME,src=FILE or id=NAME,env=VARIABLE")
        return cls(fields["id"], Path(fields["src"]) if "src" in fields else None, fields.get("env"))


@dataclass(frozen=True)
class BuildOptions:
    """Everything `build()` needs besides the context and Dockerfile."""

    tags: tuple[str, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[Secret, ...] = ()
    cache_from: tuple[str, ...] = ()
    cache_to: str | None = None
    no_cache: bool = False  # rebuild every step; BuildKit cache mounts are kept
    progress: Progress = "auto"
    builder: str | None = None


def check_build_args(args: Mapping[str, str]) -> None:
    """Refuse build args whose name looks like a secret: their values end up in the image history."""
    bad = sorted(name for name in args if _SECRETISH.search(name))
    if bad:
        raise UsageError(
            f"checking build args: {', '.join(bad)} looks like a secret; build args are stored in the image "
            f"history — pass it with --secret id={bad[0].lower()},env={bad[0]} and RUN --mount=type=secret"
        )


def created_timestamp(context: Path, env: Mapping[str, str]) -> str:
    """`created` label: SOURCE_DATE_EPOCH, else the time of the last commit touching the context, else now."""
    epoch = env.get("SOURCE_DATE_EPOCH")
    if not epoch:
        # The last commit that touched the context, not HEAD: commits elsewhere leave the image alone.
        epoch = last_change(context, "%ct") or ""
    try:
        moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    except ValueError as exc:
        raise UsageError(f"reading SOURCE_DATE_EPOCH {epoch!r}: not a Unix timestamp") from exc
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def git_revision(context: Path) -> str | None:
    """The last commit that changed the build context (so the revision label names its source)."""
    return last_change(context, "%H")


def oci_labels(*, title: str | None, version: str | None, revision: str | None, source: str | None,
               created: str) -> dict[str, str]:
    """The `org.opencontainers.image.*` labels that are known (unknown ones are left out, not empty)."""
    values = {"title": title, "version": version, "revision": revision, "source": source, "created": created}
    return {f"{OCI}.{key}": value for key, value in values.items() if value}
