"""Release commands: build, tag, push, attach, artifacts — thin shells over the library."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.markup import escape
from rich.table import Table

from imgforge.cli._common import InsecureOpt, console, console_err, err, out, plain, print_json
from imgforge.cli._engine import BuilderOpt, ContextOpt, selected
from imgforge.errors import UsageError

if TYPE_CHECKING:
    from imgforge.build.options import Progress
    from imgforge.reference import Reference
    from imgforge.registry import RegistryClient
    from imgforge.tags import Bump, TagPlan

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
VersionOpt = Annotated[
    str | None,
    typer.Option("--version", help="Semantic version (default: imgforge.yaml, else the latest vX.Y.Z git tag)."),
]
BumpOpt = Annotated[
    str | None, typer.Option("--bump", help="major|minor|patch of the highest version in the registry.")
]
LatestOpt = Annotated[bool, typer.Option("--latest", help="Also move `latest` (only when highest stable).")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Extra moving tag, e.g. rc or edge.")]
ProjectOpt = Annotated[Path, typer.Option("--project", help="Project folder (imgforge.yaml, git).")]


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"reading {what} {item!r}: expected KEY=VALUE")
        out[key] = value
    return out


def _source_url(path: Path) -> str | None:
    from imgforge.gitinfo import git  # deferred like the other library imports: it loads settings (pydantic, yaml)

    url = git(path, "remote", "get-url", "origin")
    # A remote URL may embed credentials (https://user:token@host/...): never put them in a label.
    return re.sub(r"//[^/@]+@", "//", url) if url else None


def build_cmd(
    path: Annotated[Path, typer.Argument(help="Build context.")] = Path("."),
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Dockerfile (default PATH/Dockerfile).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Image tag (repeatable).")] = None,
    build_arg: Annotated[list[str] | None, typer.Option("--build-arg", help="KEY=VALUE (never secrets).")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Stage to build.")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Extra label KEY=VALUE.")] = None,
    secret: Annotated[list[str] | None, typer.Option("--secret", help="id=NAME,src=FILE or id=NAME,env=VAR.")] = None,
    cache_from: Annotated[list[str] | None, typer.Option("--cache-from", help="Cache source (image ref).")] = None,
    cache_to: Annotated[
        str | None, typer.Option("--cache-to", help="Cache export (type=inline on docker driver).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Run every step again (package cache mounts are kept).")
    ] = False,
    version: VersionOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="OCI title label (default: folder name).")] = None,
    progress: Annotated[str, typer.Option("--progress", help="auto|plain|tty|quiet.")] = "auto",
    json_out: JsonOpt = False,
    engine_context: ContextOpt = None,
    builder: BuilderOpt = None,
) -> None:
    """Build an image with BuildKit, with OCI labels, secrets, live progress and per-stage timing.

    Example: imgforge build . -t app:dev --secret id=npm,env=NPM_TOKEN --json
    """
    from imgforge.build import (
        BuildOptions,
        Secret,
        build,
        created_timestamp,
        git_revision,
        is_tty,
        oci_labels,
    )
    from imgforge.env.engine import require_engine
    from imgforge.env.engine import selected as current_selection
    from imgforge.push import project_version

    if progress not in ("auto", "plain", "tty", "quiet"):
        raise UsageError(f"reading --progress {progress!r}: expected auto, plain, tty or quiet")
    context = path.resolve()
    labels = oci_labels(
        title=title or context.name,
        version=version or project_version(context),
        revision=git_revision(context),
        source=_source_url(context),
        created=created_timestamp(context, os.environ),
    )
    labels.update(_pairs(label, "--label"))
    options = BuildOptions(
        tags=tuple(tag or ()),
        build_args=_pairs(build_arg, "--build-arg"),
        target=target,
        labels=labels,
        secrets=tuple(Secret.parse(s) for s in secret or ()),
        cache_from=tuple(cache_from or ()),
        cache_to=cache_to,
        no_cache=no_cache,
        progress=cast("Progress", progress),
    )
    mode = progress if progress != "auto" else ("tty" if is_tty() else "plain")
    dockerfile = (file or context / "Dockerfile").resolve()
    with selected(engine_context, builder, context):
        docker = require_engine("building")
        options = replace(options, builder=current_selection().builder)
        if mode == "tty":
            with console_err.status("building") as status:
                result = build(context, dockerfile, options, docker=docker,
                               on_step=lambda s: status.update(escape(s)))
        else:
            echo = (lambda line: console_err.out(line, highlight=False)) if mode == "plain" else None
            result = build(context, dockerfile, options, docker=docker, on_line=echo)
    if json_out:
        print_json(result.to_json())
        return
    table = Table(title=plain(f"built {result.image_id[:19]} in {result.seconds:.1f}s"))
    for col in ("stage", "seconds", "steps", "cached"):
        table.add_column(col)
    for s in result.stages:
        table.add_row(plain(s.stage), f"{s.seconds:.1f}", str(s.steps), str(s.cached))
    console.print(table)
    out(f"image id {result.image_id}" + (f"; tags {', '.join(result.tags)}" if result.tags else ""))


def _plan(
    target_text: str,
    version: str | None,
    bump: str | None,
    latest: bool,
    channel: str | None,
    project: Path,
    insecure: bool,
) -> tuple[Reference, RegistryClient, TagPlan, dict[str, str]]:
    from imgforge.gitinfo import project_sha  # deferred (see _source_url): it loads settings (pydantic, yaml)
    from imgforge.push import existing_tags, project_version
    from imgforge.reference import Reference
    from imgforge.registry import RegistryClient
    from imgforge.tags import bump_version, plan_tags

    target = Reference.parse(target_text)
    if not target.registry or target.tag or target.digest:
        raise UsageError(f"reading target {target_text!r}: expected REGISTRY/REPOSITORY without tag or digest")
    if version and bump:
        raise UsageError("planning tags: give --version or --bump, not both")
    if bump and bump not in ("major", "minor", "patch"):
        raise UsageError(f"reading --bump {bump!r}: expected major, minor or patch")
    client = RegistryClient(target.registry, insecure=insecure)
    existing = existing_tags(client, target.repository)
    if bump:
        version = bump_version(existing, cast("Bump", bump))
    version = version or project_version(project)
    if not version:
        raise UsageError("planning tags: no version (give --version or --bump, set `version:` in imgforge.yaml, "
                         "or tag the commit vX.Y.Z)")
    sha = project_sha(project)  # the project's own repository, never the cwd's; none outside git
    return target, client, plan_tags(version, existing, git_sha=sha, latest=latest, channel=channel), existing


def _print_plan(target: Reference, plan: TagPlan, existing: dict[str, str]) -> None:
    from imgforge.tags import versions_at  # deferred with the other library imports (see cli/_common.py)

    table = Table(title=plain(f"tags for {target.name} {plan.version}"))
    for col in ("tag", "kind", "action", "points at now"):
        table.add_column(col)
    for t in plan.tags:
        names = versions_at(t.current, existing)
        now = f"{t.current} ({', '.join(names)})" if t.current and names else (t.current or "-")
        table.add_row(plain(t.tag), t.kind, t.action, plain(now))
    for tag, why in plan.skipped:
        table.add_row(plain(tag), "floating", "left alone", plain(why))
    console.print(table)


def tag_cmd(
    target: Annotated[str, typer.Argument(help="REGISTRY/REPOSITORY the tags live in.")],
    version: VersionOpt = None,
    bump: BumpOpt = None,
    latest: LatestOpt = False,
    channel: ChannelOpt = None,
    image: Annotated[str | None, typer.Option("--image", help="Also tag this local image with the set.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the plan.")] = False,
    project: ProjectOpt = Path("."),
    insecure: InsecureOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Plan the semver tag set against the registry: every tag created or moved, and where it points now.

    Example: imgforge tag 127.0.0.1:5000/app --bump minor --latest --dry-run
    """
    tgt, _, plan, existing = _plan(target, version, bump, latest, channel, project, insecure)
    if image and not dry_run:
        from imgforge.env.engine import connect

        engine = connect(f"tagging {image}")
        for t in plan.tags:
            engine.tag(image, f"{tgt.name}:{t.tag}")
    if json_out:
        print_json(plan.to_json())  # the one shape, as in pipeline.json
    else:
        _print_plan(tgt, plan, existing)


