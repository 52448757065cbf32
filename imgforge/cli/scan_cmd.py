"""`imgforge scan REF|FILE|DIR`: secrets and bloat in an image's layers, with policy gates for CI."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from imgforge.cli._common import InsecureOpt, console, console_err, escape, exit_with, print_json
from imgforge.errors import EXIT_GATE, ImgforgeError, UsageError
from imgforge.printable import printable
from imgforge.settings_peek import may_hold_section

if TYPE_CHECKING:
    from rich.console import Console

    from imgforge.env.engine import Engine

    from imgforge.scan import ScanReport
    from imgforge.scan.gates import Policy


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"


def _settings_file(project: Path) -> Path:
    """The settings file `--settings`/the project names: a YAML file itself, or the project's imgforge.yaml."""
    return project if project.is_file() or project.suffix in (".yaml", ".yml") else project / "imgforge.yaml"


def _policy(project: Path, overrides: dict[str, object]) -> Policy:
    given = {k: v for k, v in overrides.items() if v is not None and v is not False}
    if not given and not may_hold_section(_settings_file(project), "scan"):
        from imgforge.scan.gates import DEFAULT_POLICY

        return DEFAULT_POLICY
    from pydantic import ValidationError  # deferred: pydantic costs `scan --help` ~20 ms (python -X importtime)

    from imgforge.scan.policy import ScanPolicy
    from imgforge.settings import load_section

    base = load_section(project, "scan", ScanPolicy)
    data = base.model_dump(exclude_none=True)
    data.update(given)
    try:
        return ScanPolicy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"scan options: {problems}") from exc


@contextmanager
def _progress(image: str, engine: Engine | None) -> Iterator[Callable[[int], None] | None]:
    """A byte progress bar over the `docker save` stream of an engine image on a TTY; else a spinner."""
    if engine is None and not sys.stderr.isatty():
        # No bar and no spinner to draw: rich is not imported (~25 ms of a `scan ARCHIVE --json` process).
        yield None
        return
    size = _engine_size(image, engine) if console_err.is_terminal else None
    if size is None:
        with console_err.status(f"scanning {escape(image)}"):
            yield None
        return
    # deferred: only a bar needs it (rich.progress is ~8 ms of `scan --help`, python -X importtime)
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task(f"scanning {escape(image)}", total=size)
        seen = [0]

        def advance(n: int) -> None:
            seen[0] += n
            # The stream is the image plus tar headers: grow the total rather than run past it.
            bar.update(task, completed=seen[0], total=max(size, seen[0]))

        yield advance


def _engine_size(image: str, engine: Engine | None) -> int | None:
    """The engine's size of `image` when it is scanned from the engine, else None."""
    from imgforge.image import source_of

    if engine is None:
        return None
    try:
        facts = engine.image_facts(source_of(image)[1])
    except ImgforgeError:  # no size only means a spinner instead of a bar
        return None
    return facts.size or None if facts is not None else None


def _engine_for(image: str) -> Engine | None:
    """The engine, connected once, when `image` is scanned from it; None for archives, layouts, registries."""
    from imgforge.image import source_of

    kind, where = source_of(image)
    if kind != "daemon":
        return None
    from imgforge.env.engine import connect  # deferred: the engine client is needed only for an engine image

    return connect(f"scanning {where}")


def scan(
    image: Annotated[str, typer.Argument(help="Image reference, `docker save` archive, or OCI layout folder.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report here instead of stdout.")] = None,
    dockerfile: Annotated[Path | None, typer.Option(
        "--dockerfile", help="Map layers and findings to its lines.")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="JSON file of accepted secret fingerprints.")] = None,
    base_layers: Annotated[int | None, typer.Option(
        "--base-layers", help="How many bottom layers are the base image.")] = None,
    fail_on_secrets: Annotated[bool, typer.Option("--fail-on-secrets", help="Exit 1 when a secret is found.")] = False,
    max_wasted_bytes: Annotated[str | None, typer.Option(
        "--max-wasted-bytes", help="Exit 1 above this many wasted bytes (e.g. 10MB).")] = None,
    min_efficiency: Annotated[float | None, typer.Option(
        "--min-efficiency", help="Exit 1 below this efficiency (0..1).")] = None,
    max_size: Annotated[str | None, typer.Option(
        "--max-size", help="Exit 1 when the layers hold more than this (e.g. 200MB).")] = None,
    project: Annotated[Path, typer.Option(
        "--project", help="Folder (or file) of imgforge.yaml; its `scan:` section sets defaults.")] = Path("."),
    insecure: InsecureOpt = False,
) -> None:
    """Scan every layer (deleted files too) for secrets and wasted bytes; exit 1 when a gate fails.

    Example: imgforge scan app:1.2.3 --dockerfile Dockerfile --fail-on-secrets --min-efficiency 0.9
    --format sarif -o scan.sarif
    """
    from imgforge.scan import scan as run_scan

    policy = _policy(
        project,
        {
            "fail_on_secrets": fail_on_secrets,
            "max_wasted_bytes": max_wasted_bytes,
            "min_efficiency": min_efficiency,
            "max_size": max_size,
            "baseline": baseline,
            "base_layers": base_layers,
        },
    )
    if dockerfile is not None and not dockerfile.is_file():
        raise UsageError(f"scanning {image}: Dockerfile {dockerfile} does not exist")
    engine = _engine_for(image)
    with _progress(image, engine) as on_bytes:
        report = run_scan(image, dockerfile=dockerfile, policy=policy, on_bytes=on_bytes, engine=engine,
                          insecure=insecure)
    chosen = Format.json if json_out else fmt
    if chosen == Format.text and output is None:
        _print_text(report)
    else:
        text = _render(report, chosen)
        if output is None:
            if chosen in (Format.json, Format.sarif):
                print_json(json.loads(text))
            else:
                console.out(text, highlight=False)
        else:
            try:
                # surrogateescape: a name that was not UTF-8 in the image is written back as its bytes.
                output.write_text(text, encoding="utf-8", errors="surrogateescape")
            except OSError as exc:
                raise UsageError(f"writing the scan report to {output}: {exc.strerror or exc}") from exc
            console_err.print(f"wrote {chosen.value} report to {escape(printable(str(output)))}")
    for gate in report.gates:
        console_err.print(f"[red]gate failed:[/red] {escape(printable(gate))}")
    exit_with(EXIT_GATE if report.gates else 0)


