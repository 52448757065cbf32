"""A Node workspace whose server is a member package (apps/web beside apps/api and packages/ui): init picks the
member, installs the whole workspace with the root lockfile, builds the member and runs it in its folder (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init
from imgforge.generate.workspaces import members, workspace_app
from tests.generate._files import write


def _pkg(name: str, scripts: dict[str, str], deps: dict[str, str] | None = None, **extra: object) -> str:
    return json.dumps({"name": name, "private": True, "scripts": scripts, "dependencies": deps or {}, **extra})


def _turbo_like(root: Path, lockfile: str) -> Path:
    files = {
        "package.json": _pkg("shop", {"build": "turbo run build", "start": "turbo run start"},
                             devDependencies={"turbo": "2.0.0"}, workspaces=["apps/*", "packages/*"]),
        lockfile: "",
        "apps/web/package.json": _pkg("web", {"build": "next build", "start": "next start", "dev": "next dev"},
                                      {"next": "14.2.3", "ui": "*"}),
        "apps/api/package.json": _pkg("api", {"build": "tsc", "start": "node dist/main.js"}, {"express": "4.19.2"}),
        "apps/api/src/main.ts": "app.listen(process.env.PORT || 4000)\n",
        "apps/docs/package.json": _pkg("docs", {"dev": "vite", "build": "vite build"}, {"vue": "3.4.0"}),
        "packages/ui/package.json": _pkg("ui", {"lint": "eslint ."}, main="index.ts"),
        "packages/ui/index.ts": "export const Button = 1\n",
    }
    if lockfile == "pnpm-lock.yaml":
        files["pnpm-workspace.yaml"] = "packages:\n  - 'apps/*'\n  - 'packages/*'\n"
        files["package.json"] = _pkg("shop", {"build": "pnpm -r build"})
    return write(root, files)


def test_the_web_member_is_chosen_and_listed_with_the_other_servers(tmp_path: Path) -> None:
    root = _turbo_like(tmp_path, "package-lock.json")
    assert members(root) == ("apps/api", "apps/docs", "apps/web", "packages/ui")
    app = workspace_app(root)
    assert app is not None and app.folder == "apps/web"
    assert "of apps/web, apps/api" in app.why and "docs" not in app.why
    # npm hoists next's executable to the workspace root's node_modules/.bin.
    assert app.start.entrypoint == ("../../node_modules/.bin/next", "start")


def test_pnpm_links_executables_into_the_members_own_node_modules(tmp_path: Path) -> None:
    app = workspace_app(_turbo_like(tmp_path, "pnpm-lock.yaml"))
    assert app is not None and app.start.entrypoint == ("./node_modules/.bin/next", "start")


def test_init_installs_at_the_root_builds_the_member_and_runs_in_its_folder(tmp_path: Path) -> None:
    root = _turbo_like(tmp_path, "pnpm-lock.yaml")
    plan = plan_init(root)
    settings = yaml.safe_load(plan.text)
    runtime = settings["overrides"]["runtime"]
    assert runtime["workdir"] == "/app/apps/web"
    assert runtime["artifacts"] == [{"stage": "build", "from": "/out", "to": "/app"}]
    deps, build = settings["overrides"]["builders"]
    assert deps["dependencies"]["manifests"] == ["package.json", "apps/api/package.json", "apps/docs/package.json",
                                                 "apps/web/package.json", "packages/ui/package.json"]
    assert build["inputs"] == [{"stage": "deps", "from": "/app", "to": "."}]
    assert build["build"].startswith("cd apps/web && npm run build --if-present && cd /app")
    assert settings["manifest"]["writable_paths"] == ["/tmp", "/app/apps/web/.next/cache"]
    write_init(plan)
    files = generate(load_project(root))
    assert "COPY apps/web/package.json ./apps/web/package.json" in files.dockerfile
    assert "COPY --from=deps /app ." in files.dockerfile
    # A checkout's own apps/web/node_modules stays out of the context (it would replace the installed one).
    assert "**/node_modules" in files.dockerignore.splitlines()


def test_a_single_package_project_and_a_root_server_are_not_workspace_members(tmp_path: Path) -> None:
    single = write(tmp_path / "single", {"package.json": _pkg("api", {"start": "node server.js"})})
    assert workspace_app(single) is None
    # The root runs its own server (the members are libraries it uses).
    rooted = write(tmp_path / "rooted", {
        "package.json": _pkg("api", {"start": "node server.js"}, {"express": "4.19.2"}, workspaces=["packages/*"]),
        "packages/util/package.json": _pkg("util", {"start": "node cli.js"})})
    assert workspace_app(rooted) is None
