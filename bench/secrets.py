"""Secret-detection benchmark: imgforge's detector vs a bytes.lower()+find baseline vs detect-secrets.

Generates ~50 MB of source-like text in memory (Python, JS, Go, JSON, lockfiles, Markdown, minified JS,
plus the golden corpora in tests/data/secrets/ with their planted secrets), then prints:
  - the detector's MB/s and its overhead over one `bytes.lower()` + `find` pass over the same files;
  - the same on REAL source: a fixed sample (REAL_MB) of the standard library and this venv's site-packages,
    which reach far more rule keywords than generated text does (passes alternate, CPU time, median ratio);
  - detect-secrets' MB/s on a sample of the same files (scaled), and the speed ratio (target >= 100x);
  - finding parity on the planted secrets: everything detect-secrets finds there, we must find too.
Run: .venv/bin/python bench/secrets.py [MEGABYTES] [--tree DIR] [--clean [SITE_PACKAGES]] [--against TREE]
With --against TREE (another checkout, e.g. `git worktree add /tmp/old <commit>`), that tree's detector runs in
a worker process, its passes alternating with this one's on the same synthetic and real text, and the per-round
speed ratios are printed (how the README's before/after figures are measured).
(detect-secrets comes with the `test` extra). With --tree, the detector and the baseline also run over the text
files of a real directory (read first). With --clean, a clean corpus is built on the fly from the standard
library plus a venv's site-packages (this interpreter's unless given) and its findings per MB are printed:
every finding there is a false positive or a test key (target <= 0.25 per MB).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `secrets` module (which pydantic imports): keep its folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
# `--worker TREE`: time another checkout's detector for --against (its package, so it is put on the path first).
WORKER = sys.argv[sys.argv.index("--worker") + 1] if "--worker" in sys.argv else ""

import base64  # noqa: E402 - after the sys.path fix above
import json  # noqa: E402 - after the sys.path fix above
import hashlib  # noqa: E402 - after the sys.path fix above
import random  # noqa: E402 - after the sys.path fix above
import statistics  # noqa: E402 - after the sys.path fix above
import string  # noqa: E402 - after the sys.path fix above
import subprocess  # noqa: E402 - after the sys.path fix above
import sysconfig  # noqa: E402 - after the sys.path fix above
import tempfile  # noqa: E402 - after the sys.path fix above
import time  # noqa: E402 - after the sys.path fix above
import uuid  # noqa: E402 - after the sys.path fix above

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, WORKER or str(REPO))

from imgforge.secrets import SecretDetector  # noqa: E402

DATA = REPO / "tests" / "data" / "secrets"
WORDS = (
    "request", "response", "client", "server", "config", "value", "result", "error", "handler", "context",
    "session", "user", "account", "build", "image", "layer", "digest", "manifest", "registry", "cache", "index",
    "buffer", "stream", "reader", "writer", "parser", "token", "password", "secret", "key", "auth", "login",
    "logout", "refresh", "expire", "retry", "timeout", "connect", "close", "open", "path", "file", "name",
    "items", "count", "total", "offset", "limit", "page", "query", "filter", "sort", "order", "update", "create",
    "delete", "list", "get", "set",
)  # fmt: skip


def _ident(rng: random.Random) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def _camel(rng: random.Random) -> str:
    parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    return parts[0] + "".join(p.title() for p in parts[1:])


def _python(rng: random.Random) -> str:
    out = [f'"""{" ".join(rng.choice(WORDS) for _ in range(12))}."""', "", "import os", "import json", ""]
    for _ in range(rng.randint(8, 30)):
        fn, arg = _ident(rng), _ident(rng)
        out += [
            f"def {fn}({arg}, {_ident(rng)}=None):",
            f'    """{" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14)))}."""',
            f"    {_ident(rng)} = {arg}.get({_ident(rng)!r}, {rng.randint(0, 999)})",
            f'    if not {arg}:\n        raise ValueError("{" ".join(rng.choice(WORDS) for _ in range(6))}")',
            f"    token = request.headers.get({rng.choice(WORDS)!r})" if rng.random() < 0.2 else "    pass",
            f'    password = os.environ["{_ident(rng).upper()}_PASSWORD"]' if rng.random() < 0.1 else "",
            f"    return {{'{rng.choice(WORDS)}': {arg}, 'id': '{uuid.UUID(int=rng.getrandbits(128))}'}}",
            "",
        ]
    return "\n".join(out)


