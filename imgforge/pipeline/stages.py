"""The pipeline's stages: each a function `(state, services) -> result` that raises ImgforgeError to fail.

Order: generate → lint → build → scan → report → verify → tag → push → manifest → attach. Verify runs
the *local* image before anything is tagged or pushed, so a broken image never gets a tag.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imgforge.artifacts import attach as attach_files
from imgforge.artifacts import fetch_file, list_artifacts
from imgforge.build import BuildOptions, created_timestamp, git_revision, oci_labels
from imgforge.build import build as run_build
from imgforge.build.registry_cache import CachePlan, RegistryCache, branch_tag, builder_stages, cache_plan
from imgforge.env.engine import Engine, Selection, builder_info, selected
from imgforge.errors import GateFailed, ImgforgeError, UsageError
from imgforge.generate import generate as render
from imgforge.generate import write_files
from imgforge.gitinfo import git, head_sha
from imgforge.lint import lint_file, load_config
from imgforge.manifest.emit import to_yaml
from imgforge.manifest.image import EngineAndRegistry
from imgforge.manifest.plan import plan_from_objects
from imgforge.manifest.project import BASE, file_name, make_manifests
from imgforge.manifest.verify import verify as run_verify
from imgforge.pipeline.checks import check_settings
from imgforge.pipeline.services import LocalImage, Services, write
from imgforge.pipeline.state import (
    Attached,
    Built,
    Generated,
    Linted,
    Manifests,
    PipelineState,
    Pushed,
    Reported,
    Scanned,
    StageOutput,
    Tagged,
    Verified,
    need,
)
from imgforge.project import load_project
from imgforge.push import existing_tags, push_image
from imgforge.reference import Reference
from imgforge.report import build_size_report, render_html, render_markdown
from imgforge.report.model import Budgets
from imgforge.report.previous import previous_tag
from imgforge.settings import BuildSettings
from imgforge.scan import ScanPolicy, evaluate
from imgforge.scan import scan as scan_image
from imgforge.tags import parse_version, plan_tags


def _out(state: PipelineState) -> Path:
    return need(state.out, "generate")


# --- generate ----------------------------------------------------------------------------------------------


def generate(state: PipelineState, run: Services) -> Generated:
    """Load the project once and check every stage's section of its settings, choose the version, then write or
    keep the Dockerfile."""
    project = load_project(state.project_dir)
    check_settings(project)  # a bad key under any section is exit 2 before anything is written, built or pushed
    version = state.options.version or project.version()
    if not version:
        raise UsageError(f"choosing the version of {state.project_dir}: give --version, `version:` in "
                         "imgforge.yaml or a vX.Y.Z git tag")
    parse_version(version)  # a bad version is a usage error before anything is built
    out = (state.options.dist / project.image_name).resolve()
    own = project.own_dockerfile()
    if own is not None:
        write(out, "Dockerfile", own.read_text(encoding="utf-8"))
        return Generated(project, version, own, f"kept the project's own {project.settings.dockerfile}")
    files = render(project)
    changed = write_files(project, files)
    write(out, "Dockerfile", files.dockerfile)
    write(out, ".dockerignore", files.dockerignore)
    what = f"wrote {', '.join(changed)}" if changed else "Dockerfile up to date"
    # Generation's warnings (no lockfile, locked packages without a wheel for the Python chosen) say why a
    # later stage may fail; `imgforge generate` prints them, the pipeline keeps them in the stage's line.
    what += "".join(f"; warning: {w}" for w in files.warnings)
    if files.names.dockerfile != "Dockerfile":
        what += f"; the project's own Dockerfile is kept (generated: {files.names.dockerfile})"
    return Generated(project, version, project.root / files.names.dockerfile,
                     f"recipe {project.settings.recipe}: {what}")


# --- lint --------------------------------------------------------------------------------------------------


def lint(state: PipelineState, run: Services) -> Linted:
    gen = need(state.generate, "generate")
    report = lint_file(gen.dockerfile, load_config(state.project_dir))
    write(_out(state), "lint.json", report.to_json())
    write(_out(state), "lint.sarif", report.to_sarif())
    summary = ", ".join(f"{n} {sev}" for sev, n in report.counts.items() if n) or "no findings"
    fail_on = state.options.fail_on
    if report.failed(fail_on):
        # Name a finding that fails the gate, not the first of any severity (an info on line 4 said nothing of
        # the error on line 9).
        first = next(iter(report.failing(fail_on)), None)
        where = f"; first: line {first.line} {first.rule}: {first.message}" if first else ""
        raise GateFailed(f"lint gate (--fail-on {fail_on}): {summary}{where}")
    return Linted(report, summary)


# --- build -------------------------------------------------------------------------------------------------


def build(state: PipelineState, run: Services) -> Built:
    gen = need(state.generate, "generate")
    project = gen.project
    revision = git_revision(project.root)
    labels = oci_labels(title=project.image_name, version=gen.version, revision=revision,
                        source=project.settings.image.source, created=created_timestamp(project.root, os.environ))
    local = f"imgforge-pipeline/{project.image_name}:{gen.version}"
    settings = project.section("build", BuildSettings)
    run.selection = (run.selection or selected()).over(Selection(settings.context, settings.builder))
    engine = run.engine(f"building {project.image_name}")
    cache = _cache(state, run, engine_builder(run, engine)) if state.options.push and settings.cache else None
    if cache is not None:
        run.say(cache.describe())
    # A generated Dockerfile declares VERSION last (labels) and where a build backend versions the project from git
    # (setuptools-scm): it gets the run's version. A project's own Dockerfile may use VERSION for something else
    # (a tool's release to download), so it gets none.
    version_arg = {"VERSION": gen.version} if project.own_dockerfile() is None else {}
    options = BuildOptions(tags=(local,), labels={**project.labels(), **labels}, build_args=version_arg,
                           progress="plain", builder=run.selection.builder,
                           cache_from=cache.cache_from if cache else (), cache_to=cache.cache_to if cache else None)
    result = run_build(project.root, gen.dockerfile, options, docker=engine.docker, on_step=run.say)
    write(_out(state), "build.json", result.to_json())
    cached = sum(s.cached for s in result.stages)
    return Built(local, result, revision,
                 f"{local} ({result.image_id[:19]}) in {result.seconds:.1f}s, {cached} cached steps")


def engine_builder(run: Services, engine: Engine) -> str:
    """The driver of the builder the run builds with (docker, docker-container, remote, kubernetes)."""
    return builder_info(engine, run.selection.builder if run.selection else None).driver


def branch(project_dir: Path) -> str | None:
    """The branch being built: CI's name for it, else git's (None when detached or outside git)."""
    name = os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME") or git(
        project_dir, "rev-parse", "--abbrev-ref", "HEAD")
    return name if name and name != "HEAD" else None


def _cache(state: PipelineState, run: Services, driver: str) -> CachePlan:
    """Build cache through the registry: the previous version's and the branch's last image's (inline) cache."""
    gen = need(state.generate, "generate")
    repo = gen.project.image_name
    try:
        existing = run.client().list_tags(repo)
    except ImgforgeError:
        existing = []  # no registry answer yet: the push stage reports it; the build just has no cache
    stages = builder_stages(gen.dockerfile.read_text(encoding="utf-8"))
    return cache_plan(f"{run.registry()}/{repo}", driver, previous_tag(existing, gen.version),
                      branch(state.project_dir), existing, stages)