def push_cmd(
    image: Annotated[str, typer.Argument(help="Local image (id or tag).")],
    to: Annotated[str, typer.Option("--to", help="REGISTRY/REPOSITORY to push to.")],
    version: VersionOpt = None,
    bump: BumpOpt = None,
    latest: LatestOpt = False,
    channel: ChannelOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; push nothing.")] = False,
    project: ProjectOpt = Path("."),
    insecure: InsecureOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Push an image and its tag set; exact version tags are immutable. Credentials: Docker config or env.

    Example: IMGFORGE_REGISTRY_USER=ci IMGFORGE_REGISTRY_PASSWORD=... imgforge push app:dev --to 127.0.0.1:5000/app --version 1.2.3
    """  # noqa: E501 - a copyable example command
    from imgforge.env.engine import require_engine
    from imgforge.push import push_image

    tgt, client, plan, existing = _plan(to, version, bump, latest, channel, project, insecure)
    if dry_run:
        print_json(plan.to_json()) if json_out else _print_plan(tgt, plan, existing)
        return
    docker = require_engine(f"pushing {image}")
    result = push_image(image, tgt, plan, client=client, docker=docker, say=(lambda _m: None) if json_out else err)
    if json_out:
        print_json(result.to_json())
        return
    for t in result.tags:
        out(f"{result.repository}:{t.tag} {t.action}" + (f" (was {t.before})" if t.action == "moved" else ""))
    out(f"pushed {result.reference}" + ("" if result.uploaded else " (already there, nothing uploaded)"))


def attach_cmd(
    image: Annotated[str, typer.Argument(help="REGISTRY/REPO@DIGEST (or :TAG) the files describe.")],
    files: Annotated[list[Path], typer.Argument(help="Files: scan report, manifests, Dockerfile.")],
    artifact_type: Annotated[str, typer.Option("--type", help="Artifact type.")] = "",
    insecure: InsecureOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Push files as an OCI artifact referring to the image (referrers API or the sha256-<hex> tag fallback).

    Example: imgforge attach 127.0.0.1:5000/app@sha256:... report.json Dockerfile
    """
    from imgforge.artifacts import REPORTS_TYPE, attach

    digest = attach(image, files, artifact_type or REPORTS_TYPE, insecure=insecure)
    if json_out:
        print_json({"image": image, "artifact": digest, "type": artifact_type or REPORTS_TYPE})
    else:
        out(f"attached {len(files)} file(s) to {image}: {digest}")


def artifacts_cmd(
    image: Annotated[str, typer.Argument(help="REGISTRY/REPO@DIGEST or :TAG.")],
    artifact_type: Annotated[str | None, typer.Option("--type", help="Only this artifact type.")] = None,
    insecure: InsecureOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """List the artifacts that refer to an image.

    Example: imgforge artifacts 127.0.0.1:5000/app:1.2.3 --json
    """
    from imgforge.artifacts import list_artifacts

    found = list_artifacts(image, artifact_type=artifact_type, insecure=insecure)
    if json_out:
        print_json(
            [
                {
                    "digest": a.digest,
                    "type": a.artifact_type,
                    "size": a.size,
                    "files": list(a.files),
                    "annotations": a.annotations,
                }
                for a in found
            ]
        )
        return
    table = Table(title=plain(f"artifacts of {image}"))
    for col in ("digest", "type", "files"):
        table.add_column(col)
    for a in found:
        table.add_row(plain(a.digest), plain(a.artifact_type), plain(", ".join(a.files)))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach these commands to the top-level app."""
    app.command("build")(build_cmd)
    app.command("tag")(tag_cmd)
    app.command("push")(push_cmd)
    app.command("attach")(attach_cmd)
    app.command("artifacts")(artifacts_cmd)
