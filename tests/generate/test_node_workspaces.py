"""A Node workspace whose server is a member package (apps/web beside apps/api and packages/ui): init picks the
member, installs the whole workspace with the root lockfile, builds the member and runs it in its folder from its
production closure (the workspace packages it uses and their production dependencies), or a Next.js member as Next's
standalone server; a workspace with no server serves its front-end member as a static site (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import imgforge.recipes
from imgforge.generate import generate, load_project
from imgforge.generate.init import plan_init, write_init
from imgforge.generate.detect import detect_stack
from imgforge.generate.workspaces import closure, frontend_member, members, workspace_app
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


def test_the_web_member_is_chosen_and_a_next_member_runs_standalone(tmp_path: Path) -> None:
    root = _turbo_like(tmp_path, "package-lock.json")
    assert members(root) == ("apps/api", "apps/docs", "apps/web", "packages/ui")
    app = workspace_app(root)
    assert app is not None and app.folder == "apps/web" and app.name == "web"
    assert "of apps/web, apps/api" in app.why and "docs" not in app.why
    # Next 14 writes a standalone server: it runs from the member's folder inside it, no node_modules beside it.
    assert app.standalone and app.start.entrypoint == ("/usr/bin/env", "HOSTNAME=0.0.0.0", "node", "server.js")
    assert app.closure == ("apps/web", "packages/ui")


def _api_only(root: Path, lockfile: str) -> Path:
    """An API member on a package's executable (fastify-cli) that uses a workspace package, beside an unrelated one."""
    files = {
        "package.json": _pkg("shop", {"build": "turbo run build"}, workspaces=["apps/*", "packages/*"]),
        lockfile: "",
        "apps/api/package.json": _pkg("@shop/api", {"start": "fastify start -l info app.js"},
                                      {"fastify": "4.28.1", "fastify-cli": "6.2.1", "@shop/db": "workspace:*"},
                                      devDependencies={"tap": "18.0.0"}),
        "packages/db/package.json": _pkg("@shop/db", {}, {"@shop/util": "workspace:^"}, main="index.js"),
        "packages/util/package.json": _pkg("@shop/util", {}, main="index.js"),
        "packages/unused/package.json": _pkg("@shop/unused", {}, {"left-pad": "1.3.0"}),
    }
    if lockfile == "pnpm-lock.yaml":
        files["pnpm-workspace.yaml"] = "packages:\n  - 'apps/*'\n  - 'packages/*'\n"
    return write(root, files)


def test_npm_hoists_executables_and_pnpm_links_them_into_the_member(tmp_path: Path) -> None:
    npm = workspace_app(_api_only(tmp_path / "npm", "package-lock.json"))
    assert npm is not None and npm.start.entrypoint[:2] == ("../../node_modules/.bin/fastify", "start")
    pnpm = workspace_app(_api_only(tmp_path / "pnpm", "pnpm-lock.yaml"))
    assert pnpm is not None and pnpm.start.entrypoint[:2] == ("./node_modules/.bin/fastify", "start")


def test_the_closure_follows_workspace_dependencies_only(tmp_path: Path) -> None:
    root = _api_only(tmp_path, "pnpm-lock.yaml")
    assert closure(root, "apps/api", members(root)) == ("apps/api", "packages/db", "packages/util")


def test_init_ships_the_members_production_closure(tmp_path: Path) -> None:
    root = _api_only(tmp_path, "pnpm-lock.yaml")
    plan = plan_init(root)
    settings = yaml.safe_load(plan.text)
    runtime = settings["overrides"]["runtime"]
    assert runtime["workdir"] == "/app/apps/api"
    # The member's folders (no node_modules) from the build, then the production tree of the member alone.
    assert runtime["artifacts"] == [{"stage": "build", "from": "/out", "to": "/app"},
                                    {"stage": "deps", "from": "/prod", "to": "/app"}]
    deps, build = settings["overrides"]["builders"]
    assert deps["env"] == {"IMGFORGE_WORKSPACE": "apps/api", "IMGFORGE_WORKSPACE_NAME": "@shop/api",
                           "IMGFORGE_KEEP": "apps/api packages/db packages/util"}
    assert build["env"] == {"IMGFORGE_WORKSPACE": "apps/api", "IMGFORGE_KEEP": "apps/api packages/db packages/util"}
    assert build["when"] == [] and build["inputs"] == [{"stage": "deps", "from": "/app", "to": "."}]
    write_init(plan)
    files = generate(load_project(root))
    assert "COPY apps/api/package.json ./apps/api/package.json" in files.dockerfile
    assert '--prod --prefer-offline --filter "${IMGFORGE_WORKSPACE_NAME}..."' in files.dockerfile
    assert "COPY --from=build /out /app\nCOPY --from=deps /prod /app" in files.dockerfile
    # A checkout's own apps/api/node_modules stays out of the context (it would replace the installed one).
    assert "**/node_modules" in files.dockerignore.splitlines()


