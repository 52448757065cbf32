"""Manifest commands: `manifest` (emit validated Kubernetes YAML) and `verify` (run an image under a manifest)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.table import Table

from imgforge.cli._common import InsecureOpt, console, console_err, plain, print_json
from imgforge.cli._engine import BuilderOpt, ContextOpt, selected
from imgforge.errors import GateFailed, UsageError

if TYPE_CHECKING:
    from imgforge.env.engine import PullPolicy
    from imgforge.manifest.verify import VerifyReport

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


class KindChoice(enum.StrEnum):
    pod = "pod"
    deployment = "deployment"


class FormatChoice(enum.StrEnum):
    yaml = "yaml"
    kustomize = "kustomize"


def manifest(
    path: Annotated[Path, typer.Argument(help="Project folder or its imgforge.yaml.")] = Path("."),
    image: Annotated[str, typer.Option("--image", help="Image reference; a tag is pinned to its digest.")] = "",
    kind: Annotated[KindChoice, typer.Option(
        "--kind", help="deployment (+ Service, ConfigMap, operations objects), or a bare pod.")
    ] = KindChoice.deployment,
    env: Annotated[list[str] | None, typer.Option(
        "--env", help="Environment(s) from `environments:` (default: all).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write DIR/<env>/<kind>.yaml (or the kustomize tree) instead of printing.")] = None,
    out_format: Annotated[FormatChoice, typer.Option(
        "--format", help="yaml (a folder per environment) or kustomize (base/ + overlays/<env>/, needs --out).")
    ] = FormatChoice.yaml,
    kubernetes_version: Annotated[str | None, typer.Option(
        "--kubernetes-version", help="Schema version to validate against (default: manifest.kubernetes_version).")
    ] = None,
    pull_secret: Annotated[list[str] | None, typer.Option(
        "--pull-secret", help="imagePullSecret name (repeatable).")] = None,
    version: Annotated[str | None, typer.Option(
        "--version", help="Version annotation (default: the image's OCI label).")] = None,
    revision: Annotated[str | None, typer.Option(
        "--revision", help="Revision annotation (default: the image's OCI label).")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help="Source annotation (default: the image's OCI label).")] = None,
    json_out: JsonOpt = False,
    insecure: InsecureOpt = False,
) -> None:
    """Emit Kubernetes YAML for the image, pinned by digest, hardened, probed, limited and validated offline.

    Example: imgforge manifest . --image 127.0.0.1:5000/app:1.2.0 --out k8s/ --format kustomize
    """
    from imgforge.manifest.emit import to_yaml
    from imgforge.manifest.image import EngineAndRegistry
    from imgforge.manifest.kustomize import kustomize_tree
    from imgforge.manifest.project import BASE, file_name, make_manifests

    if not image:
        raise UsageError("making the manifest: --image is required (e.g. --image 127.0.0.1:5000/app:1.2.0)")
    if out_format == FormatChoice.kustomize and out is None:
        raise UsageError("making the manifest: --format kustomize writes a folder tree; name it with --out DIR")
    meta = {k: v for k, v in (("version", version), ("revision", revision), ("source", source)) if v}
    result = make_manifests(
        path, image, kind.value, tuple(env) if env else None, tuple(pull_secret or ()), meta, kubernetes_version,
        source=EngineAndRegistry(insecure=insecure),
    )
    written: dict[str, list[str]] = {}
    if out is not None and out_format == FormatChoice.kustomize:
        envs = {name: objs for name, objs in result.objects.items() if name != BASE}
        for rel, text in kustomize_tree(result.base, envs).items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.setdefault(rel.rsplit("/", 1)[0], []).append(str(target))
    elif out is not None:
        for name, objs in result.objects.items():
            folder = out / name if name != BASE else out
            folder.mkdir(parents=True, exist_ok=True)
            for obj in objs:
                target = folder / file_name(obj)
                target.write_text(to_yaml([obj]), encoding="utf-8")
                written.setdefault(name, []).append(str(target))
    if json_out:
        print_json(
            {
                "image": result.pinned.ref,
                "pinned_by": result.pinned.how,
                "kubernetes_version": result.kubernetes_version,
                "files": written,
                "environments": {name or "default": objs for name, objs in result.objects.items()},
            }
        )
        return
    if out is None:
        multi = len(result.objects) > 1
        for name, objs in result.objects.items():
            if multi:
                console.print(f"# environment: {name}", markup=False)
            console.print(to_yaml(objs), end="", markup=False)
    else:
        for name, files in written.items():
            console_err.print(f"{name or 'manifests'}: {', '.join(files)}", markup=False)
    console_err.print(
        f"image pinned to {result.pinned.ref} ({result.pinned.how}); "
        f"valid against Kubernetes {result.kubernetes_version}",
        markup=False,
    )


def verify(
    image: Annotated[str, typer.Argument(help="Local image to run.")],
    manifest_file: Annotated[Path, typer.Option(
        "--manifest", help="Pod or Deployment YAML (e.g. from `imgforge manifest`).")],
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for readiness.")] = 60.0,
    settle: Annotated[float, typer.Option("--settle", help="Seconds to keep probing after ready.")] = 2.0,
    recommend: Annotated[bool, typer.Option(
        "--recommend", help="Write measured peaks + margin to manifest.resources.")] = False,
    margin: Annotated[float, typer.Option("--margin", help="Margin over the measured peaks for --recommend.")] = 0.25,
    settings: Annotated[Path, typer.Option(
        "--settings", help="Project folder or imgforge.yaml for --recommend.")] = Path("."),
    json_out: JsonOpt = False,
    engine_context: ContextOpt = None,
    builder: BuilderOpt = None,
) -> None:
    """Run IMAGE as the kubelet would under the manifest (limits, user, read-only root, probes); exit 1 on failure.

    Example: imgforge verify 127.0.0.1:5000/app:1.2.0 --manifest k8s/prod/deployment.yaml --recommend
    """
    from imgforge.env.engine import connect, default_pull_policy, must_pull
    from imgforge.manifest import validate
    from imgforge.manifest import verify as verifying
    from imgforge.manifest.plan import load_manifest, plan_from_objects
    from imgforge.manifest.writeback import write_resources

    objects = load_manifest(manifest_file)
    plan = plan_from_objects(objects)
    project = settings if settings.is_dir() else settings.parent
    with selected(engine_context, builder, project):
        engine = connect(f"verifying {image}")
        docker = engine.docker
        present = engine.has_image(image)
        policy = _pull_policy(objects) or default_pull_policy(image)
        if must_pull(image, present, policy, f"verifying {image}"):
            # As the kubelet would under the manifest's imagePullPolicy: with the registry's credentials.
            where = "in the engine" if present else "not in the engine"
            console_err.print(plain(f"pulling {image} (imagePullPolicy {policy}, {where})"))
            engine.pull(image)
        notes = [verifying.digest_note(docker, image, plan)]
        notes += [str(p) for o in objects for p in validate.own_problems(o) if p.rule != "digest-pinned"]
        for note in filter(None, notes):
            console_err.print(plain(f"note: {note}"))
        with console_err.status(plain(f"verifying {image} under {plan.workload}")):
            report = verifying.verify(docker, image, plan, timeout=timeout, settle=settle)
        advice = None
        if recommend and report.passed:
            advice = verifying.recommend(report, margin)
            written = write_resources(settings, advice)
            console_err.print(
                f"wrote manifest.resources to {written}: requests {advice.requests.cpu}/"
                f"{advice.requests.memory}, limits {advice.limits.cpu}/{advice.limits.memory} "
                f"(requests = peak x {1 + margin:g}, limits = peak x {1 + 2 * margin:g})",
                markup=False,
            )
        elif recommend:
            console_err.print("not recommending resources: verify failed, so the peaks mean nothing", markup=False)
        if json_out:
            data = report.to_dict()
            data["recommended"] = advice.model_dump() if advice else None
            print_json(data)
        else:
            _print_report(report)
        if not report.passed:
            raise GateFailed(f"verifying {image} under {manifest_file}: " + "; ".join(report.reasons))


def _pull_policy(objects: list[dict[str, Any]]) -> PullPolicy | None:
    """The first workload container's imagePullPolicy, when the manifest sets a valid one."""
    from imgforge.manifest.validate import pod_spec_of

    for obj in objects:
        found = pod_spec_of(obj)
        containers = found[1].get("containers") if found else None
        if isinstance(containers, list) and containers and isinstance(containers[0], dict):
            policy = containers[0].get("imagePullPolicy")
            return cast("PullPolicy", policy) if policy in ("Always", "IfNotPresent", "Never") else None
    return None