def _push_stage_images(state: PipelineState, run: Services, engine: Engine) -> str:
    """Each builder stage as `REPO:cache-STAGE` with inline cache (built from the local cache, then pushed), so
    an engine with an empty store takes the dependency installs from the registry; a failure only loses cache."""
    gen = need(state.generate, "generate")
    plan = _cache(state, run, engine_builder(run, engine))
    cache = RegistryCache(f"{run.registry()}/{gen.project.image_name}")
    for stage in plan.stage_images:
        ref = cache.stage_ref(stage)
        options = BuildOptions(tags=(ref,), target=stage, cache_to="type=inline", progress="plain",
                               builder=run.selection.builder if run.selection else None)
        try:
            run_build(gen.project.root, gen.dockerfile, options, docker=engine.docker)
            engine.push(ref)
        except ImgforgeError as err:
            return f"; builder stage {stage} not pushed as cache ({err})"
    return f"; builder stages {', '.join(plan.stage_images)} pushed as cache" if plan.stage_images else ""


# --- scan and report ---------------------------------------------------------------------------------------


def scan_policy(state: PipelineState) -> ScanPolicy:
    """The project's `scan:` policy; in the pipeline a leaked secret fails unless the project says otherwise."""
    project = need(state.generate, "generate").project
    policy = project.section("scan", ScanPolicy)
    if "fail_on_secrets" not in (project.raw.get("scan") or {}):
        policy = policy.model_copy(update={"fail_on_secrets": True})
    if policy.baseline and not Path(policy.baseline).is_absolute():
        policy = policy.model_copy(update={"baseline": str(project.root / policy.baseline)})
    return policy