def test_init_runs_a_next_member_as_its_standalone_server(tmp_path: Path) -> None:
    root = _turbo_like(tmp_path, "pnpm-lock.yaml")
    settings = yaml.safe_load(plan_init(root).text)
    runtime = settings["overrides"]["runtime"]
    assert runtime["workdir"] == "/app/apps/web"
    assert runtime["artifacts"] == [{"stage": "build", "from": "/standalone", "to": "/app"}]
    deps, build = settings["overrides"]["builders"]
    assert deps["dependencies"]["manifests"] == ["package.json", "apps/api/package.json", "apps/docs/package.json",
                                                 "apps/web/package.json", "packages/ui/package.json"]
    # Tracing from the workspace root nests the member's path in the standalone folder, whatever Next's version.
    assert build["env"]["NEXT_PRIVATE_STANDALONE"] == "1" and build["env"]["NEXT_PRIVATE_OUTPUT_TRACE_ROOT"] == "/app"
    assert settings["manifest"]["writable_paths"] == ["/tmp", "/app/apps/web/.next/cache"]


def test_a_root_that_runs_its_members_with_concurrently_is_no_server(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "package.json": _pkg("root", {"start": 'concurrently "yarn server" "yarn client"'}, {"concurrently": "8.0.0"},
                             workspaces=["packages/*"]),
        "yarn.lock": "",
        "packages/server/package.json": _pkg("server", {"start": "node ./bin/www"}, {"express": "4.19.2"}),
        "packages/client/package.json": _pkg("client", {"start": "react-scripts start", "build": "react-scripts build"},
                                             {"react-scripts": "5.0.1"}),
        "packages/client/public/index.html": "<div id=root></div>",
    })
    app = workspace_app(root)
    assert app is not None and app.folder == "packages/server" and app.start.entrypoint == ("node", "./bin/www")
    assert detect_stack(root) == "node"


def test_a_workspace_without_a_server_serves_its_front_end_member(tmp_path: Path) -> None:
    # pnpm-workspace.yaml alone (no root package.json), a Vite member and an API member with no start command.
    root = write(tmp_path, {
        "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n",
        "pnpm-lock.yaml": "",
        "apps/web/package.json": _pkg("web", {"dev": "vite", "build": "tsc -b && vite build"}, {"react": "18.3.1"}),
        "apps/web/index.html": "<div id=root></div>",
        "apps/api/package.json": _pkg("api", {"dev": "tsx watch src/index.ts", "build": "tsc"}, {"express": "4.19.2"}),
    })
    site = frontend_member(root)
    assert site is not None and site.folder == "apps/web"
    assert detect_stack(root) == "spa"
    settings = yaml.safe_load(plan_init(root).text)
    deps, build = settings["overrides"]["builders"]
    assert deps["dependencies"]["manifests"] == ["apps/api/package.json", "apps/web/package.json"]
    assert build["env"] == {"IMGFORGE_WORKSPACE": "apps/web"}
    # A workspace with a server member is not a site because one member has an index.html.
    assert detect_stack(_turbo_like(tmp_path / "turbo", "pnpm-lock.yaml")) == "node"


def test_test_folders_stay_out_unless_the_start_command_runs_from_one(tmp_path: Path) -> None:
    plain = write(tmp_path / "plain", {"package.json": _pkg("api", {"build": "tsc", "start": "node dist/server.js"}),
                                       "package-lock.json": "{}"})
    assert "IMGFORGE_DROP" not in plan_init(plain).text
    write_init(plan_init(plain))
    assert "for d in ${IMGFORGE_DROP-test tests __tests__ e2e cypress}" in generate(load_project(plain)).dockerfile
    fixture = write(tmp_path / "fixture", {
        "package.json": _pkg("demo", {"build": "node build.js", "start": "node test/fixtures/server.js"}),
        "package-lock.json": "{}", "test/fixtures/server.js": "require('http').createServer().listen(8080)\n"})
    settings = yaml.safe_load(plan_init(fixture).text)
    assert settings["overrides"]["builders"] == [{"name": "build",
                                                  "env": {"IMGFORGE_DROP": "tests __tests__ e2e cypress"}}]


def test_a_single_package_project_and_a_root_server_are_not_workspace_members(tmp_path: Path) -> None:
    single = write(tmp_path / "single", {"package.json": _pkg("api", {"start": "node server.js"})})
    assert workspace_app(single) is None
    # The root runs its own server (the members are libraries it uses).
    rooted = write(tmp_path / "rooted", {
        "package.json": _pkg("api", {"start": "node server.js"}, {"express": "4.19.2"}, workspaces=["packages/*"]),
        "packages/util/package.json": _pkg("util", {"start": "node cli.js"})})
    assert workspace_app(rooted) is None


