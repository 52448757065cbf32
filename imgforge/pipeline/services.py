"""The edges one pipeline run does I/O through: the engine, the registry, and its dist/ folder.

Each is made once per run, on first use (a run that fails at lint never contacts the engine).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgforge.env.engine import Engine, ImageFacts, Selection, connect, selected
from imgforge.env.registry import default_registry
from imgforge.manifest.image import ImageConfig, RegistryAnswer, exposed_ports
from imgforge.reference import Reference
from imgforge.registry.client import RegistryClient

Content = str | bytes | dict[str, Any] | list[Any]


@dataclass
class Services:
    """The engine, registry address and client of one run (made lazily, once), and its progress sink."""

    say: Callable[[str], None]
    registry_option: str | None = None
    insecure: bool = False
    # The command's engine and builder (--context/--builder), with the project's build: settings under them.
    selection: Selection | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _registry: str | None = field(default=None, repr=False)
    _client: RegistryClient | None = field(default=None, repr=False)

    def engine(self, step: str) -> Engine:
        """The run's engine, connected on first use (EngineUnavailable names `step`)."""
        if self._engine is None:
            self._engine = connect(step, self.selection or selected())
        return self._engine

    def registry(self) -> str:
        """host:port of the target registry; starts the embedded one when none is configured."""
        if self._registry is None:
            if self.registry_option:
                self._registry = self.registry_option
            else:
                reg = default_registry()
                if not reg.answering():
                    self.say("no registry configured: starting the local one")
                    reg.up()
                self._registry = reg.address
        return self._registry

    def client(self) -> RegistryClient:
        """The registry client of the run (one connection pool, one auth state)."""
        if self._client is None:
            self._client = RegistryClient(self.registry(), insecure=self.insecure)
        return self._client


def write(out: Path, name: str, content: Content) -> Path:
    """Write one output file under `out` (dist/<image>/) and return its path."""
    path = out / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, (dict, list)):
        path.write_text(json.dumps(content, indent=2, default=str) + "\n", encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@dataclass(frozen=True)
class LocalImage:
    """The manifest's image source for a local image that is not pushed yet: pinned to its image id.

    Verify runs before any tag exists, so the manifest it runs under names the local image; the
    manifests written for release are emitted again after the push, pinned to the registry digest.
    """

    engine: Engine
    facts: ImageFacts

    def local_config(self, ref: str) -> ImageConfig | None:
        img = self.engine.docker.image.inspect(self.facts.id)
        return ImageConfig(exposed_ports=exposed_ports(img.config.exposed_ports), user=str(img.config.user or ""),
                           labels=tuple(sorted((img.config.labels or {}).items())),
                           repo_digests=self.facts.repo_digests)

    def registry_digest(self, ref: Reference) -> RegistryAnswer:
        return RegistryAnswer(self.facts.id, False)

    def registry_config(self, ref: Reference, digest: str) -> ImageConfig | None:
        return None
