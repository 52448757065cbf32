"""The scan report (frozen) and its machine formats: JSON, SARIF 2.1.0 and Markdown.

Secret values never reach a report: findings carry only the detector's redacted preview and fingerprint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from imgforge.printable import printable

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BLOAT_RULE = "imgforge.bloat"


@dataclass(frozen=True)
class LayerRow:
    """One layer of the report (index 0 is the bottom layer)."""

    index: int
    digest: str
    created_by: str | None
    dockerfile_line: int | None
    base: bool
    bytes: int
    wasted_bytes: int
    hidden_bytes: int
    files: int
    whiteouts: int


@dataclass(frozen=True)
class BloatItem:
    """A wasted file version, the layers that added and hid it, and how to avoid it."""

    path: str
    added_in: int
    removed_in: int
    bytes: int
    how: str
    fix: str


@dataclass(frozen=True)
class SecretFinding:
    """A secret found in a file (any layer, visible or not), an ENV value, a label or a history line."""

    rule: str
    description: str
    source: str
    path: str | None
    name: str | None
    layer: int | None
    deleted: bool
    line: int | None
    redacted: str
    fingerprint: str
    dockerfile_line: int | None = None


@dataclass(frozen=True)
class Figures:
    """Totals over a set of layers."""

    total_bytes: int
    wasted_bytes: int
    efficiency: float


@dataclass(frozen=True)
class ScanReport:
    """Everything one scan found; `gates` lists policy gates that failed (empty when none or no policy)."""

    image: str
    source: str
    image_id: str
    total_bytes: int
    wasted_bytes: int
    efficiency: float
    layers: tuple[LayerRow, ...]
    bloat: tuple[BloatItem, ...]
    secrets: tuple[SecretFinding, ...]
    suppressed: int = 0
    base_layers: int | None = None
    user: Figures | None = None
    dockerfile: str | None = None
    notes: tuple[str, ...] = ()
    gates: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see README, section Scan, for the fields)."""
        doc = asdict(self)
        doc["layers"] = [asdict(r) for r in self.layers]
        doc["bloat"] = [asdict(b) for b in self.bloat]
        doc["secrets"] = [asdict(s) for s in self.secrets]
        doc["user"] = asdict(self.user) if self.user else None
        doc["notes"] = list(self.notes)
        doc["gates"] = list(self.gates)
        return doc

    def to_markdown(self, bloat_rows: int = 20) -> str:
        """A Markdown summary for CI job summaries and pull-request comments."""
        out = [f"## imgforge scan: `{_md(self.image)}`", ""]
        out.append(f"**{human(self.total_bytes)}** in {len(self.layers)} layers, "
                   f"**{human(self.wasted_bytes)} wasted**, efficiency **{self.efficiency:.1%}**, "
                   f"**{len(self.secrets)} secret finding(s)**"
                   + (f" ({self.suppressed} accepted by baseline)" if self.suppressed else ""))
        if self.user is not None:
            out.append(f"\nOwn layers (above {self.base_layers} base layers): {human(self.user.total_bytes)}, "
                       f"{human(self.user.wasted_bytes)} wasted, efficiency {self.user.efficiency:.1%}")
        if self.gates:
            out += ["", "### Failed gates", ""] + [f"- {_md(g)}" for g in self.gates]
        if self.secrets:
            out += ["", "### Secrets", "", "| rule | where | layer | still visible | preview |",
                    "|---|---|---|---|---|"]
            for s in self.secrets:
                where = f"{s.source} `{_md(s.path or s.name or '')}`"
                layer = "" if s.layer is None else str(s.layer)
                visible = "no (deleted)" if s.deleted else "yes"
                out.append(f"| {_md(s.rule)} | {where} | {layer} | {visible} | `{_md(s.redacted)}` |")
        out += ["", "### Layers", "", "| # | instruction | size | wasted | hides |", "|---|---|---|---|---|"]
        for r in self.layers:
            ins = _md((r.created_by or "?")[:80])
            where = f" (line {r.dockerfile_line})" if r.dockerfile_line else ""
            out.append(f"| {r.index}{' (base)' if r.base else ''} | `{ins}`{where} | {human(r.bytes)} | "
                       f"{human(r.wasted_bytes)} | {human(r.hidden_bytes)} |")
        if self.bloat:
            out += ["", f"### Bloat (largest {min(bloat_rows, len(self.bloat))} of {len(self.bloat)})", "",
                    "| path | size | added in | hidden in | fix |", "|---|---|---|---|---|"]
            for b in self.bloat[:bloat_rows]:
                out.append(f"| `{_md(b.path)}` | {human(b.bytes)} | {b.added_in} | {b.removed_in} ({b.how}) "
                           f"| {_md(b.fix)} |")
        return "\n".join(out) + "\n"

    def to_sarif(self, bloat_results: int = 50) -> dict[str, Any]:
        """SARIF 2.1.0: secrets as errors, the largest bloat as warnings, located on Dockerfile lines when known."""
        rules: dict[str, dict[str, Any]] = {}
        results = []
        for s in self.secrets:
            rules.setdefault(s.rule, {"id": s.rule, "shortDescription": {"text": s.description or s.rule}})
            where = s.path or s.name or ""
            text = (f"{s.description or s.rule} in {s.source} {where}"
                    + (f" (layer {s.layer}{', deleted later but still shipped' if s.deleted else ''})"
                       if s.layer is not None else "")
                    + f": {s.redacted}")
            results.append(self._result(s.rule, "error", text, s.dockerfile_line, where,
                                        {"source": s.source, "layer": s.layer, "deleted": s.deleted},
                                        s.fingerprint))
        if self.bloat:
            rules[BLOAT_RULE] = {"id": BLOAT_RULE,
                                 "shortDescription": {"text": "file shipped in a layer but not visible"}}
        lines = {r.index: r.dockerfile_line for r in self.layers}
        for b in self.bloat[:bloat_results]:
            text = (f"{b.path}: {human(b.bytes)} added in layer {b.added_in}, {b.how} in layer {b.removed_in}. "
                    f"Fix: {b.fix}")
            results.append(self._result(BLOAT_RULE, "warning", text, lines.get(b.added_in), b.path,
                                        {"bytes": b.bytes, "added_in": b.added_in, "removed_in": b.removed_in}, None))
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "imgforge-scan", "informationUri": "https://example.invalid/imgforge",
                                    "rules": list(rules.values())}},
                "results": results,
            }],
        }

    def _result(self, rule: str, level: str, text: str, line: int | None, where: str, props: dict[str, Any],
                fingerprint: str | None) -> dict[str, Any]:
        result: dict[str, Any] = {"ruleId": rule, "level": level, "message": {"text": text}, "properties": props}
        if self.dockerfile and line:
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": self.dockerfile},
                                                         "region": {"startLine": line}}}]
        else:
            result["locations"] = [{"logicalLocations": [{"fullyQualifiedName": f"{self.image}:{where}"}]}]
        if fingerprint:
            result["partialFingerprints"] = {"imgforgeSecret/v1": fingerprint}
        return result


def _md(text: str) -> str:
    return printable(text.replace("\n", " ")).replace("|", "\\|").replace("`", "'")


def human(n: int) -> str:
    """Bytes for people: 1.5 MB (decimal units, as docker prints them)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"
