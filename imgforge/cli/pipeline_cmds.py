"""`imgforge pipeline` (every stage, one or many projects) and `imgforge report` (image-size report)."""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table
from rich.text import Text

from imgforge.cli._common import InsecureOpt, console, console_err, exit_with, plain, print_json
from imgforge.cli._engine import BuilderOpt, ContextOpt, selected
from imgforge.errors import EXIT_GATE, UsageError

if TYPE_CHECKING:
    from imgforge.pipeline import PipelineResult
    from imgforge.lint.model import FailOn
    from imgforge.pipeline.state import Kind

FAIL_ON = ("error", "warning", "info", "never")


def pipeline(
    paths: Annotated[list[Path] | None, typer.Argument(help="Project folders (each with imgforge.yaml).")] = None,
    version: Annotated[
        str | None,
        typer.Option("--version", help="Semantic version (default: imgforge.yaml, else the latest vX.Y.Z git tag)."),
    ] = None,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry", help="host[:port] to push to (default: the embedded local registry, started when needed)."
        ),
    ] = None,
    dist: Annotated[
        Path, typer.Option("--dist", help="Where reports, manifests and pipeline.json go (dist/<image>/).")
    ] = Path("dist"),
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Lint severity that fails: error|warning|info|never.")
    ] = "error",
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=16, help="Projects built at once.")] = 1,
    push: Annotated[
        bool, typer.Option("--push/--no-push", help="Tag, push, emit manifests, verify and attach.")
    ] = True,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Run the image under its manifest and probe it.")
    ] = True,
    latest: Annotated[
        bool, typer.Option("--latest", help="Also move `latest` (only if this is the highest stable version).")
    ] = False,
    kind: Annotated[str, typer.Option("--kind", help="deployment (+ Service, ConfigMap) or pod.")] = "deployment",
    summary: Annotated[
        Path | None, typer.Option("--summary", help="Append a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY).")
    ] = None,
    github_output: Annotated[
        Path | None, typer.Option("--github-output", help="Append image=/digest= here ($GITHUB_OUTPUT).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    insecure: InsecureOpt = False,
    engine_context: ContextOpt = None,
    builder: BuilderOpt = None,
) -> None:
    """Run generate → lint → build → scan → report → tag → push → manifest → verify → attach.

    Stops a project at its first failed gate; exit 1 when a gate failed, 2 on bad settings, 3 when the
    engine or registry is missing.

    Example: imgforge pipeline samples/python-web --version 1.0.0
    Example: imgforge pipeline samples/* --version 2.1.0 --jobs 2 --summary "$GITHUB_STEP_SUMMARY"
    """
    from imgforge.pipeline import PipelineOptions, overall_exit, run_many

    if fail_on not in FAIL_ON:
        raise UsageError(f"reading --fail-on {fail_on!r}: expected error, warning, info or never")
    if kind != "pod" and kind != "deployment":
        raise UsageError(f"reading --kind {kind!r}: expected deployment or pod")
    projects = paths or [Path(".")]
    for p in projects:
        if not p.is_dir():
            raise UsageError(f"reading project {p}: not a folder")
    options = PipelineOptions(
        version=version,
        registry=registry,
        dist=dist,
        fail_on=cast("FailOn", fail_on),
        push=push,
        verify=verify,
        latest=latest,
        kind=cast("Kind", kind),
        insecure=insecure,
    )
    many = len(projects) > 1

    def say(project: str, msg: str) -> None:
        prefix = f"[{project}] " if many else ""
        console_err.print(plain(f"{prefix}{msg}"))

    # Each project's build: settings fill in what the options leave unset (in its build stage).
    with selected(engine_context, builder):
        results = run_many(projects, options, jobs=jobs, say=say)
    if json_out:
        print_json([r.to_json() for r in results])
    else:
        _print_results(results)
    if summary is not None:
        _append_summary(summary, results)
    if github_output is not None:
        first = next((r for r in results if r.digest), None)
        if first is not None:
            with open(github_output, "a", encoding="utf-8") as fh:
                fh.write(f"digest={first.digest}\nimage={first.tags[0].rsplit(':', 1)[0]}@{first.digest}\n")
    exit_with(overall_exit(results))


def _print_results(results: list[PipelineResult]) -> None:
    """One table per project; every cell that carries external text is plain `Text`."""
    for r in results:
        table = Table(title=plain(f"{r.project} → {r.image or '?'}"), title_justify="left")
        for col in ("stage", "status", "seconds", "detail"):
            table.add_column(col, overflow="fold")
        for s in r.stages:
            colour = {"ok": "green", "failed": "red", "skipped": "dim"}[s.status]
            table.add_row(s.name, Text(s.status, style=colour), f"{s.seconds:.1f}", plain(s.detail))
        console.print(table)
        failed = r.failed_stage
        if failed is None:
            console.print(
                Text.assemble(
                    ("ok", "green"),
                    f" {r.project}: {', '.join(r.tags) or 'not pushed'} in {r.seconds:.1f}s; outputs in {r.dist_dir}",
                )
            )
        else:
            console_err.print(plain(f"imgforge: {r.project}: {failed.name} failed: {failed.detail}"))


def _append_summary(path: Path, results: list[PipelineResult]) -> None:
    parts = ["# imgforge pipeline", ""]
    for r in results:
        mark = "✅" if r.ok else "❌"
        parts.append(f"## {mark} `{r.project}` → `{r.image}`")
        parts += ["", "| stage | status | seconds | detail |", "|---|---|---:|---|"]
        for s in r.stages:
            # One table row per stage: a build error's output tail spans lines, and its text is not ours.
            detail = html.escape(s.detail, quote=False).replace("|", "\\|").replace("\n", "<br>")
            parts.append(f"| {s.name} | {s.status} | {s.seconds:.1f} | {detail} |")
        report_md = Path(r.dist_dir) / "report.md" if r.dist_dir else None
        if report_md is not None and report_md.is_file():
            parts += ["", report_md.read_text(encoding="utf-8")]
        parts.append("")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n".join(parts) + "\n")


def report(
    image: Annotated[
        str, typer.Argument(help="Image: a local or registry reference, a docker-save archive or an OCI layout.")
    ],
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="Earlier image or scan JSON to compare with (default: the previous version tag in the same "
            "registry repository).",
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for report.html, report.md and report.json.")] = Path(
        "."
    ),
    fmt: Annotated[str, typer.Option("--format", help="What to print: text|json|markdown.")] = "text",
    max_size: Annotated[
        str | None, typer.Option("--max-size", help="Budget: fail above this total size (e.g. 200MB).")
    ] = None,
    max_growth: Annotated[
        str | None,
        typer.Option("--max-growth", help="Budget: fail when it grew more than this since the previous version."),
    ] = None,
    insecure: InsecureOpt = False,
) -> None:
    """Image-size report: layer chart, wasted bytes, efficiency, top files, secrets, change since the previous version.

    Example: imgforge report 127.0.0.1:5000/python-web:1.1.0 --out dist/report --max-growth 5MB
    """
    from imgforge.report import render_markdown
    from imgforge.report.cli import make_report

    size, written = make_report(image, previous, out, max_size, max_growth, insecure=insecure)
    if fmt == "json":
        print_json(size.to_json())
    elif fmt == "markdown":
        sys.stdout.write(render_markdown(size))
    else:
        console.print(
            plain(
                f"{size.image}: {size.total_bytes} bytes, {size.wasted_bytes} wasted, "
                f"efficiency {size.efficiency:.1%}"
                + (f", {size.total_delta:+d} bytes since {size.previous_image}" if size.previous_image else "")
            )
        )
        console.print(plain("wrote " + ", ".join(str(p) for p in written)))
    if size.budget_failures:
        console_err.print(plain("imgforge: size budget: " + "; ".join(size.budget_failures)))
    exit_with(EXIT_GATE if size.budget_failures else 0)


def register(app: typer.Typer) -> None:
    """Attach these commands to the top-level app."""
    app.command("pipeline")(pipeline)
    app.command("report")(report)
