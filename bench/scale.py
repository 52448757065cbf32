"""Scaling-out benchmark: a second engine with an empty image store, with and without the registry cache; and
`imgforge plan` over N generated projects.

1. Cold build of a dependency-heavy Python sample (tests/scale/data/deps-heavy with real PyPI packages) on a
   fresh second engine, after a source edit: once with no cache at all, once through the registry (bases
   pulled by digest, `--cache-from` the previous version and its builder stage, pushed by engine A with inline
   cache). Goal: the registry-cache build at least 3x faster. Both builds pull the bases from the registry.
   Three Dockerfile layouts: what `imgforge generate` writes for the python recipe, sources through the builder
   stage, and sources straight into the runtime stage; each also with the previous version's inline cache alone
   (what `pipeline` reads by default with the docker driver).
2. `imgforge plan` after a change to one of N generated services (default 50), in process and as the CLI
   (interpreter start-up and imports included). Goal: under 1 s.

Run as root on a machine with the engine, registry and base catalog up (`bash .ci/setup`):
    .venv/bin/python bench/scale.py [--projects 50] [--runs 3] [--skip-engine] [--variant generated ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Scripts here must not shadow the standard library (bench/secrets.py would hide `secrets`).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from imgforge.build.registry_cache import (  # noqa: E402
    RegistryCache,
    builder_stages,
    buildx_command,
    cached_steps,
    pin_bases,
)
from imgforge.build.network import build_secrets  # noqa: E402
from imgforge.env.second_engine import second_engine  # noqa: E402
from imgforge.generate import generate, load_project  # noqa: E402
from imgforge.plan import plan  # noqa: E402
from imgforge.registry.client import RegistryClient  # noqa: E402

REGISTRY = "127.0.0.1:5000"
SAMPLE = REPO / "tests" / "scale" / "data" / "deps-heavy"
CA = Path("/etc/ssl/certs/ca-certificates.crt")
# Typical service dependencies: a web framework, an ORM, data libraries with native wheels, a cloud SDK.
REQUIREMENTS = "flask\nsqlalchemy\npydantic\nrequests\nnumpy\npandas\npyyaml\nboto3\n"


def _build(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run a build; its seconds and its plain-progress log, each line prefixed with the seconds since the start."""
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stderr is not None
        lines = [f"{time.perf_counter() - start:.2f} {line}" for line in proc.stderr]
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd[:4])} failed: {lines[-1:]}")
    return seconds, "".join(lines)


def _progress(stamped: str) -> str:
    """The log without the time stamps, as BuildKit wrote it."""
    return "".join(line.split(" ", 1)[1] for line in stamped.splitlines(keepends=True))


def _slowest(stamped: str, count: int = 3) -> str:
    """The vertices (steps, pulls, export) that spanned the longest, first to last line: where a build's time went.
    A cached step has no DONE time of its own, yet pulling and unpacking its layers happens inside it."""
    titles: dict[str, str] = {}
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for line in stamped.splitlines():
        stamp, _, rest = line.partition(" ")
        vertex, _, text = rest.partition(" ")
        if not vertex.startswith("#") or not vertex[1:].isdigit():
            continue
        titles.setdefault(vertex, text[:50])
        first.setdefault(vertex, float(stamp))
        last[vertex] = float(stamp)
    spans = {v: last[v] - first[v] for v in titles}
    top = sorted(spans, key=spans.__getitem__, reverse=True)[:count]
    return "; ".join(f"{titles[v]} {spans[v]:.1f} s" for v in top)


# The layout imgforge generates today (sources pass through the builder stage), and sources copied straight
# into the runtime stage (the builder stage ends at the dependency install).
VARIANTS = {"Dockerfile": "sources through the builder stage (the earlier python recipe's layout)",
            "Dockerfile.direct": "sources straight into the runtime stage",
            "generated": "what `imgforge generate` writes today (python recipe, bases.registry set)"}


