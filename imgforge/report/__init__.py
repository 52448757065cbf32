"""Image-size lint reports: one data model rendered as JSON, Markdown and a self-contained HTML page."""

from imgforge.report.model import SizeReport, build_size_report, compare_layers
from imgforge.report.render import render_html, render_markdown

__all__ = ["SizeReport", "build_size_report", "compare_layers", "render_html", "render_markdown"]
