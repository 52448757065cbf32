"""`imgforge plan` on a scripted git history: exactly the projects a change touches come out."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from imgforge.cli import main
from imgforge.plan import plan
from imgforge.recipes.loader import BUILTIN_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = "from http.server import HTTPServer\nprint('v{n}')\n"


def _git(repo: Path, *args: str) -> str:
    res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _python(root: Path, name: str, recipe: str = "python", extra: str = "") -> None:
    root.mkdir(parents=True)
    (root / "imgforge.yaml").write_text(f"recipe: {recipe}\nimage: {{name: mono/{name}}}\n{extra}")
    (root / "requirements.txt").write_text("")
    (root / "app.py").write_text(APP.format(n=1))
    (root / "VERSION").write_text("1.0.0\n")


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """A monorepo laid out like imgforge's own: the catalog and built-in recipes beside five services."""
    repo = tmp_path / "mono"
    (repo / "imgforge/env").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "imgforge/env/bases.py", repo / "imgforge/env/bases.py")
    shutil.copytree(BUILTIN_DIR, repo / "imgforge/recipes/builtin")
    (repo / "recipes").mkdir()
    shared = (BUILTIN_DIR / "python.yaml").read_text().replace("name: python", "name: shared", 1)
    (repo / "recipes/shared.yaml").write_text(shared)
    svc = repo / "services"
    _python(svc / "a", "a")
    (svc / "a/.dockerignore").write_text("docs\n*.md\n!KEEP.md\nimgforge.yaml\nDockerfile\n")
    _python(svc / "b", "b")
    _python(svc / "c", "c", "shared", "recipes_path: ../../recipes\n")
    _python(svc / "d", "d", "shared", "recipes_path: ../../recipes\n")
    (svc / "e").mkdir()
    (svc / "e/imgforge.yaml").write_text("recipe: go\nimage: {name: mono/e}\nversion: {source: fixed, value: 1.0.0}\n")
    (svc / "e/go.mod").write_text("module example.invalid/e\n\ngo 1.19\n")
    (svc / "e/main.go").write_text("package main\n\nfunc main() {}\n")
    (repo / "README.md").write_text("mono\n")
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, "initial")
    return repo


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
        ("a VERSION bump", lambda: (svc / "b/VERSION").write_text("1.0.1\n"), {"b"}),
        ("a shared recipe", lambda: _edit(mono / "recipes/shared.yaml", "/opt/venv", "/opt/env"), {"c", "d"}),
        ("a built-in recipe", lambda: _edit(mono / "imgforge/recipes/builtin/go.yaml", "-s -w", "-s"), {"e"}),
        ("one base definition",
         lambda: _edit(mono / "imgforge/env/bases.py", '"golang-go ca-certificates git"', '"golang-go git"'), {"e"}),
        ("a runtime base used by python services",
         lambda: _edit(mono / "imgforge/env/bases.py", '_apt_image("python3 ca-certificates")',
                       '_apt_image("python3 ca-certificates tzdata")'), {"a", "b", "c", "d"}),
        ("the root base", lambda: _edit(mono / "imgforge/env/bases.py", "slim v2", "slim v3"), set("abcde")),
        ("a file outside every project", lambda: (mono / "README.md").write_text("mono v2\n"), set()),
    ]
    before = _git(mono, "rev-parse", "HEAD")
    for what, change, expected in steps:
        change()
        assert _names(mono, before) == expected, f"{what}: working tree against {before[:7]}"
        after = _commit(mono, what)
        assert _names(mono, f"{before}..{after}") == expected, f"{what}: committed range"
        before = after


def test_untracked_files_and_merge_base_ranges(mono: Path) -> None:
    start = _git(mono, "rev-parse", "HEAD")
    _git(mono, "checkout", "-q", "-b", "feature")
    (mono / "services/b/new.py").write_text("print(1)\n")
    assert _names(mono, start) == {"b"}, "an untracked file in the context counts"
    _commit(mono, "feature work")
    _git(mono, "checkout", "-q", "main")
    (mono / "services/d/app.py").write_text(APP.format(n=3))
    _commit(mono, "main moves on")
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