def _js(rng: random.Random) -> str:
    out = ['"use strict";', f"const {_camel(rng)} = require('{rng.choice(WORDS)}');"]
    for _ in range(rng.randint(8, 30)):
        fn = _camel(rng)
        out += [
            f"export async function {fn}({_camel(rng)}, {{ {_camel(rng)}, token }}) {{",
            f"  const {_camel(rng)} = await fetch(`/api/{rng.choice(WORDS)}/${{token}}`);",
            f"  // {' '.join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))}",
            f"  return {{ {_camel(rng)}: {rng.randint(0, 9999)}, secret: config.{_camel(rng)} }};",
            "}",
        ]
    return "\n".join(out)


def _go(rng: random.Random) -> str:
    out = ["package main", "", 'import "fmt"', ""]
    for _ in range(rng.randint(5, 20)):
        fn = _camel(rng).title()
        out += [
            f"func {fn}({_camel(rng)} string) (string, error) {{",
            f'\t{_camel(rng)} := fmt.Sprintf("%s-{rng.choice(WORDS)}", {_camel(rng)})',
            f"\tapiKey := cfg.{_camel(rng).title()}" if rng.random() < 0.2 else "\t_ = 0",
            f'\treturn "", fmt.Errorf("{" ".join(rng.choice(WORDS) for _ in range(5))}")',
            "}",
            "",
        ]
    return "\n".join(out)


def _lockfile(rng: random.Random) -> str:
    packages = {}
    for _ in range(rng.randint(50, 300)):
        name = "-".join(rng.choice(WORDS) for _ in range(2))
        blob = base64.b64encode(rng.randbytes(64)).decode()
        packages[f"node_modules/{name}"] = {
            "version": f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
            "integrity": f"sha512-{blob}",
        }
    return json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2)


def _markdown(rng: random.Random) -> str:
    out = [f"# {' '.join(rng.choice(WORDS) for _ in range(3)).title()}", ""]
    for _ in range(rng.randint(5, 40)):
        out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 30))) + ".")
        if rng.random() < 0.2:
            out.append(f"    export API_TOKEN=${{{_ident(rng).upper()}}}  # sha256 {rng.randbytes(32).hex()}")
    return "\n".join(out)


def _minified(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(200, 2000)):
        a, b = rng.choice(string.ascii_letters), rng.choice(string.ascii_letters)
        parts.append(rng.choice([f"function {a}({b}){{return {b}.token||{b}.secret}}", f"var {a}={b}.password;",
                                 f'{a}.apiKey="{rng.choice(WORDS)}";',
                                 f"if({a}){{{b}({a},{rng.randint(0, 99)})}}"]))  # fmt: skip
    return "".join(parts)


GENERATORS = ((".py", _python, 40), (".js", _js, 25), (".go", _go, 15), (".json", _lockfile, 4),
              (".md", _markdown, 12), (".min.js", _minified, 4))  # fmt: skip


def make_files(megabytes: float, seed: int = 7) -> tuple[dict[str, bytes], set[str], set[str]]:
    """The synthetic tree (path -> bytes) plus every corpus file; also the planted and the clean corpus paths."""
    rng = random.Random(seed)
    files: dict[str, bytes] = {}
    corpus: dict[str, set[str]] = {"clean": set(), "planted": set()}
    for kind, paths in corpus.items():
        root = DATA / kind
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.name != "expected.json":
                name = f"/srv/{kind}/" + path.relative_to(root).as_posix()
                files[name] = path.read_bytes()
                paths.add(name)
    kinds = [g for g in GENERATORS for _ in range(g[2])]
    total = sum(map(len, files.values()))
    while total < megabytes * 1e6:
        ext, generate, _ = rng.choice(kinds)
        name = f"/srv/app/{rng.choice(WORDS)}/{_ident(rng)}{len(files)}{ext}"
        files[name] = generate(rng).encode()
        total += len(files[name])
    return files, corpus["planted"], corpus["clean"]


