"""`imgforge plan` on a scripted git history: exactly the projects a change touches come out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from scalehelp import APP, REPO_ROOT, commit, git

from imgforge.cli import main
from imgforge.plan import plan


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _names(repo: Path, since: str) -> set[str]:
    return {Path(a.path).name for a in plan([Path("services")], since, cwd=repo).affected}


def test_each_kind_of_change_plans_exactly_its_users(mono: Path) -> None:
    svc = mono / "services"
    steps: list[tuple[str, Callable[[], object], set[str]]] = [
        ("one service's source", lambda: (svc / "a/app.py").write_text(APP.format(n=2)), {"a"}),
        ("a dockerignored file", lambda: _write(svc / "a/docs/x.txt", "x"), set()),
        ("a re-included file", lambda: (svc / "a/KEEP.md").write_text("kept"), {"a"}),
        ("an ignored markdown file", lambda: (svc / "a/NOTES.md").write_text("n"), set()),
        ("ignored settings still count", lambda: _edit(svc / "a/imgforge.yaml", "mono/a", "mono/a2"), {"a"}),
        # Out of the context, but the build reads them (the build network's npmrc and yarnrc secrets).
        ("a project's .npmrc", lambda: _write(svc / "c/.npmrc", "legacy-peer-deps=true\n"), {"c"}),
        ("a project's .yarnrc.yml", lambda: _write(svc / "d/.yarnrc.yml", "nodeLinker: node-modules\n"), {"d"}),
        ("a VERSION bump", lambda: (svc / "b/VERSION").write_text("1.0.1\n"), {"b"}),
        ("a shared recipe", lambda: _edit(mono / "recipes/shared.yaml", "/opt/venv", "/opt/env"), {"c", "d"}),
        ("a built-in recipe", lambda: _edit(mono / "imgforge/recipes/builtin/go.yaml", "-s -w", "-s"), {"e"}),
        ("one base definition",
         lambda: _edit(mono / "imgforge/env/bases.py", '"golang-go ca-certificates git"', '"golang-go git"'), {"e"}),
        ("a runtime base used by python services",
         lambda: _edit(mono / "imgforge/env/bases.py", '_apt_image("python3 ca-certificates", suite=suite)',
                       '_apt_image("python3 ca-certificates tzdata", suite=suite)'), {"a", "b", "c", "d"}),
        ("a service pins python 3.11", lambda: (svc / "b/.python-version").write_text("3.11\n"), {"b"}),
        # Only trixie's root: the 3.13 python users and the go 1.24 service, not b on bookworm's 3.11.
        ("one release's root only",
         lambda: _edit(mono / "imgforge/env/bases.py", "ROOT_RECIPE.replace(SUITE, suite)",
                       'ROOT_RECIPE.replace(SUITE, suite) + " r2"'), {"a", "c", "d", "e"}),
        ("the root base", lambda: _edit(mono / "imgforge/env/bases.py", "slim v2", "slim v3"), set("abcde")),
        ("a file outside every project", lambda: (mono / "README.md").write_text("mono v2\n"), set()),
    ]
    before = git(mono, "rev-parse", "HEAD")
    for what, change, expected in steps:
        change()
        assert _names(mono, before) == expected, f"{what}: working tree against {before[:7]}"
        after = commit(mono, what)
        assert _names(mono, f"{before}..{after}") == expected, f"{what}: committed range"
        before = after


def test_untracked_files_and_merge_base_ranges(mono: Path) -> None:
    start = git(mono, "rev-parse", "HEAD")
    git(mono, "checkout", "-q", "-b", "feature")
    (mono / "services/b/new.py").write_text("print(1)\n")
    assert _names(mono, start) == {"b"}, "an untracked file in the context counts"
    commit(mono, "feature work")
    git(mono, "checkout", "-q", "main")
    (mono / "services/d/app.py").write_text(APP.format(n=3))
    commit(mono, "main moves on")
    # From the merge base: main's own change to d is not the feature's.
    assert _names(mono, "main...feature") == {"b"}
    assert _names(mono, "feature...main") == {"d"}
    # Two dots compare the two ends' trees: both sides' changes show.
    assert _names(mono, "feature..main") == {"b", "d"}


def test_a_broken_project_is_planned_with_its_error_and_the_rest_still_judged(mono: Path) -> None:
    (mono / "services/b/imgforge.yaml").write_text("recipe: nope\n")
    (mono / "services/c/app.py").write_text(APP.format(n=4))
    result = plan([Path("services")], "HEAD", cwd=mono)
    reasons = {Path(a.path).name: [r.kind for r in a.reasons] for a in result.affected}
    assert reasons == {"b": ["error"], "c": ["context"]}


def test_cli_prints_json_and_the_github_matrix(
    mono: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(mono)
    (mono / "services/e/main.go").write_text("package main\n\nfunc main() { println(1) }\n")
    out_file = mono.parent / "gh-output"
    assert main(["plan", "services", "--since", "HEAD", "--github-output", str(out_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matrix"] == {"include": [{"project": "services/e", "image": "mono/e"}]}
    assert data["projects"][0]["reasons"] == [{"kind": "context", "what": "services/e/main.go"}]
    assert sorted(data["unaffected"]) == [f"services/{n}" for n in "abcd"]
    assert out_file.read_text() == 'matrix={"include":[{"project":"services/e","image":"mono/e"}]}\ncount=1\n'
    assert main(["plan", "services"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 5, "no --since: every project"
    assert main(["plan", "services", "--since", "no-such-ref"]) == 2
    assert "--since no-such-ref: not a commit" in capsys.readouterr().err


def test_a_change_to_shared_tooling_can_plan_everything(mono: Path) -> None:
    (mono / "ci").mkdir()
    (mono / "ci/build.sh").write_text("echo\n")
    (mono / "README.md").write_text("changed\n")
    assert _names(mono, "HEAD") == set()
    result = plan([Path("services")], "HEAD", cwd=mono, all_on=["ci", "*.toml"])
    assert {Path(a.path).name for a in result.affected} == set("abcde")
    assert {r.what for a in result.affected for r in a.reasons} == {"ci/build.sh"}


# What `plan` never needs: the engine client, the registry clients, the build, the Dockerfile renderer, the linter.
PLAN_NEVER = ("python_on_whales", "requests", "oras", "imgforge.build", "imgforge.generate.dockerfile",
              "imgforge.registry", "imgforge.lint")


def test_the_plan_cli_imports_no_engine_registry_or_build_module(mono: Path) -> None:
    (mono / "services/a/app.py").write_text(APP.format(n=5))
    code = ("import atexit, json, sys\n"
            "atexit.register(lambda: sys.__stderr__.write('MODULES=' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
            "from imgforge.cli import main\nsys.exit(main(['plan', 'services', '--since', 'HEAD']))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=mono, env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["count"] == 1
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES="))
    loaded = json.loads(line.removeprefix("MODULES="))
    found = [m for m in loaded if any(m == n or m.startswith(n + ".") for n in PLAN_NEVER)]
    assert not found, f"plan imported {found}"
