"""Helpers for the scale tests: a scripted monorepo laid out like imgforge's own, and git commands on it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from imgforge.recipes.loader import BUILTIN_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = "from http.server import HTTPServer\nprint('v{n}')\n"


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; its output, stripped."""
    res = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return res.stdout.strip()


def commit(repo: Path, message: str) -> str:
    """Commit everything; the new commit's id."""
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def python_service(root: Path, name: str, recipe: str = "python", extra: str = "") -> None:
    """A small Python service folder with its settings."""
    root.mkdir(parents=True)
    (root / "imgforge.yaml").write_text(f"recipe: {recipe}\nimage: {{name: mono/{name}}}\n{extra}")
    (root / "requirements.txt").write_text("")
    (root / "app.py").write_text(APP.format(n=1))
    (root / "VERSION").write_text("1.0.0\n")


def make_monorepo(tmp_path: Path) -> Path:
    """A monorepo laid out like imgforge's own: the catalog and built-in recipes beside five services."""
    repo = tmp_path / "mono"
    (repo / "imgforge/env").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "imgforge/env/bases.py", repo / "imgforge/env/bases.py")
    shutil.copytree(BUILTIN_DIR, repo / "imgforge/recipes/builtin")
    (repo / "recipes").mkdir()
    shared = (BUILTIN_DIR / "python.yaml").read_text().replace("name: python", "name: shared", 1)
    (repo / "recipes/shared.yaml").write_text(shared)
    svc = repo / "services"
    # The recipe's own entries plus the service's (a hand-written .dockerignore is kept, but the generated
    # Dockerfile's build reads the generated ignore file beside it).
    python_service(svc / "a", "a", extra="overrides: {dockerignore: [docs, '*.md', '!KEEP.md']}\n")
    python_service(svc / "b", "b")
    python_service(svc / "c", "c", "shared", "recipes_path: ../../recipes\n")
    python_service(svc / "d", "d", "shared", "recipes_path: ../../recipes\n")
    (svc / "e").mkdir()
    (svc / "e/imgforge.yaml").write_text("recipe: go\nimage: {name: mono/e}\nversion: {source: fixed, value: 1.0.0}\n")
    (svc / "e/go.mod").write_text("module example.invalid/e\n\ngo 1.19\n")
    (svc / "e/main.go").write_text("package main\n\nfunc main() {}\n")
    (repo / "README.md").write_text("mono\n")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "initial")
    return repo
