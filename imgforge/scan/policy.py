"""The scan policy (`scan:` section of imgforge.yaml, or CLI flags), validated with pydantic."""

from __future__ import annotations

from pydantic import BaseModel, ByteSize, ConfigDict, Field

from imgforge.scan.gates import evaluate, load_baseline

__all__ = ["ScanPolicy", "evaluate", "load_baseline"]


class ScanPolicy(BaseModel):
    """Gates and knobs of a scan; sizes accept `500MB`, `1.5GiB` or plain bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_on_secrets: bool = False
    max_wasted_bytes: ByteSize | None = None
    min_efficiency: float | None = Field(default=None, ge=0.0, le=1.0)
    max_size: ByteSize | None = None
    baseline: str | None = None
    base_layers: int | None = Field(default=None, ge=0)
    max_layer_bytes: ByteSize = ByteSize(64 << 30)
    max_ratio: float = Field(default=1000.0, gt=1.0)
    jobs: int = Field(default=2, ge=1, le=64)