def _mib(value: int | None) -> str:
    return f"{value / 1024 / 1024:.1f}MiB" if value else "n/a"


def _print_report(report: VerifyReport) -> None:
    table = Table(title=plain(f"probes of {report.workload} ({report.image})"))
    for col in ("t (s)", "probe", "ok", "result"):
        table.add_column(col)
    for r in report.probes:
        table.add_row(f"{r.at:.2f}", plain(r.which), plain("yes") if r.ok else plain("no", "red"), plain(r.detail))
    console.print(table)
    ready = f"{report.time_to_ready:.2f}s" if report.time_to_ready is not None else "never"
    console.print(f"time to ready: {ready}", markup=False)
    restart = f"yes, at {report.restart_at:.1f}s" if report.restart_at is not None else "no"
    console.print(f"restarted by a failing liveness/startup probe: {restart}", markup=False)
    cpu = report.peak_cpu_percent if report.peak_cpu_percent is not None else "n/a"
    console.print(f"peak memory: {_mib(report.peak_memory_bytes)} of limit {_mib(report.memory_limit_bytes)}; "
                  f"peak cpu: {cpu}%", markup=False)
    console.print(f"OOM-killed: {'yes' if report.oom_killed else 'no'}; exit code: "
                  f"{report.exit_code if report.exit_code is not None else 'still running'}", markup=False)
    verdict = "[green]PASS[/green]" if report.passed else "[red]FAIL[/red]: " + "; ".join(report.reasons)
    console.print(f"verdict: {verdict}")


def register(app: typer.Typer) -> None:
    """Attach these commands to the top-level app."""
    app.command("manifest")(manifest)
    app.command("verify")(verify)