def _render(report: ScanReport, fmt: Format) -> str:
    if fmt == Format.json:
        return json.dumps(report.to_json(), indent=2) + "\n"
    if fmt == Format.sarif:
        return json.dumps(report.to_sarif(), indent=2) + "\n"
    if fmt == Format.markdown:
        return report.to_markdown()
    from rich.console import Console  # deferred with the renderer (see _print_text)

    rec = Console(record=True, width=160, no_color=True)
    with rec.capture():
        _print_text(report, rec)
    return rec.export_text()


def _print_text(report: ScanReport, out: Console = console) -> None:
    # deferred: `scan --help` draws nothing; rich is imported on first output (see cli/_common.py)
    from rich.table import Table
    from rich.text import Text

    from imgforge.scan.report import human

    # Image content (paths, commands) goes in as Text: no markup or emoji codes are interpreted in it.
    out.print(Text(f"{printable(report.image)} ({report.source}): {human(report.total_bytes)} "
                   f"in {len(report.layers)} layers, {human(report.wasted_bytes)} wasted, "
                   f"efficiency {report.efficiency:.1%}", style="bold"))
    if report.user is not None:
        out.print(
            f"own layers (above {report.base_layers} base layers): {human(report.user.total_bytes)}, "
            f"{human(report.user.wasted_bytes)} wasted, efficiency {report.user.efficiency:.1%}"
        )
    layers = Table(title="layers")
    for col in ("#", "instruction", "line", "size", "wasted", "hides"):
        layers.add_column(col, justify="left" if col == "instruction" else "right")
    for r in report.layers:
        ins = printable((r.created_by or "?").removesuffix(" # buildkit"))
        layers.add_row(f"{r.index}{' base' if r.base else ''}", Text(ins[:100]), str(r.dockerfile_line or ""),
                       human(r.bytes), human(r.wasted_bytes), human(r.hidden_bytes))
    out.print(layers)
    if report.bloat:
        bloat = Table(title=f"bloat (largest {min(15, len(report.bloat))} of {len(report.bloat)})")
        for col in ("path", "size", "added", "hidden"):
            bloat.add_column(col)
        for b in report.bloat[:15]:
            bloat.add_row(Text(printable(b.path)), human(b.bytes), str(b.added_in), f"{b.removed_in} ({b.how})")
        out.print(bloat)
        groups: dict[tuple[int, int, str], list[int]] = {}
        for b in report.bloat:
            groups.setdefault((b.added_in, b.removed_in, b.fix), []).append(b.bytes)
        for (added, removed, fix), sizes in sorted(groups.items(), key=lambda kv: -sum(kv[1]))[:8]:
            out.print(Text(f"fix layers {added} -> {removed} ({len(sizes)} paths, {human(sum(sizes))}): "
                           f"{printable(fix)}"))
    if report.secrets:
        sec = Table(title=f"secrets ({len(report.secrets)})")
        for col in ("rule", "source", "where", "layer", "visible", "preview"):
            sec.add_column(col)
        for s in report.secrets:
            sec.add_row(Text(printable(s.rule)), s.source, Text(printable(s.path or s.name or "")),
                        "" if s.layer is None else str(s.layer), "no (deleted)" if s.deleted else "yes",
                        Text(printable(s.redacted)))
        out.print(sec)
    else:
        out.print("no secrets found" + (f" ({report.suppressed} accepted by baseline)" if report.suppressed else ""))
    for note in report.notes[:10]:
        out.print(Text(f"note: {printable(note)}", style="yellow"))


def register(app: typer.Typer) -> None:
    """Attach `imgforge scan` to the top-level app."""
    app.command("scan")(scan)