def test_a_pnpm_workspace_without_a_root_package_json_runs_its_member(tmp_path: Path) -> None:
    # The member's start is the recipe's own default (node server.js): its script is looked for in its folder.
    root = write(tmp_path, {
        "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n",
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "apps/api/package.json": _pkg("api", {"start": "node server.js"}, {"express": "4.19.2"}),
        "apps/api/server.js": "require('express')().listen(process.env.PORT || 3000)\n",
    })
    assert detect_stack(root) == "node"
    write_init(plan_init(root))
    files = generate(load_project(root))
    assert "COPY pnpm-lock.yaml pnpm-workspace.yaml ./" in files.dockerfile
    assert "COPY package.json" not in files.dockerfile
    assert 'WORKDIR /app/apps/api' in files.dockerfile and 'ENTRYPOINT ["node", "server.js"]' in files.dockerfile


def test_the_kept_test_folder_comes_from_the_recipes_own_drop_list(tmp_path: Path) -> None:
    # A recipe whose build drops other folders by default (spec, fixtures): init reads that list from the build
    # command, so a start command in fixtures/ keeps fixtures and still drops spec.
    text = (Path(imgforge.recipes.__file__).parent / "builtin" / "node.yaml").read_text()
    assert "${IMGFORGE_DROP-test tests __tests__ e2e cypress}" in text
    own = write(tmp_path / "recipes", {"node.yaml": text.replace("${IMGFORGE_DROP-test tests __tests__ e2e cypress}",
                                                                 "${IMGFORGE_DROP-spec fixtures}")})
    root = write(tmp_path / "app", {
        "package.json": _pkg("demo", {"build": "node build.js", "start": "node fixtures/server.js"}),
        "package-lock.json": "{}", "fixtures/server.js": "require('http').createServer().listen(8080)\n"})
    settings = yaml.safe_load(plan_init(root, recipe="node", extra_dirs=[own]).text)
    assert settings["overrides"]["builders"] == [{"name": "build", "env": {"IMGFORGE_DROP": "spec"}}]


@pytest.mark.parametrize(("files", "expected"), [
    # Vite's build.outDir into the server member's public/, plain or through path.resolve(__dirname, …).
    ({"apps/client/vite.config.ts": "export default defineConfig({ build: { outDir: '../api/public' } })\n"},
     ("apps/client",)),
    ({"apps/client/vite.config.js": "build: { outDir: path.resolve(__dirname, '../api/dist/public'), }\n"},
     ("apps/client",)),
    ({"apps/client/package.json": json.dumps({"name": "client", "scripts": {"build": "tsc --outDir ../api/static"}})},
     ("apps/client",)),
    # An alias into another member, or an outDir of its own, is no output into the server.
    ({"apps/client/vite.config.ts": "resolve: { alias: { '@api': '../api/src' } }, build: { outDir: 'dist' }\n"},
     ()),
])
def test_a_member_building_into_the_server_members_folder_is_built_first(tmp_path: Path, files: dict[str, str],
                                                                        expected: tuple[str, ...]) -> None:
    root = write(tmp_path, {"package.json": json.dumps({"name": "ws", "workspaces": ["apps/*"]}),
                            "package-lock.json": "{}",
                            "apps/api/package.json": _pkg("api", {"start": "node server.js"}),
                            "apps/api/server.js": "require('http').createServer().listen(3000)\n",
                            "apps/client/package.json": _pkg("client", {"build": "vite build"}), **files})
    app = workspace_app(root)
    assert app is not None and app.folder == "apps/api" and app.feeders == expected
    build = next(b for b in yaml.safe_load(plan_init(root).text)["overrides"]["builders"] if b["name"] == "build")
    assert build["env"].get("IMGFORGE_FEED") == (" ".join(expected) or None)


@pytest.mark.parametrize("pattern", [".", "./", ""])
def test_a_workspace_pattern_naming_the_root_is_no_member(tmp_path: Path, pattern: str) -> None:
    # pnpm-workspace.yaml with `packages: [.]` only to carry pnpm settings (overrides, ignoredBuiltDependencies).
    root = write(tmp_path, {"package.json": _pkg("site", {"build": "nuxt build"}), "pnpm-lock.yaml": "",
                            "pnpm-workspace.yaml": f"packages:\n  - '{pattern}'\nshellEmulator: true\n"})
    assert members(root) == ()
    assert detect_stack(root) in ("node", "spa")
