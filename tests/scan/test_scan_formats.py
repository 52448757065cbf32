"""Dockerfile line mapping, fixes, policy parsing and the report formats (pure logic, golden data)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from pathlib import Path

import pytest

from imgforge.errors import UsageError
from imgforge.scan import DEFAULT_POLICY, ScanPolicy, evaluate, load_baseline
from imgforge.scan.dockerfile import fix_for, instruction_of, map_lines, parse_dockerfile
from imgforge.scan.report import BloatItem, LayerRow, ScanReport, SecretFinding, human

DATA = Path(__file__).resolve().parents[1] / "data" / "scan"


def test_history_lines_map_to_the_dockerfile_by_instruction_text():
    instructions = parse_dockerfile((DATA / "Dockerfile.multistage").read_text())
    assert [(i.keyword, i.line) for i in instructions][:5] == [("FROM", 2), ("WORKDIR", 3), ("COPY", 4), ("RUN", 5),
                                                                ("FROM", 7)]
    history = json.loads((DATA / "history.json").read_text())
    got = map_lines([h["created_by"] for h in history], instructions)
    assert got == [h["line"] for h in history]


@pytest.mark.parametrize("created_by, expected", [
    ("RUN |2 A=1 B=2 /bin/sh -c make # buildkit", ("RUN", "make")),
    ("/bin/sh -c apt-get update", ("RUN", "apt-get update")),
    ("/bin/sh -c #(nop)  CMD [\"sh\"]", ("CMD", "[\"sh\"]")),
    ("COPY --chmod=644 a /b # buildkit", ("COPY", "a /b")),
    (None, ("", "")),
])
def test_instruction_of(created_by, expected):
    assert instruction_of(created_by) == expected


def test_fixes_name_the_right_remedy():
    assert "COPY --chmod" in fix_for("/app/a", "metadata-only", "RUN chmod -R 600 /app", "RUN chmod -R 600 /app")
    assert "cache mount" in fix_for("/var/cache/apt/x.deb", "deleted", "RUN apt-get install -y x",
                                    "RUN rm -rf /var/cache")
    assert fix_for("/big", "deleted", "COPY big /big # buildkit", "RUN rm /big").startswith("move it to a build stage")
    assert fix_for("/o", "deleted", "RUN make", "RUN rm /o").startswith("merge the RUNs")


def test_policy_sizes_and_bounds():
    p = ScanPolicy(max_wasted_bytes="10MB", max_size="1.5GiB", min_efficiency=0.9)
    assert (int(p.max_wasted_bytes), int(p.max_size)) == (10_000_000, int(1.5 * 2**30))
    with pytest.raises(ValueError):
        ScanPolicy(min_efficiency=1.5)
    with pytest.raises(ValueError):
        ScanPolicy(unknown=1)


def test_the_plain_default_policy_is_scan_policys_defaults():
    # A scan without settings uses DEFAULT_POLICY (no pydantic); it must be ScanPolicy() field for field.
    assert dataclasses.asdict(DEFAULT_POLICY) == ScanPolicy().model_dump()


def test_baseline_formats(tmp_path):
    f = tmp_path / "b.json"
    f.write_text('{"fingerprints": ["a", "b"]}')
    assert load_baseline(str(f)) == {"a", "b"}
    f.write_text('{"secrets": [{"fingerprint": "c"}]}')  # a previous `imgforge scan --json` report works too
    assert load_baseline(str(f)) == {"c"}
    f.write_text("{")
    with pytest.raises(UsageError, match="not valid JSON"):
        load_baseline(str(f))
    with pytest.raises(UsageError, match="reading baseline"):
        load_baseline(str(tmp_path / "missing.json"))


def _report(**kw) -> ScanReport:
    base: dict[str, Any] = {
        "image": "app:1", "source": "archive", "image_id": "sha256:" + "0" * 64, "total_bytes": 3000,
        "wasted_bytes": 1000, "efficiency": 2 / 3,
        "layers": (LayerRow(0, "sha256:aa", "COPY big /big # buildkit", 3, False, 3000, 1000, 0, 2, 0),
                   LayerRow(1, "sha256:bb", "RUN rm /big # buildkit", 4, False, 0, 0, 1000, 0, 1)),
        "bloat": (BloatItem("/big", 0, 1, 1000, "deleted", "move it to a build stage"),),
        "secrets": (SecretFinding("github-token", "GitHub token", "file", "/app/.env", None, 0, True, 1,
                                  "ghp_****abcd", "f1"),
                    SecretFinding("aws-access-key-id", "AWS key", "env", None, "KEY", None, False, None, "AKIA****",
                                  "f2", 6)),
        "dockerfile": "Dockerfile",
    }
    base.update(kw)
    return ScanReport(**base)  # type: ignore[arg-type]


def test_json_has_the_documented_fields():
    doc = _report().to_json()
    assert {"image", "total_bytes", "wasted_bytes", "efficiency", "layers", "bloat", "secrets"} <= set(doc)
    assert {"index", "digest", "created_by", "bytes", "wasted_bytes"} <= set(doc["layers"][0])
    assert {"path", "added_in", "removed_in", "bytes"} <= set(doc["bloat"][0])
    assert {"rule", "source", "path", "name", "layer", "deleted", "redacted", "fingerprint"} <= set(doc["secrets"][0])
    json.dumps(doc)


def test_sarif_locates_findings_on_dockerfile_lines():
    sarif = _report().to_sarif()
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    file_secret, env_secret, bloat = results
    # No line known for the file secret:
    assert file_secret["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "app:1:/app/.env"
    assert env_secret["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert bloat["ruleId"] == "imgforge.bloat" and bloat["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules == {"github-token", "aws-access-key-id", "imgforge.bloat"}


def test_markdown_summary():
    md = _report(gates=("secrets: 2 finding(s) not in the baseline",)).to_markdown()
    assert "**3.0 kB** in 2 layers, **1.0 kB wasted**, efficiency **66.7%**" in md
    assert "### Failed gates" in md and "no (deleted)" in md and "`/big`" in md


def test_gate_messages():
    r = _report()
    assert evaluate(r, ScanPolicy()) == []
    # The secrets gate names the first finding and what to change (vuejs/docs stopped on a bare count).
    assert evaluate(r, ScanPolicy(fail_on_secrets=True, max_size=2000)) == [
        "secrets: 2 finding(s) not in the baseline (first: github-token in /app/.env:1); take them out of the image, "
        "or accept them: copy this run's scan.json (it lists their fingerprints) beside imgforge.yaml and name the "
        "copy in scan.baseline", "size: 3.0 kB > 2.0 kB"]


def test_human():
    assert [human(n) for n in (0, 999, 1000, 1_500_000)] == ["0 B", "999 B", "1.0 kB", "1.5 MB"]


def test_help_gives_an_example(capsys):
    from imgforge.cli import main

    assert main(["scan", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example: imgforge scan" in out and "--fail-on-secrets" in out
