"""The pipeline's stages over a shared Context; each returns a one-line detail or raises ImgforgeError."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from imgforge.errors import GateFailed, ImgforgeError, UsageError
from imgforge.gitinfo import head_sha
from imgforge.pipeline.runner import Context


def enabled(name: str, ctx: Context) -> bool:
    """Whether a stage runs under the options (push and what needs the pushed digest can be turned off)."""
    opts = ctx.options
    if name in ("tag", "push", "manifest", "attach"):
        return opts.push
    if name == "verify":
        return opts.push and opts.verify
    return True


def why_skipped(name: str, ctx: Context) -> str:
    return "--no-verify" if name == "verify" and ctx.options.push else "--no-push"


# --- generate ----------------------------------------------------------------------------------------------


def generate(ctx: Context) -> str:
    from imgforge.generate import generate as render
    from imgforge.generate import write_files
    from imgforge.project import load_project
    from imgforge.push import project_version
    from imgforge.settings import load_raw

    project = load_project(ctx.project_dir)
    ctx.data["project"] = project
    version = ctx.options.version or project.version() or project_version(ctx.project_dir)
    if not version:
        raise UsageError(
            f"choosing the version of {ctx.project_dir}: give --version, `version:` in imgforge.yaml or a vX.Y.Z git tag"
        )
    from imgforge.tags import parse_version

    parse_version(version)  # a bad version is a usage error before anything is built
    ctx.data["version"] = version
    ctx.result.image = project.image_name
    ctx.result.dist_dir = str((ctx.options.dist / project.image_name).resolve())
    own = load_raw(ctx.project_dir).get("dockerfile")
    if own:
        dockerfile = (project.root / str(own)).resolve()
        if not dockerfile.is_file():
            raise UsageError(f"reading settings {project.settings_file}: dockerfile: {own} does not exist")
        ctx.data["dockerfile"] = dockerfile
        ctx.write("Dockerfile", dockerfile.read_text(encoding="utf-8"))
        return f"kept the project's own {own}"
    files = render(project)
    changed = write_files(project, files)
    ctx.data["dockerfile"] = project.root / "Dockerfile"
    ctx.write("Dockerfile", files.dockerfile)
    ctx.write(".dockerignore", files.dockerignore)
    return f"recipe {project.settings.recipe}: " + (f"wrote {', '.join(changed)}" if changed else "Dockerfile up to date")


# --- lint --------------------------------------------------------------------------------------------------


def lint(ctx: Context) -> str:
    from imgforge.lint import lint_file, load_config

    report = lint_file(ctx.data["dockerfile"], load_config(ctx.project_dir))
    ctx.data["lint"] = report
    ctx.write("lint.json", report.to_json())
    ctx.write("lint.sarif", report.to_sarif())
    counts = report.counts
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
    if report.failed(ctx.options.fail_on):  # type: ignore[arg-type]
        first = next((f for f in report.findings), None)
        where = f"; first: line {first.line} {first.rule}: {first.message}" if first else ""
        raise GateFailed(f"lint gate (--fail-on {ctx.options.fail_on}): {summary}{where}")
    return summary


# --- build -------------------------------------------------------------------------------------------------


def build(ctx: Context) -> str:
    from imgforge.build import (
        BuildOptions,
        build,
        created_timestamp,
        git_revision,
        oci_labels,
    )
    from imgforge.env.engine import require_engine

    project = ctx.data["project"]
    version = ctx.data["version"]
    revision = git_revision(project.root)
    ctx.data["revision"] = revision
    labels = oci_labels(
        title=project.image_name, version=version, revision=revision, source=project.settings.image.source,
        created=created_timestamp(project.root, os.environ),
    )
    labels = {**project.labels(), **labels}
    local = f"imgforge-pipeline/{project.image_name}:{version}"
    options = BuildOptions(tags=(local,), labels=labels, progress="plain")
    docker = require_engine(f"building {project.image_name}")
    result = build(project.root, ctx.data["dockerfile"], options, docker=docker, on_step=ctx.say)
    ctx.data["local_image"] = local
    ctx.data["build"] = result
    ctx.write("build.json", result.to_json())
    cached = sum(s.cached for s in result.stages)
    return f"{local} ({result.image_id[:19]}) in {result.seconds:.1f}s, {cached} cached steps"


# --- scan and report ---------------------------------------------------------------------------------------


def _scan_policy(ctx: Context) -> Any:
    from imgforge.scan import ScanPolicy
    from imgforge.settings import load_raw, load_section

    policy = load_section(ctx.project_dir, "scan", ScanPolicy)
    raw = load_raw(ctx.project_dir).get("scan") or {}
    # In the pipeline a leaked secret stops the release unless the project says otherwise.
    if "fail_on_secrets" not in raw:
        policy = policy.model_copy(update={"fail_on_secrets": True})
    if policy.baseline and not Path(policy.baseline).is_absolute():
        policy = policy.model_copy(update={"baseline": str(ctx.project_dir / policy.baseline)})
    return policy


def scan(ctx: Context) -> str:
    from imgforge.scan import evaluate
    from imgforge.scan import scan as scan_image

    policy = _scan_policy(ctx)
    report = scan_image(ctx.data["local_image"], dockerfile=ctx.data["dockerfile"], policy=policy)
    ctx.data["scan"] = report
    ctx.write("scan.json", report.to_json())
    ctx.write("scan.sarif", report.to_sarif())
    ctx.write("scan.md", report.to_markdown())
    detail = (f"{len(report.layers)} layers, {report.total_bytes} bytes, {report.wasted_bytes} wasted "
              f"({report.efficiency:.1%} efficient), {len(report.secrets)} secret(s)")
    failed = list(report.gates) or evaluate(report, policy)
    if failed:
        raise GateFailed(f"scan gate: {'; '.join(failed)}")
    return detail


def _registry(ctx: Context) -> str:
    """host:port of the target registry; starts the embedded one when none is configured."""
    if "registry" in ctx.data:
        return str(ctx.data["registry"])
    if ctx.options.registry:
        address = ctx.options.registry
    else:
        from imgforge.env.registry import default_registry

        reg = default_registry()
        if not reg.answering():
            ctx.say("no registry configured: starting the local one")
            reg.up()
        address = reg.address
    ctx.data["registry"] = address
    return address


def _client(ctx: Context) -> Any:
    from imgforge.registry.client import RegistryClient

    if "client" not in ctx.data:
        ctx.data["client"] = RegistryClient(_registry(ctx), insecure=bool(ctx.options.insecure))
    return ctx.data["client"]


def _previous_report(ctx: Context, repo: str, version: str) -> dict[str, Any] | None:
    """The scan report attached to the highest earlier version of this image, if the registry has one."""

    from imgforge.artifacts import fetch_file, list_artifacts
    from imgforge.tags import parse_version, versions_in

    try:
        tags = _client(ctx).list_tags(repo)
    except ImgforgeError:
        return None
    current = parse_version(version)
    older = {t: v for t, v in versions_in(tags).items() if v < current and not v.prerelease}
    if not older:
        return None
    tag = max(older, key=lambda t: older[t])
    previous = f"{_registry(ctx)}/{repo}:{tag}"
    try:
        digest = _client(ctx).head_manifest(repo, tag)
        artifacts = list_artifacts(f"{_registry(ctx)}/{repo}@{digest}", client=_client(ctx))
    except ImgforgeError:
        return None
    for art in artifacts:
        if "scan.json" in art.files:
            try:
                doc = json.loads(fetch_file(f"{_registry(ctx)}/{repo}@{digest}", art, "scan.json", client=_client(ctx)))
            except (ImgforgeError, ValueError):
                return None  # an unreadable previous report only loses the comparison
            doc["image"] = previous
            return dict(doc)
    return None


def report(ctx: Context) -> str:
    from imgforge.report import build_size_report, render_html, render_markdown
    from imgforge.report.model import Budgets
    from imgforge.settings import load_section

    project = ctx.data["project"]
    scan_doc = ctx.data["scan"].to_json()
    repo = project.image_name
    scan_doc["image"] = f"{_registry(ctx)}/{repo}:{ctx.data['version']}" if ctx.options.push else ctx.data["local_image"]
    previous = _previous_report(ctx, repo, ctx.data["version"]) if ctx.options.push else None
    size = build_size_report(scan_doc, previous, load_section(ctx.project_dir, "report", Budgets))
    ctx.data["size_report"] = size
    ctx.write("report.json", size.to_json())
    ctx.write("report.md", render_markdown(size))
    ctx.write("report.html", render_html(size))
    if size.budget_failures:
        raise GateFailed(f"size budget: {'; '.join(size.budget_failures)}")
    change = f", {size.total_delta:+d} bytes since {size.previous_image}" if size.previous_image else ""
    return f"report.html written{change}"


# --- tag, push ---------------------------------------------------------------------------------------------


def tag(ctx: Context) -> str:
    from imgforge.push import existing_tags
    from imgforge.tags import plan_tags

    repo = ctx.data["project"].image_name
    existing = existing_tags(_client(ctx), repo)
    sha = head_sha(ctx.project_dir)
    plan = plan_tags(ctx.data["version"], existing, git_sha=sha, latest=ctx.options.latest)
    ctx.data["plan"] = plan
    ctx.write("tags.json", {"version": plan.version, "tags": [t.__dict__ for t in plan.tags],
                            "skipped": [list(s) for s in plan.skipped]})
    return ", ".join(plan.names)


def push(ctx: Context) -> str:
    from imgforge.push import push_image
    from imgforge.reference import Reference

    repo = ctx.data["project"].image_name
    target = Reference.parse(f"{_registry(ctx)}/{repo}")
    result = push_image(ctx.data["local_image"], target, ctx.data["plan"], client=_client(ctx), say=ctx.say)
    ctx.data["digest"] = result.digest
    ctx.result.digest = result.digest
    ctx.result.tags = [f"{target.name}:{t.tag}" for t in result.tags]
    ctx.data["pinned"] = f"{target.name}@{result.digest}"
    ctx.write("push.json", {"image": ctx.data["pinned"], "uploaded": result.uploaded,
                            "tags": [t.__dict__ for t in result.tags]})
    how = "uploaded" if result.uploaded else "already there, nothing uploaded"
    return f"{ctx.data['pinned']} ({how})"


# --- manifest, verify, attach ------------------------------------------------------------------------------


def manifest(ctx: Context) -> str:
    from imgforge.manifest.emit import to_yaml
    from imgforge.manifest.project import file_name, make_manifests

    meta = {"version": ctx.data["version"]}
    if ctx.data.get("revision"):
        meta["revision"] = ctx.data["revision"]
    emitted = make_manifests(ctx.project_dir, ctx.data["pinned"], kind=ctx.options.kind, meta=meta)  # type: ignore[arg-type]
    written: list[str] = []
    for env, objects in emitted.objects.items():
        folder = Path("manifests") / env if env else Path("manifests")
        for obj in objects:
            name = str(folder / file_name(obj))
            ctx.write(name, to_yaml([obj]))
            written.append(name)
    ctx.data["manifests"] = emitted
    ctx.data["manifest_files"] = written
    return f"{len(written)} file(s), valid for Kubernetes {emitted.kubernetes_version}"


def verify(ctx: Context) -> str:
    from imgforge.env.engine import require_engine
    from imgforge.manifest.plan import plan_from_objects
    from imgforge.manifest.verify import verify as run_verify

    emitted = ctx.data["manifests"]
    objects = next(iter(emitted.objects.values()))
    plan = plan_from_objects(objects)
    docker = require_engine("verifying")
    result = run_verify(docker, ctx.data["local_image"], plan)
    ctx.write("verify.json", result.to_dict())
    if not result.passed:
        raise GateFailed(f"verify: {'; '.join(result.reasons) or 'failed'}")
    ready = result.time_to_ready
    return f"probes pass; ready in {ready:.1f}s" if ready is not None else "probes pass"


def attach(ctx: Context) -> str:
    from imgforge.artifacts import attach as attach_files

    names = ["scan.json", "report.json", "report.md", "report.html", "lint.sarif", "scan.sarif", "Dockerfile",
             *ctx.data.get("manifest_files", [])]
    files = [ctx.out / n for n in names if (ctx.out / n).is_file()]
    digest = attach_files(ctx.data["pinned"], files, client=_client(ctx),
                          annotations={"org.opencontainers.image.version": ctx.data["version"]})
    ctx.data["artifact"] = digest
    return f"{len(files)} file(s) as artifact {digest[:19]}"


# --- pipeline.json -----------------------------------------------------------------------------------------


def write_pipeline_json(ctx: Context) -> None:
    """One file that links each Dockerfile line → layer → bytes → findings → tags → digest → manifest."""
    lines: dict[int, dict[str, Any]] = {}

    def at(line: int | None) -> dict[str, Any] | None:
        if line is None:
            return None
        return lines.setdefault(int(line), {"line": int(line), "layers": [], "lint": [], "secrets": []})

    scan_report = ctx.data.get("scan")
    layers = []
    if scan_report is not None:
        for row in scan_report.to_json()["layers"]:
            layers.append(row)
            entry = at(row.get("dockerfile_line"))
            if entry is not None:
                entry["layers"].append({"index": row.get("index"), "bytes": row.get("bytes"),
                                        "wasted_bytes": row.get("wasted_bytes")})
        for s in scan_report.to_json()["secrets"]:
            entry = at(s.get("dockerfile_line"))
            if entry is not None:
                entry["secrets"].append({k: s.get(k) for k in ("rule", "path", "name", "layer", "redacted")})
    lint_report = ctx.data.get("lint")
    if lint_report is not None:
        for f in lint_report.to_json()["findings"]:
            entry = at(f.get("line"))
            if entry is not None:
                entry["lint"].append({k: f.get(k) for k in ("rule", "severity", "message")})
    doc = {
        **ctx.result.to_json(),
        "version": ctx.data.get("version"),
        "dockerfile": str(ctx.data.get("dockerfile", "")),
        "local_image": ctx.data.get("local_image"),
        "image": ctx.data.get("pinned"),
        "lines": [lines[k] for k in sorted(lines)],
        "layers": layers,
        "manifests": ctx.data.get("manifest_files", []),
        "artifact": ctx.data.get("artifact"),
    }
    ctx.write("pipeline.json", doc)