REPEATS = 3  # best of three: the machine is shared, the minimum is the least disturbed run


def time_detector(files: dict[str, bytes]) -> tuple[float, dict[str, list]]:
    detector = SecretDetector()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        found = {path: detector.scan_bytes(data, path) for path, data in files.items()}
        best = min(best, time.perf_counter() - start)
    return best, found


def time_baseline(files: dict[str, bytes]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for data in files.values():
            data.lower().find(b"password")
        best = min(best, time.perf_counter() - start)
    return best


def run_detect_secrets(files: dict[str, bytes], sample: list[str]) -> tuple[float, dict[str, set[int]]]:
    """detect-secrets (default plugins and filters) over the sample, written to a temporary tree."""
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    found: dict[str, set[int]] = {}
    with tempfile.TemporaryDirectory() as tmp, default_settings():
        paths = {}
        for name in sample:
            target = Path(tmp) / name.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[name])
            paths[name] = str(target)
        start = time.perf_counter()
        for name, path in paths.items():
            found[name] = {secret.line_number for secret in scan_file(path)}
        return time.perf_counter() - start, found


def read_tree(root: str) -> dict[str, bytes]:
    """Every regular file under ``root`` that the detector would read (bench input only)."""
    detector = SecretDetector()
    files: dict[str, bytes] = {}
    for path in Path(root).rglob("*"):
        if path.is_file() and not path.is_symlink() and detector.wants_path(str(path)):
            try:
                files[str(path)] = path.read_bytes()
            except OSError:
                continue
    return files


REAL_MB = 40.0  # the real-source sample: big enough to hold every kind of file, small enough to stay quick
# The detector before issue 13 (cd7e193) on that sample, measured with --against's worker and this bench's
# lower()+find rounds (imgforge/secrets/README.md): its overhead, for a verdict without an old checkout.
PRE_ISSUE_OVERHEAD = 4.0
ROUNDS = 7  # alternating rounds for the real-source and --against ratios (odd: the median is one round)


def real_source(megabytes: float = REAL_MB, site_packages: str = "") -> dict[str, bytes]:
    """A fixed sample of the standard library plus a venv's site-packages (this interpreter's unless given):
    files in the order of their path's hash, up to ``megabytes``, so every run (and --against) reads the same."""
    detector = SecretDetector()
    paths: list[Path] = []
    for root in (sysconfig.get_paths()["stdlib"], site_packages or sysconfig.get_paths()["purelib"]):
        paths += [
            p for p in Path(root).rglob("*") if p.is_file() and not p.is_symlink() and detector.wants_path(str(p))
        ]
    paths.sort(key=lambda p: hashlib.sha256(str(p).encode()).digest())
    files: dict[str, bytes] = {}
    total = 0
    for path in paths:
        if total >= megabytes * 1e6:
            break
        try:
            files[str(path)] = data = path.read_bytes()
        except OSError:
            continue
        total += len(data)
    return files


def cpu_pass(detector: SecretDetector, files: dict[str, bytes]) -> float:
    """CPU seconds of one detector pass (CPU time: other work on a shared machine disturbs it less than wall time)."""
    start = time.process_time()
    for path, data in files.items():
        detector.scan_bytes(data, path)
    return time.process_time() - start


def cpu_baseline(files: dict[str, bytes]) -> float:
    start = time.process_time()
    for data in files.values():
        data.lower().find(b"password")
    return time.process_time() - start


