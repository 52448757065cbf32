"""Render a SizeReport as Markdown (PR comments, step summaries) and self-contained HTML (no network)."""

from __future__ import annotations

from html import escape

from imgforge.report.model import SizeReport


def human(n: int | None) -> str:
    """Bytes for people: 1536 -> '1.5 KiB'."""
    if n is None:
        return "—"
    sign = "-" if n < 0 else ""
    value = float(abs(n))
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{sign}{value:.0f} {unit}" if unit == "B" else f"{sign}{value:.1f} {unit}"
        value /= 1024
    return f"{sign}{value:.1f} GiB"


def _delta(n: int | None) -> str:
    if n is None:
        return "new" if n is None else ""
    return "±0" if n == 0 else ("+" if n > 0 else "") + human(n)


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: SizeReport) -> str:
    """GitHub-flavoured Markdown: headline, layers, bloat, top files, secrets, gate."""
    gate = "❌ fail" if report.budget_failures else "✅ pass"
    lines = [
        f"## Image size: `{report.image}`",
        "",
        "| total | wasted | efficiency | change | gate |",
        "|---:|---:|---:|---:|---|",
        f"| {human(report.total_bytes)} | {human(report.wasted_bytes)} | {report.efficiency:.1%} | "
        f"{_delta(report.total_delta) if report.previous_image else 'first version'} | {gate} |",
        "",
    ]
    if report.previous_image:
        lines += [f"Compared with `{report.previous_image}` ({human(report.previous_total_bytes)}).", ""]
    for failure in report.budget_failures:
        lines.append(f"- **budget:** {failure}")
    if report.budget_failures:
        lines.append("")
    lines += ["### Layers", "", "| # | instruction | size | wasted | change |", "|---:|---|---:|---:|---:|"]
    for row in report.layers:
        change = _delta(row.delta) if report.previous_image else ""
        lines.append(
            f"| {row.index} | `{_md_cell(_short(row.created_by, 70))}` | {human(row.bytes)} | "
            f"{human(row.wasted_bytes)} | {change} |"
        )
    if report.bloat:
        lines += ["", "### Wasted bytes (shipped but not visible)", "", "| path | added in | hidden in | bytes |",
                  "|---|---:|---:|---:|"]
        for item in report.bloat[:20]:
            lines.append(
                f"| `{_md_cell(str(item.get('path')))}` | {item.get('added_in')} | {item.get('removed_in')} | "
                f"{human(int(item.get('bytes', 0)))} |"
            )
    if report.top_files:
        lines += ["", "### Largest files", "", "| path | layer | bytes |", "|---|---:|---:|"]
        for f in report.top_files:
            lines.append(f"| `{_md_cell(str(f.get('path')))}` | {f.get('layer')} | {human(int(f.get('bytes', 0)))} |")
    lines += ["", "### Secrets", ""]
    if report.secrets:
        lines += ["| rule | where | layer | still visible | preview |", "|---|---|---:|---|---|"]
        for s in report.secrets:
            where = s.get("path") or s.get("name") or ""
            lines.append(
                f"| {s.get('rule')} | {s.get('source')}: `{_md_cell(str(where))}` | {s.get('layer')} | "
                f"{'no (deleted)' if s.get('deleted') else 'yes'} | `{_md_cell(str(s.get('redacted')))}` |"
            )
    else:
        lines.append("None found.")
    return "\n".join(lines) + "\n"


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2330;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d8dde6;border-radius:8px;padding:.7rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.3rem}.fail{color:#b42318}.pass{color:#067647}
table{border-collapse:collapse;width:100%;margin-top:.5rem}
th,td{border-bottom:1px solid #e5e8ee;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}code{font:12px ui-monospace,Menlo,monospace}
svg text{font:11px ui-monospace,Menlo,monospace;fill:#1d2330}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
"""

# Records the chart's rendered size on <body>, so a headless browser test can read it back.
_SCRIPT = (
    "window.addEventListener('load',function(){var c=document.getElementById('layer-chart');"
    "if(c){var r=c.getBoundingClientRect();document.body.setAttribute('data-chart-width',Math.round(r.width));"
    "document.body.setAttribute('data-chart-height',Math.round(r.height));}});"
)


def _chart(report: SizeReport) -> str:
    rows = report.layers
    bar_h, gap, label_w, width = 18, 6, 330, 900
    height = max(1, len(rows)) * (bar_h + gap) + 10
    biggest = max([r.bytes for r in rows] + [r.previous_bytes or 0 for r in rows] + [1])
    scale = (width - label_w - 90) / biggest
    parts = [
        f'<svg id="layer-chart" role="img" aria-label="bytes per layer" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, row in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        used = max(0.0, (row.bytes - row.wasted_bytes) * scale)
        waste = row.wasted_bytes * scale
        label = escape(f"{row.index}: {_short(row.created_by, 44)}")
        parts.append(f'<text x="0" y="{y + 13}">{label}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{used:.1f}" height="{bar_h}" fill="#3b6fd8"><title>'
                     f'{escape(human(row.bytes))}</title></rect>')
        if waste:
            parts.append(f'<rect x="{label_w + used:.1f}" y="{y}" width="{waste:.1f}" height="{bar_h}" fill="#e0763b">'
                         f'<title>wasted {escape(human(row.wasted_bytes))}</title></rect>')
        if row.previous_bytes is not None:
            px = label_w + row.previous_bytes * scale
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="#1d2330" '
                         'stroke-dasharray="3,2"/>')
        parts.append(f'<text x="{label_w + used + waste + 6:.1f}" y="{y + 13}">{escape(human(row.bytes))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"n" if i in numeric else ""}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: SizeReport) -> str:
    """One self-contained HTML page (inline CSS and SVG, a CSP that forbids any network fetch)."""
    gate_cls = "fail" if report.budget_failures else "pass"
    cards = [
        ("total size", human(report.total_bytes)),
        ("wasted", human(report.wasted_bytes)),
        ("efficiency", f"{report.efficiency:.1%}"),
        ("change", _delta(report.total_delta) if report.previous_image else "first version"),
        ("secrets", str(len(report.secrets))),
    ]
    card_html = "".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
    card_html += f'<div class="card">gate<b class="{gate_cls}">{gate_cls}</b></div>'
    layers = _table(
        ["#", "instruction", "size", "wasted", "change"],
        [[str(r.index), f"<code>{escape(_short(r.created_by, 120))}</code>", human(r.bytes), human(r.wasted_bytes),
          _delta(r.delta) if report.previous_image else ""] for r in report.layers],
        {0, 2, 3, 4},
    )
    bloat = _table(
        ["path", "added in", "hidden in", "bytes"],
        [[f"<code>{escape(str(b.get('path')))}</code>", escape(str(b.get("added_in"))),
          escape(str(b.get("removed_in"))),
          human(int(b.get("bytes", 0)))] for b in report.bloat[:50]],
        {1, 2, 3},
    ) if report.bloat else "<p>No wasted bytes.</p>"
    top = _table(
        ["path", "layer", "bytes"],
        [[f"<code>{escape(str(f.get('path')))}</code>", escape(str(f.get("layer"))), human(int(f.get("bytes", 0)))]
         for f in report.top_files],
        {1, 2},
    ) if report.top_files else "<p>No files.</p>"
    secrets = _table(
        ["rule", "source", "where", "layer", "still visible", "preview"],
        [[escape(str(s.get("rule"))), escape(str(s.get("source"))),
          f"<code>{escape(str(s.get('path') or s.get('name')))}</code>",
          escape(str(s.get("layer"))), "no (deleted)" if s.get("deleted") else "yes",
          f"<code>{escape(str(s.get('redacted')))}</code>"] for s in report.secrets],
        {3},
    ) if report.secrets else "<p>None found.</p>"
    failures = "".join(f'<li class="fail">{escape(f)}</li>' for f in report.budget_failures)
    compared = (
        f"<p>Compared with <code>{escape(report.previous_image)}</code> ({human(report.previous_total_bytes)}); "
        "the dashed line marks each layer's previous size.</p>" if report.previous_image else ""
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>imgforge size report: {escape(report.image)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Image size report: <code>{escape(report.image)}</code></h1><div class=\"cards\">{card_html}</div>"
        f"{'<ul>' + failures + '</ul>' if failures else ''}{compared}"
        "<h2>Bytes per layer</h2><div class=\"legend\"><span style=\"background:#3b6fd8\"></span>visible"
        "<span style=\"background:#e0763b\"></span>wasted (shipped, not visible)</div>"
        f"{_chart(report)}<h2>Layers</h2>{layers}<h2>Wasted bytes</h2>{bloat}<h2>Largest files</h2>{top}"
        f"<h2>Secrets</h2>{secrets}<script>{_SCRIPT}</script></body></html>\n"
    )