def scan(state: PipelineState, run: Services) -> Scanned:
    built = need(state.build, "build")
    policy = scan_policy(state)
    engine = run.engine("scanning")
    # `docker:` names the source outright: no second engine round trip to find where the image lives.
    report = scan_image(f"docker:{built.local_image}", dockerfile=need(state.generate, "generate").dockerfile,
                        policy=policy, engine=engine)
    out = _out(state)
    write(out, "scan.json", report.to_json())
    write(out, "scan.sarif", report.to_sarif())
    write(out, "scan.md", report.to_markdown())
    detail = (f"{len(report.layers)} layers, {report.total_bytes} bytes, {report.wasted_bytes} wasted "
              f"({report.efficiency:.1%} efficient), {len(report.secrets)} secret(s)")
    failed = list(report.gates) or evaluate(report, policy)
    if failed:
        raise GateFailed(f"scan gate: {'; '.join(failed)}")
    return Scanned(report, policy, detail)


def _previous_report(run: Services, repo: str, version: str) -> dict[str, Any] | None:
    """The scan report attached to the highest earlier version of this image, if the registry has one."""
    client = run.client()
    try:
        tag = previous_tag(client.list_tags(repo), version)
        if tag is None:
            return None
        digest = client.head_manifest(repo, tag)
        pinned_ref = f"{run.registry()}/{repo}@{digest}"
        for art in list_artifacts(pinned_ref, client=client):
            if "scan.json" in art.files:
                doc = json.loads(fetch_file(pinned_ref, art, "scan.json", client=client))
                doc["image"] = f"{run.registry()}/{repo}:{tag}"
                return dict(doc)
    except (ImgforgeError, ValueError):
        return None  # an unreadable previous report only loses the comparison
    return None


def report(state: PipelineState, run: Services) -> Reported:
    gen = need(state.generate, "generate")
    built, scanned = need(state.build, "build"), need(state.scan, "scan")
    repo = gen.project.image_name
    scan_doc = scanned.report.to_json()
    pushing = state.options.push
    scan_doc["image"] = f"{run.registry()}/{repo}:{gen.version}" if pushing else built.local_image
    previous = _previous_report(run, repo, gen.version) if pushing else None
    size = build_size_report(scan_doc, previous, gen.project.section("report", Budgets))
    out = _out(state)
    write(out, "report.json", size.to_json())
    write(out, "report.md", render_markdown(size))
    write(out, "report.html", render_html(size))
    if size.budget_failures:
        raise GateFailed(f"size budget: {'; '.join(size.budget_failures)}")
    change = f", {size.total_delta:+d} bytes since {size.previous_image}" if size.previous_image else ""
    return Reported(size, f"report.html written{change}")


# --- verify (before any tag) -------------------------------------------------------------------------------


def verify(state: PipelineState, run: Services) -> Verified:
    """Run the local image under its manifest as the kubelet would; nothing is tagged or pushed yet."""
    gen, built = need(state.generate, "generate"), need(state.build, "build")
    engine = run.engine("verifying")
    facts = engine.image_facts(built.local_image)
    if facts is None:
        raise UsageError(f"verifying {built.local_image}: the engine no longer has the image")
    emitted = make_manifests(state.project_dir, built.local_image, kind=state.options.kind,
                             meta={"version": gen.version}, source=LocalImage(engine, facts))
    objects = next(iter(emitted.objects.values()))
    result = run_verify(engine.docker, built.local_image, plan_from_objects(objects))
    write(_out(state), "verify.json", result.to_dict())
    if not result.passed:
        raise GateFailed(f"verify: {'; '.join(result.reasons) or 'failed'}; nothing was tagged or pushed")
    ready = result.time_to_ready
    return Verified(result, f"probes pass; ready in {ready:.1f}s" if ready is not None else "probes pass")


