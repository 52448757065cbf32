"""`imgforge report IMAGE`: scan, find the previous version, compare, write the three renderings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ByteSize, ValidationError

from imgforge.errors import UsageError
from imgforge.report.model import Budgets, SizeReport, build_size_report
from imgforge.report.previous import previous_version
from imgforge.report.render import render_html, render_markdown
from imgforge.scan import scan


class _Size(BaseModel):
    value: ByteSize


def parse_size(text: str | None, what: str) -> int | None:
    """`200MB`, `1.5GiB` or plain bytes; None stays None."""
    if text is None:
        return None
    try:
        return int(_Size.model_validate({"value": text}).value)
    except ValidationError as exc:
        raise UsageError(f"reading {what} {text!r}: not a size (e.g. 200MB, 1.5GiB, 1048576)") from exc


def _scan_doc(source: str, insecure: bool = False) -> dict[str, Any]:
    doc = scan(source, insecure=insecure).to_json()
    doc["image"] = source
    return doc


def make_report(
    image: str, previous: str | None, out: Path, max_size: str | None, max_growth: str | None, *,
    insecure: bool = False,
) -> tuple[SizeReport, list[Path]]:
    """Scan `image` (and the previous version), build the report, write html/md/json into `out`.

    `insecure`: plain http to the registry, for the scans and the previous-version lookup alike.
    """
    budgets = Budgets(max_size=parse_size(max_size, "--max-size"), max_growth=parse_size(max_growth, "--max-growth"))
    current = _scan_doc(image, insecure)
    prev_doc: dict[str, Any] | None = None
    if previous and previous.endswith(".json") and Path(previous).is_file():
        try:
            prev_doc = json.loads(Path(previous).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"reading previous report {previous}: {exc}") from exc
    else:
        prev_ref = previous or previous_version(image, insecure=insecure)
        if prev_ref:
            prev_doc = _scan_doc(prev_ref, insecure)
    size = build_size_report(current, prev_doc, budgets)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "report.html", out / "report.md", out / "report.json"]
        written[0].write_text(render_html(size), encoding="utf-8")
        written[1].write_text(render_markdown(size), encoding="utf-8")
        written[2].write_text(json.dumps(size.to_json(), indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"writing the report to {out}: {exc}") from exc
    return size, written
