"""The size report: figures from a scan report, budgets, and the change against the previous version.

Input is the scan report's JSON form (`imgforge scan --format json`), so a report can be made
from a live scan or from a stored artifact alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


class Budgets(BaseModel):
    """Size budgets from the `report:` section of imgforge.yaml; a breach fails the gate."""

    model_config = ConfigDict(extra="forbid")

    max_size: int | None = None  # bytes, total of all layers
    max_growth: int | None = None  # bytes, against the previous version
    max_growth_percent: float | None = None


@dataclass(frozen=True)
class LayerRow:
    """One layer as the report shows it, with its change against the matching previous layer."""

    index: int
    digest: str
    created_by: str
    bytes: int
    wasted_bytes: int
    previous_bytes: int | None = None

    @property
    def delta(self) -> int | None:
        return None if self.previous_bytes is None else self.bytes - self.previous_bytes


@dataclass(frozen=True)
class SizeReport:
    """Everything the three renderings share."""

    image: str
    total_bytes: int
    wasted_bytes: int
    efficiency: float
    layers: tuple[LayerRow, ...]
    top_files: tuple[dict[str, Any], ...]
    bloat: tuple[dict[str, Any], ...]
    secrets: tuple[dict[str, Any], ...]
    previous_image: str | None = None
    previous_total_bytes: int | None = None
    budget_failures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_delta(self) -> int | None:
        return None if self.previous_total_bytes is None else self.total_bytes - self.previous_total_bytes

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["layers"] = [{**asdict(row), "delta": row.delta} for row in self.layers]
        data["total_delta"] = self.total_delta
        data["gate"] = "fail" if self.budget_failures else "pass"
        return data


def compare_layers(current: list[dict[str, Any]], previous: list[dict[str, Any]] | None) -> list[int | None]:
    """For each current layer, the bytes of its previous counterpart (same digest, else instruction, else index)."""
    if previous is None:
        return [None] * len(current)
    by_digest = {p.get("digest"): p for p in previous if p.get("digest")}
    by_instruction: dict[str, dict[str, Any]] = {}
    for p in previous:
        by_instruction.setdefault(str(p.get("created_by", "")), p)
    out: list[int | None] = []
    for i, layer in enumerate(current):
        match = by_digest.get(layer.get("digest")) or by_instruction.get(str(layer.get("created_by", "")))
        if match is None and i < len(previous):
            match = previous[i]
        out.append(int(match["bytes"]) if match is not None else 0)
    return out


def _top_files(scan: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    files = scan.get("top_files")
    if files is None:
        # Older scan reports: the largest wasted paths are the best we have.
        files = [{"path": b["path"], "bytes": b["bytes"], "layer": b.get("added_in")} for b in scan.get("bloat", [])]
    return sorted(files, key=lambda f: -int(f.get("bytes", 0)))[:limit]


def build_size_report(
    scan: dict[str, Any],
    previous: dict[str, Any] | None = None,
    budgets: Budgets | None = None,
    top: int = 15,
) -> SizeReport:
    """Combine a scan report (JSON form), an optional previous one, and budgets into a SizeReport."""
    layers = list(scan.get("layers", []))
    prev_bytes = compare_layers(layers, previous.get("layers", []) if previous else None)
    rows = tuple(
        LayerRow(
            index=int(layer.get("index", i)),
            digest=str(layer.get("digest", "")),
            created_by=str(layer.get("created_by", "")),
            bytes=int(layer.get("bytes", 0)),
            wasted_bytes=int(layer.get("wasted_bytes", 0)),
            previous_bytes=prev_bytes[i],
        )
        for i, layer in enumerate(layers)
    )
    total = int(scan.get("total_bytes", sum(r.bytes for r in rows)))
    prev_total = int(previous["total_bytes"]) if previous and "total_bytes" in previous else None
    prev_image = str(previous.get("image")) if previous else None
    failures: list[str] = []
    budgets = budgets or Budgets()
    if budgets.max_size is not None and total > budgets.max_size:
        failures.append(f"size {total} bytes exceeds max_size {budgets.max_size}")
    if prev_total is not None:
        growth = total - prev_total
        if budgets.max_growth is not None and growth > budgets.max_growth:
            failures.append(f"grew {growth} bytes since {prev_image}, over max_growth {budgets.max_growth}")
        percent = growth * 100 / prev_total if prev_total else None
        if budgets.max_growth_percent is not None and percent is not None and percent > budgets.max_growth_percent:
            failures.append(
                f"grew {percent:.1f}% since {prev_image}, "
                f"over max_growth_percent {budgets.max_growth_percent}"
            )
    return SizeReport(
        image=str(scan.get("image", "")),
        total_bytes=total,
        wasted_bytes=int(scan.get("wasted_bytes", 0)),
        efficiency=float(scan.get("efficiency", 1.0)),
        layers=rows,
        top_files=tuple(_top_files(scan, top)),
        bloat=tuple(scan.get("bloat", [])),
        secrets=tuple(scan.get("secrets", [])),
        previous_image=prev_image,
        previous_total_bytes=prev_total,
        budget_failures=tuple(failures),
    )