def _generated(ctx: Path, name: str, folder: Path) -> tuple[str, list[str]]:
    """The python recipe's Dockerfile for the sample, bases from the registry by digest, and its network secrets."""
    (ctx / "imgforge.yaml").write_text(f"recipe: python\nimage: {{name: {name}}}\nbases: {{registry: '{REGISTRY}'}}\n")
    text = generate(load_project(ctx)).dockerfile
    return text, [s.flag() for s in build_secrets(ctx, folder)]


def bench_engines(runs: int, variant: str) -> None:
    """Engine B cold builds after a source edit: no cache vs the registry cache engine A wrote."""
    secrets = [f"id=ca,src={CA}"] if CA.is_file() else []
    print(f"-- {variant}: {VARIANTS[variant]}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(SAMPLE, ctx)
        (ctx / "requirements.txt").write_text(REQUIREMENTS)
        name = f"bench/scale-{uuid.uuid4().hex[:8]}/app"
        repo = f"{REGISTRY}/{name}"
        if variant == "generated":
            (Path(tmp) / "secrets").mkdir()
            dockerfile, secrets = _generated(ctx, name, Path(tmp) / "secrets")
        else:
            dockerfile = pin_bases((ctx / variant).read_text(), REGISTRY)
        (ctx / "Dockerfile").write_text(dockerfile)
        cache, stages = RegistryCache(repo), builder_stages(dockerfile)

        def cmd(ref: str, target: str | None = None, cache_from: list[str] | None = None,
                push: bool = True) -> list[str]:
            # The own bridge of engine B has no NAT: downloads use the host network (both engines alike).
            return buildx_command(ctx, ref, cache_from=cache_from or [], target=target, secrets=secrets,
                                  network="host", push=push)

        try:
            seconds_a = 0.0
            for stage in stages:
                seconds_a += _build(cmd(cache.stage_ref(stage), target=stage))[0]
            seconds_a += _build(cmd(f"{repo}:1", cache_from=cache.cache_from(stages)))[0]
            print(f"engine A: version 1 and its builder stage built and pushed with inline cache in {seconds_a:.1f} s")
            app = ctx / "app.py"
            cold, warm, inline = [], [], []
            for run in range(runs):
                app.write_text(app.read_text().replace(f'VERSION = "{run + 1}"', f'VERSION = "{run + 2}"'))
                with second_engine() as engine:
                    cold.append(_build(cmd(f"{repo}:cold", push=False), engine.env())[0])
                with second_engine() as engine:
                    flags = cache.cache_from(stages, previous=["1"])
                    seconds, log = _build(cmd(f"{repo}:warm", cache_from=flags, push=False), engine.env())
                    warm.append(seconds)
                steps = cached_steps(_progress(log))
                # What `pipeline` reads by default: the previous version's inline cache only (no stage images).
                with second_engine() as engine:
                    only = cache.cache_from([], previous=["1"])
                    seconds, log2 = _build(cmd(f"{repo}:inline", cache_from=only, push=False), engine.env())
                    inline.append(seconds)
                steps2 = cached_steps(_progress(log2))
                print(f"run {run + 1}: engine B cold {cold[-1]:.1f} s without cache, {warm[-1]:.1f} s through the "
                      f"registry cache ({sum(steps.values())} of {len(steps)} steps cached), {inline[-1]:.1f} s from "
                      f"the previous version's inline cache alone ({sum(steps2.values())} of {len(steps2)} cached)")
                print(f"  slowest parts through the registry cache: {_slowest(log)}")
            c, w, i = statistics.median(cold), statistics.median(warm), statistics.median(inline)
            ratios = [a / b for a, b in zip(cold, warm, strict=True)]
            print(f"engine B, empty image store, after a source edit (median of {runs}; spread cold "
                  f"{min(cold):.0f}-{max(cold):.0f} s, cached {min(warm):.0f}-{max(warm):.0f} s): no cache {c:.1f} s, "
                  f"registry cache {w:.1f} s -> {c / w:.1f}x faster (per run {min(ratios):.1f}-{max(ratios):.1f}x; "
                  f"goal >= 3x); previous version alone {i:.1f} s -> {c / i:.1f}x")
        finally:
            subprocess.run(["docker", "image", "rm", f"{repo}:1", *(cache.stage_ref(s) for s in stages)],
                           capture_output=True, check=False)
            client = RegistryClient(REGISTRY)
            for digest in set(client.tag_digests(name).values()):
                client.delete_manifest(name, digest)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
                   capture_output=True, check=True)