def ratio_line(label: str, ratios: list[float]) -> str:
    spread = f"range {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} rounds"
    return f"{label}: median x{statistics.median(ratios):.2f} ({spread})"


def real_source_speed(files: dict[str, bytes]) -> None:
    """Detector passes alternating with lower()+find passes over real source; the median overhead."""
    detector = SecretDetector()
    cpu_pass(detector, files)  # warm: rules compile on their first keyword hit
    ours, base = [], []
    for _ in range(ROUNDS):
        ours.append(cpu_pass(detector, files))
        base.append(cpu_baseline(files))
    size = sum(map(len, files.values())) / 1e6
    overheads = [o / b for o, b in zip(ours, base, strict=True)]
    print(
        f"real source (stdlib + site-packages sample, {len(files)} files, {size:.1f} MB):"
        f" imgforge {size / statistics.median(ours):.1f} MB/s (cpu),"
        f" {ratio_line('overhead over lower()+find', overheads)};"
        f" about x{PRE_ISSUE_OVERHEAD / statistics.median(overheads):.2f} the speed of the pre-issue-13 detector"
        f" (overhead x{PRE_ISSUE_OVERHEAD} here; target >= x0.80)"
    )


def against(tree: str, corpora: dict[str, dict[str, bytes]], args: list[str]) -> None:
    """Alternate this tree's detector with ``tree``'s (in a worker process) on each corpus; print new/old speed."""
    detector = SecretDetector()
    for name, files in corpora.items():
        worker = subprocess.Popen([sys.executable, __file__, "--worker", tree, name, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert worker.stdin is not None and worker.stdout is not None
        size = float(worker.stdout.readline())
        mine = sum(map(len, files.values())) / 1e6
        if abs(size - mine) > 1e-6:
            raise SystemExit(f"--against {tree}: its {name} corpus is {size} MB, this one {mine} MB")
        cpu_pass(detector, files)
        ratios = []
        for _ in range(ROUNDS):
            worker.stdin.write("go\n")
            worker.stdin.flush()
            theirs = float(worker.stdout.readline())
            ratios.append(theirs / cpu_pass(detector, files))
        worker.stdin.close()
        worker.wait()
        print(ratio_line(f"speed vs {tree} on {name} text ({mine:.1f} MB), this/that", ratios))


def serve(args: list[str]) -> None:
    """--worker TREE CORPUS [MEGABYTES]: build the corpus, print its size, then time one pass per stdin line."""
    name, rest = args[0], args[1:]
    files = make_files(float(rest[0]) if rest else 50.0)[0] if name == "synthetic" else real_source()
    detector = SecretDetector()
    print(sum(map(len, files.values())) / 1e6, flush=True)
    cpu_pass(detector, files)
    for _ in sys.stdin:
        print(cpu_pass(detector, files), flush=True)


CLEAN_TARGET = 0.25  # findings per MB


def clean_corpus(site_packages: str) -> None:
    """Scan the standard library plus ``site_packages`` and print findings per MB and by rule."""
    files: dict[str, bytes] = {}
    for root in (sysconfig.get_paths()["stdlib"], site_packages):
        files.update(read_tree(root))
    size = sum(map(len, files.values())) / 1e6
    # Judged as an image's own code (neutral paths), so every rule runs on every file: what the rules are worth.
    neutral = {f"/srv/clean/{n:06d}/{Path(path).name}": data for n, (path, data) in enumerate(files.items())}
    ours_s, found = time_detector(neutral)
    count = sum(map(len, found.values()))
    rules: dict[str, int] = {}
    for matches in found.values():
        for m in matches:
            rules[m.rule] = rules.get(m.rule, 0) + 1
    print(f"clean corpus (stdlib + {site_packages}): {len(files)} files, {size:.1f} MB, {size / ours_s:.1f} MB/s,"
          f" {count} findings = {count / size:.3f} per MB (target <= {CLEAN_TARGET}); by rule: {rules}")  # fmt: skip
    # At their own paths, as in an image: rules whose examples fill libraries skip third-party code there.
    _, placed = time_detector(files)
    kept = sum(map(len, placed.values()))
    print(f"  the same files at their own paths (site-packages is third-party code): {kept} findings"
          f" = {kept / size:.3f} per MB")


def main() -> None:
    args = sys.argv[1:]
    if WORKER:
        serve(args[args.index("--worker") + 2 :])
        return
    tree = args.pop(args.index("--tree") + 1) if "--tree" in args else ""
    old = args.pop(args.index("--against") + 1) if "--against" in args else ""
    args = [a for a in args if a not in ("--tree", "--against")]
    if "--clean" in args:
        at = args.index("--clean")
        given = args[at + 1] if at + 1 < len(args) and not args[at + 1].replace(".", "").isdigit() else ""
        args = [a for a in args if a not in ("--clean", given)]
        clean_corpus(given or sysconfig.get_paths()["purelib"])
    megabytes = float(args[0]) if args else 50.0
    if tree:
        real = read_tree(tree)
        size = sum(map(len, real.values())) / 1e6
        ours_s, found = time_detector(real)
        base_s = time_baseline(real)
        print(f"tree {tree}: {len(real)} files, {size:.1f} MB: imgforge {size / ours_s:.1f} MB/s, baseline"
              f" {size / base_s:.1f} MB/s, overhead x{ours_s / base_s:.1f},"
              f" {sum(map(len, found.values()))} findings")  # fmt: skip
    files, planted, clean = make_files(megabytes)
    total = sum(map(len, files.values())) / 1e6
    print(f"data: {len(files)} files, {total:.1f} MB")

    ours_s, ours = time_detector(files)
    base_s = time_baseline(files)
    print(f"imgforge detector:        {total / ours_s:8.1f} MB/s  ({ours_s:.2f} s)")
    print(f"baseline lower()+find:    {total / base_s:8.1f} MB/s  ({base_s:.2f} s)  overhead x{ours_s / base_s:.1f}")
    real = real_source()
    real_source_speed(real)
    if old:
        against(old, {"synthetic": files, "real": real}, args[:1])

    rng = random.Random(11)
    synthetic = sorted(set(files) - planted - clean)
    sample = sorted(planted | clean | set(rng.sample(synthetic, min(len(synthetic), 150))))
    sample_mb = sum(len(files[n]) for n in sample) / 1e6
    ds_s, ds = run_detect_secrets(files, sample)
    ds_rate = sample_mb / ds_s
    print(f"detect-secrets (sample):  {ds_rate:8.2f} MB/s  ({ds_s:.2f} s on {sample_mb:.1f} MB of {len(sample)} files;"
          f" {total / ds_rate:.0f} s scaled to all)")  # fmt: skip
    print(f"speed ratio vs detect-secrets: x{(total / ours_s) / ds_rate:.0f}  (target >= x100)")

    expected = json.loads((DATA / "planted" / "expected.json").read_text())
    planted_lines = {("/srv/planted/" + rel, line) for rel, _, line in expected}
    ours_lines = {(path, m.line) for path in planted for m in ours[path]}
    ds_lines = {(path, line) for path in planted for line in ds.get(path, ())}
    ds_hits = ds_lines & planted_lines
    print(f"planted secrets: {len(planted_lines)}; imgforge finds {len(ours_lines & planted_lines)},"
          f" detect-secrets finds {len(ds_hits)}; found by detect-secrets but missed by imgforge:"
          f" {len(ds_hits - ours_lines)}")  # fmt: skip
    for path, line in sorted(ds_hits - ours_lines):
        print(f"  MISSED {path}:{line}")
    for label, paths in (("golden clean corpus", clean), ("synthetic source sample", set(sample) - planted - clean)):
        print(f"findings in the {label} (all false positives): imgforge {sum(len(ours[k]) for k in paths)},"
              f" detect-secrets {sum(len(ds.get(k, ())) for k in paths)}")  # fmt: skip


if __name__ == "__main__":
    main()