# --- tag, push ---------------------------------------------------------------------------------------------


def tag(state: PipelineState, run: Services) -> Tagged:
    gen = need(state.generate, "generate")
    existing = existing_tags(run.client(), gen.project.image_name)
    plan = plan_tags(gen.version, existing, git_sha=head_sha(state.project_dir), latest=state.options.latest)
    write(_out(state), "tags.json", plan.to_json())
    return Tagged(plan, ", ".join(plan.names))


def push(state: PipelineState, run: Services) -> Pushed:
    gen, built, tagged = need(state.generate, "generate"), need(state.build, "build"), need(state.tag, "tag")
    target = Reference.parse(f"{run.registry()}/{gen.project.image_name}")
    engine = run.engine("pushing")
    result = push_image(built.local_image, target, tagged.plan, client=run.client(), docker=engine.docker,
                        say=run.say)
    pinned_ref = f"{target.name}@{result.digest}"
    on, cached = branch(state.project_dir), ""
    if gen.project.section("build", BuildSettings).cache:
        if on:
            # The branch's last image: the next build on a fresh engine or runner reads its inline cache.
            repo = gen.project.image_name
            run.client().put_manifest(repo, branch_tag(on), run.client().get_manifest(repo, result.digest))
        cached = _push_stage_images(state, run, engine)
    write(_out(state), "push.json", result.to_json())
    how = "uploaded" if result.uploaded else "already there, nothing uploaded"
    return Pushed(result, pinned_ref, f"{pinned_ref} ({how}){cached}")


# --- manifest, attach --------------------------------------------------------------------------------------


def manifest(state: PipelineState, run: Services) -> Manifests:
    gen, built, pushed = need(state.generate, "generate"), need(state.build, "build"), need(state.push, "push")
    meta = {"version": gen.version}
    if built.revision:
        meta["revision"] = built.revision
    # Pinned through the run's scheme choice (--insecure), as the push was: one rule for every registry call.
    emitted = make_manifests(state.project_dir, pushed.pinned, kind=state.options.kind, meta=meta,
                             source=EngineAndRegistry(insecure=run.insecure))
    written: list[str] = []
    for env, objects in emitted.objects.items():
        folder = Path("manifests") / env if env != BASE else Path("manifests")
        for obj in objects:
            name = str(folder / file_name(obj))
            write(_out(state), name, to_yaml([obj]))
            written.append(name)
    return Manifests(emitted, tuple(written), f"{len(written)} file(s), valid for Kubernetes "
                                              f"{emitted.kubernetes_version}")


def attach(state: PipelineState, run: Services) -> Attached:
    gen, pushed = need(state.generate, "generate"), need(state.push, "push")
    manifests = state.manifest.files if state.manifest is not None else ()
    names = ["scan.json", "report.json", "report.md", "report.html", "lint.sarif", "scan.sarif", "Dockerfile",
             *manifests]
    out = _out(state)
    files = [out / n for n in names if (out / n).is_file()]
    digest = attach_files(pushed.pinned, files, client=run.client(),
                          annotations={"org.opencontainers.image.version": gen.version})
    return Attached(digest, tuple(str(f) for f in files), f"{len(files)} file(s) as artifact {digest[:19]}")


# --- the table the runner walks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One stage: its name (also its field in PipelineState), its function, and when it is skipped."""

    name: str
    run: Callable[[PipelineState, Services], StageOutput]
    needs_push: bool = False
    needs_verify: bool = False

    def skipped_because(self, state: PipelineState) -> str | None:
        """Why the options skip this stage, or None when it runs."""
        if (self.needs_push or self.needs_verify) and not state.options.push:
            return "--no-push"
        if self.needs_verify and not state.options.verify:
            return "--no-verify"
        return None


STAGES: tuple[Stage, ...] = (
    Stage("generate", generate),
    Stage("lint", lint),
    Stage("build", build),
    Stage("scan", scan),
    Stage("report", report),
    Stage("verify", verify, needs_verify=True),
    Stage("tag", tag, needs_push=True),
    Stage("push", push, needs_push=True),
    Stage("manifest", manifest, needs_push=True),
    Stage("attach", attach, needs_push=True),
)

__all__ = ["STAGES", "Stage", "scan_policy"]
