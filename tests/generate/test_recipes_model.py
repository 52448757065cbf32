"""Recipes and project settings: validation, overrides, schema and drift (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from imgforge.errors import UsageError
from imgforge.project import load_project
from imgforge.recipes import BUILTIN_DIR, SCHEMA_FILE, load_all, parse_recipe, recipe_files
from imgforge.recipes.model import schema_text
from imgforge.settings import parse_yaml

REPO = Path(__file__).resolve().parents[2]
REQUIRED_STACKS = {"python", "node", "go", "c", "static"}


def test_builtin_recipes_cover_the_stacks_and_validate():
    recipes = {r.name: r for r in load_all()}
    assert set(recipes) >= REQUIRED_STACKS
    for recipe in recipes.values():
        assert recipe.runtime.user >= 10000
        assert recipe.health.liveness != recipe.health.readiness
        # Offline by default: every base comes from the local catalog (or scratch).
        for image in [b.image for b in recipe.builders] + [recipe.runtime.image]:
            assert image.startswith("imgforge/") or image == "scratch", (recipe.name, image)


def test_top_level_recipes_folder_is_the_packaged_one():
    # One source of truth: recipes/ is a link to the package data, so the two cannot drift.
    assert (REPO / "recipes").resolve() == BUILTIN_DIR.resolve()
    assert sorted(p.name for p in (REPO / "recipes").iterdir()) == sorted(p.name for p in BUILTIN_DIR.iterdir())


def test_published_schema_is_up_to_date():
    hint = "run: python -c 'from imgforge.recipes.model import schema_text; ...'"
    assert (BUILTIN_DIR / SCHEMA_FILE).read_text() == schema_text(), hint


def test_schema_accepts_every_builtin_and_rejects_unknown_keys():
    schema = json.loads((BUILTIN_DIR / SCHEMA_FILE).read_text())
    for file in recipe_files().values():
        jsonschema.validate(json.loads(json.dumps(parse_yaml(file.read_text(), str(file)))), schema)
    bad = dict(parse_yaml((BUILTIN_DIR / "go.yaml").read_text(), "go.yaml"))
    bad["colour"] = "blue"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_unknown_key_names_file_line_and_path():
    text = (BUILTIN_DIR / "go.yaml").read_text().replace("  port: 8080\n", "  port: 8080\n  prot: 9\n")
    line = text.splitlines().index("  prot: 9") + 1
    with pytest.raises(UsageError, match=rf"my.yaml:{line}: runtime.prot: Extra inputs are not permitted"):
        parse_recipe(text, "my.yaml")


def test_root_user_is_refused_with_line():
    text = (BUILTIN_DIR / "c.yaml").read_text().replace("user: 10001", "user: 0")
    line = text.splitlines().index("  user: 0") + 1
    wanted = rf"c.yaml:{line}: runtime.user: Input should be greater than or equal to 10000"
    with pytest.raises(UsageError, match=wanted):
        parse_recipe(text, "c.yaml")


def write_project(tmp_path: Path, settings: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "imgforge.yaml").write_text(settings)
    for name, body in (files or {"go.mod": "module x\n\ngo 1.19\n"}).items():
        (tmp_path / name).write_text(body)
    return tmp_path


def test_overrides_deep_merge_then_validate(tmp_path):
    root = write_project(tmp_path, "recipe: go\noverrides:\n  runtime:\n    port: 9090\n    image: scratch\n"
                                   "  health:\n    client: none\n")
    project = load_project(root)
    assert project.recipe.runtime.port == 9090
    assert project.recipe.runtime.image == "scratch"
    assert project.recipe.runtime.entrypoint == ["/app/app"]  # untouched keys survive the merge


def test_bad_override_names_the_settings_line(tmp_path):
    root = write_project(tmp_path, "recipe: go\nimage:\n  name: demo\noverrides:\n  runtime:\n    port: high\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:6: runtime.port: Input should be a valid integer"):
        load_project(root)


def test_unknown_recipe_and_missing_manifest(tmp_path):
    root = write_project(tmp_path, "\nrecipe: cobol\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:2: recipe: .*no such recipe"):
        load_project(root)
    (tmp_path / "go.mod").unlink()
    (tmp_path / "imgforge.yaml").write_text("recipe: go\n")
    manifests_line = (BUILTIN_DIR / "go.yaml").read_text().splitlines().index("      manifests: [go.mod]") + 1
    wanted = rf"go.yaml:{manifests_line}: builders.0.dependencies.manifests: go.mod does not"
    with pytest.raises(UsageError, match=wanted):
        load_project(tmp_path)
    (tmp_path / "go.mod").write_text("module x\n")
    (tmp_path / "imgforge.yaml").write_text("recipe: go\noverrides:\n  builders:\n    - name: build\n"
                                            "      image: imgforge/golang:1.19\n      sources: [cmd]\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:6: builders.0.sources: cmd does not exist"):
        load_project(tmp_path)


def test_user_recipes_folder_adds_and_replaces(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (BUILTIN_DIR / "go.yaml").read_text().replace("name: go\n", "name: go-scratch\n")
    (mine / "go-scratch.yaml").write_text(text.replace("port: 8080", "port: 7070"))
    root = write_project(tmp_path, "recipe: go-scratch\nrecipes_path: mine\n")
    assert load_project(root).recipe.runtime.port == 7070
    (tmp_path / "imgforge.yaml").write_text("recipe: go\nrecipes_path: nowhere\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:2: recipes_path: nowhere is not a folder"):
        load_project(tmp_path)


def test_settings_wrong_type_names_line(tmp_path):
    root = write_project(tmp_path, "recipe: go\nlabels:\n  team: [a, b]\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:3: labels.team: Input should be a valid string"):
        load_project(root)


@pytest.mark.parametrize(
    ("files", "stack"),
    [
        (["go.mod", "main.go"], "go"),
        (["go.mod", "build.js", "main.go"], "go-node"),
        (["Makefile", "main.c"], "c"),
        (["Makefile", "tool.py"], "python"),
        (["package.json", "index.html"], "node"),
        (["requirements.txt"], "python"),
        (["public/index.html"], "static"),
    ],
)
def test_detect_stack_from_files(tmp_path, files, stack):
    from imgforge.generate import detect_stack

    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    assert detect_stack(tmp_path) == stack


def test_detect_stack_with_nothing_to_go_on(tmp_path):
    from imgforge.generate import detect_stack

    (tmp_path / "notes.txt").write_text("hi\n")
    with pytest.raises(UsageError, match="no recipe matches"):
        detect_stack(tmp_path)


def test_labels_and_versions_from_settings(tmp_path):
    import subprocess

    from imgforge.generate import generate

    root = write_project(tmp_path, "recipe: go\nimage:\n  name: team/api\n  licenses: Apache-2.0\n"
                                   "labels:\n  com.example.cost: $team\nversion:\n  source: fixed\n  value: 2.3.4\n",
                         {"go.mod": "module x\n", "main.go": "package main\n"})
    project = load_project(root)
    assert project.version() == "2.3.4" and project.image_name == "team/api"
    text = generate(project).dockerfile
    assert 'org.opencontainers.image.licenses="Apache-2.0"' in text
    assert 'com.example.cost="\\$team"' in text, "a $ in a label is literal, not a build-time expansion"
    assert "ARG VERSION=2.3.4" in text
    (tmp_path / "imgforge.yaml").write_text("recipe: go\nversion:\n  source: git\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    assert load_project(tmp_path).version() is None
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    subprocess.run([*git, "tag", "v1.4.0"], check=True)
    assert load_project(tmp_path).version() == "1.4.0"
    (tmp_path / "imgforge.yaml").write_text("recipe: go\nversion:\n  source: file\n")
    (tmp_path / "VERSION").write_text("0.9.1\n")
    assert load_project(tmp_path).version() == "0.9.1"


def test_list_override_error_points_into_the_settings(tmp_path):
    root = write_project(tmp_path, "recipe: go\noverrides:\n  builders:\n    - name: build\n      image: 7\n")
    with pytest.raises(UsageError, match=r"imgforge.yaml:5: builders.0.image: Input should be a valid string"):
        load_project(root)


def test_dockerignore_keeps_settings_secrets_and_vcs_out(tmp_path):
    from imgforge.generate import generate

    root = write_project(tmp_path, "recipe: go\n", {"go.mod": "module x\n", "main.go": "package main\n"})
    entries = generate(load_project(root)).dockerignore.splitlines()
    # imgforge.yaml is out so editing settings never invalidates the source COPY; .env never reaches a layer.
    for entry in (".git", "imgforge.yaml", "Dockerfile*", ".dockerignore", ".env", "*.test"):
        assert entry in entries


def test_dockerignore_keeps_the_pipelines_own_reports_out(tmp_path):
    from imgforge.generate import generate

    # encode/starlette-example: `imgforge pipeline .` wrote dist/<image>/ (lint.json, Dockerfile) before the build,
    # and the source COPY shipped it, a different layer at every run.
    root = write_project(tmp_path, "recipe: python\nimage: {name: shop/api}\n", {"app.py": "print(1)\n"})
    entries = generate(load_project(root)).dockerignore.splitlines()
    assert "dist/shop" in entries