def _monorepo(root: Path, n: int) -> None:
    """N services (Python, Go and Node, some on a shared local recipe), committed."""
    (root / "recipes").mkdir(parents=True)
    builtin = REPO / "imgforge" / "recipes" / "builtin" / "python.yaml"
    (root / "recipes" / "shared.yaml").write_text(builtin.read_text().replace("name: python", "name: shared", 1))
    for i in range(n):
        svc = root / "services" / f"svc{i:03d}"
        (svc / "src").mkdir(parents=True)
        kind = ("python", "go", "node", "shared")[i % 4]
        extra = "recipes_path: ../../recipes\n" if kind == "shared" else ""
        (svc / "imgforge.yaml").write_text(f"recipe: {kind}\nimage: {{name: mono/svc{i:03d}}}\n{extra}")
        (svc / "VERSION").write_text("1.0.0\n")
        if kind == "go":
            (svc / "go.mod").write_text(f"module example.invalid/svc{i}\n\ngo 1.19\n")
            (svc / "main.go").write_text("package main\n\nfunc main() {}\n")
        elif kind == "node":
            (svc / "package.json").write_text(json.dumps({"name": f"svc{i}", "version": "1.0.0"}))
            (svc / "package-lock.json").write_text(json.dumps({"name": f"svc{i}", "lockfileVersion": 3}))
            (svc / "server.js").write_text("console.log(1)\n")
        else:
            (svc / "requirements.txt").write_text("flask\n")
            (svc / "app.py").write_text("print(1)\n")
        for j in range(20):
            (svc / "src" / f"m{j}.txt").write_text(f"{i} {j}\n")
    subprocess.run(["git", "-C", str(root), "init", "-q", "-b", "main"], check=True)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "services")


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_plan(n: int, runs: int) -> None:
    """`plan` after one service's source changed, over N generated services: in process, and as a whole CLI process
    (wall clock, and its CPU time, which the other tenants of a shared machine do not inflate)."""
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        root = Path(tmp)
        _monorepo(root, n)
        (root / "services" / "svc007" / "src" / "m3.txt").write_text("edited\n")
        inproc, cli, cpu, startup = [], [], [], []
        result = None
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "imgforge", "--help"], capture_output=True, check=True, env=env)
            startup.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = plan([Path("services")], "HEAD", cwd=root)
            inproc.append(time.perf_counter() - start)
            start, cpu0 = time.perf_counter(), _child_cpu()
            out = subprocess.run([sys.executable, "-m", "imgforge", "plan", "services", "--since", "HEAD"], cwd=root,
                                 capture_output=True, text=True, check=True, env=env)
            cli.append(time.perf_counter() - start)
            cpu.append(_child_cpu() - cpu0)  # the CLI and its git children
            assert json.loads(out.stdout)["count"] == 1
        assert result is not None
        names = [a.path for a in result.affected]
        print(f"plan, {n} services, one source file changed: affected {names}; "
              f"{statistics.median(inproc):.2f} s in process, {statistics.median(cli):.2f} s as the CLI "
              f"(spread {min(cli):.2f}-{max(cli):.2f} s; CPU {statistics.median(cpu):.2f} s), of which "
              f"{statistics.median(startup):.2f} s is the CLI's start-up (`imgforge --help`) (median of {runs}; "
              f"goal < 1 s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-engine", action="store_true", help="only the plan benchmark")
    parser.add_argument("--skip-plan", action="store_true", help="only the engine benchmark")
    parser.add_argument("--variant", choices=sorted(VARIANTS), action="append",
                        help="Dockerfile layouts (default: all three)")
    args = parser.parse_args()
    if not args.skip_plan:
        bench_plan(args.projects, max(args.runs, 5))
    if not args.skip_engine:
        for variant in args.variant or list(VARIANTS):
            bench_engines(args.runs, variant)


if __name__ == "__main__":
    main()
