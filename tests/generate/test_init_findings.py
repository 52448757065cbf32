"""`init` on realistic projects: recipe, start command, port, probes and version, each with its reason (pure)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from imgforge.errors import UsageError
from imgforge.generate import generate, load_project
from imgforge.generate.detect import detect_stack
from imgforge.generate.facts import shell
from imgforge.generate.init import plan_init
from imgforge.generate.nodestart import frontend_only, node_start
from imgforge.generate.pystart import python_start
from tests.generate._files import write

DATA = Path(__file__).resolve().parents[1] / "projects" / "data"

# project -> (recipe, entrypoint, port, health probe)
EXPECTED = {
    "flask-gunicorn": ("python", ["/bin/sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} 'hello:create_app()'"],
                       8080, "http"),
    "fastapi-uv": ("python", ["/bin/sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port ${PORT}"],
                   8080, "http"),
    "django-procfile": ("python", ["/bin/sh", "-c", "exec gunicorn mysite.wsgi --log-file -"], 8080, "tcp"),
    "express-api": ("node", ["node", "src/server.js"], 3000, "http"),
    "vite-spa": ("spa", None, 8080, "http"),
    # Hono's Bun template: a watch-mode dev script only, `export default app` served on PORT by Bun.serve.
    "bun-hono": ("bun", ["bun", "src/index.ts"], 8080, "http"),
    "go-vendor": ("go", None, 8080, "http"),
    "quart-poetry": ("python", ["/bin/sh", "-c", "PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} exec hypercorn "
                                              "--bind 0.0.0.0:${PORT} 'notes:app'"],
                     8080, "tcp"),
    "aiohttp-setuppy": ("python", ["python3", "-m", "greeter.server"], 8080, "tcp"),
    "go-cmd": ("go", None, 8080, "tcp"),
    "fastapi-pdm": ("python", ["/bin/sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port ${PORT}"], 8080,
                    "tcp"),
}


def copy(name: str, tmp_path: Path) -> Path:
    return shutil.copytree(DATA / name, tmp_path / name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_init_reads_start_port_and_health(name, tmp_path):
    root = copy(name, tmp_path)
    plan = plan_init(root)
    recipe, entrypoint, port, probe = EXPECTED[name]
    settings = yaml.safe_load(plan.text)
    assert plan.recipe == recipe
    runtime = (settings.get("overrides") or {}).get("runtime") or {}
    if entrypoint is not None:
        assert runtime["entrypoint"] == entrypoint
        assert "# Start command:" in plan.text
    else:
        assert "entrypoint" not in runtime
    assert runtime.get("port", 8080) == port
    health = (settings.get("overrides") or {}).get("health") or {}
    assert health.get("probe", "http") == probe
    if probe == "tcp":
        assert settings["manifest"] == {"liveness": {"type": "tcp"}, "readiness": {"type": "tcp"}}
    # What init wrote loads and generates: the project goes through unedited.
    plan.path.write_text(plan.text)
    project = load_project(root)
    files = generate(project)
    assert "ENTRYPOINT " + json.dumps(entrypoint or project.recipe.runtime.entrypoint) in files.dockerfile
    assert f"EXPOSE {port}" in files.dockerfile and f"PORT={port}" in files.dockerfile


def test_version_source_follows_what_the_project_has(tmp_path):
    root = copy("express-api", tmp_path)
    assert yaml.safe_load(plan_init(root).text)["version"] == {"source": "fixed", "value": "1.4.0"}
    (root / "VERSION").write_text("2.0.0\n")
    assert yaml.safe_load(plan_init(root).text)["version"] == {"source": "file", "file": "VERSION"}
    assert yaml.safe_load(plan_init(root, version_source="git").text)["version"] == {"source": "git"}


@pytest.mark.parametrize(("files", "command"), [
    ({"Procfile": "web: uvicorn api:app --port $PORT\n", "main.py": ""}, "exec uvicorn api:app --port $PORT"),
    ({"pyproject.toml": '[project]\nname = "t"\ndependencies = ["flask"]\n[project.scripts]\nserve = "t.cli:main"\n'
                        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'}, "serve"),
    ({"manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\n', "site1/asgi.py": "",
      "site1/wsgi.py": "", "requirements.txt": "django\nuvicorn[standard]\n"},
     "exec uvicorn site1.asgi:application --host 0.0.0.0 --port ${PORT}"),
    ({"manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n", "site1/wsgi.py": "",
      "requirements.txt": "django\n"}, "exec python3 manage.py runserver 0.0.0.0:${PORT} --noreload"),
    # The settings module chosen at run time (Azure's Django quickstart): the package is the one with wsgi.py.
    ({"manage.py": "import os\ns = 'site1.production' if 'PROD' in os.environ else 'site1.settings'\n"
                   "os.environ.setdefault('DJANGO_SETTINGS_MODULE', s)\nfrom django.core.management import x\n",
      "site1/wsgi.py": "from django.core.wsgi import get_wsgi_application\n", "tools/wsgi.py": "",
      "requirements.txt": "Django\ngunicorn\n"}, "exec gunicorn site1.wsgi:application --bind 0.0.0.0:${PORT}"),
    ({"requirements.txt": "Flask>=3\n", "web.py": "from flask import Flask\napp = Flask(__name__)\n"},
     "exec flask --app 'web:app' run --host 0.0.0.0 --port ${PORT}"),
    ({"requirements.txt": "fastapi[standard]\n", "src/svc/api.py": "import fastapi\napi = fastapi.FastAPI()\n"},
     "PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} exec uvicorn svc.api:api --host 0.0.0.0 --port ${PORT}"),
    # fastapi[all] (the older extra) carries uvicorn too; main.py is only the module, not a script.
    ({"requirements.txt": "fastapi[all]", "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"},
     "exec uvicorn main:app --host 0.0.0.0 --port ${PORT}"),
    # 0x12th/onetimesecret-1440: src/ is a package itself (src/__init__.py, `from src.secret.router import`).
    ({"requirements.txt": "fastapi[all]", "src/__init__.py": "",
      "src/main.py": "import fastapi\napp = fastapi.FastAPI()\n"},
     "exec uvicorn src.main:app --host 0.0.0.0 --port ${PORT}"),
    ({"app.py": "print('hi')\n"}, "app.py"),
    # streamlit/streamlit-example, streamlit/demo-uber-nyc-pickups: no app.py, a streamlit_app.py script.
    ({"requirements.txt": "streamlit\npandas\n", "streamlit_app.py": "import streamlit as st\n"},
     "exec streamlit run streamlit_app.py --server.address 0.0.0.0 --server.port ${PORT} --server.headless true"),
    ({"requirements.txt": "streamlit==1.40\n", "dashboard.py": "from streamlit import write\n", "util.py": ""},
     "exec streamlit run dashboard.py --server.address 0.0.0.0 --server.port ${PORT} --server.headless true"),
])
def test_python_start_rules_in_order(tmp_path, files, command):
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint[-1] == command


@pytest.mark.parametrize(("pkg", "files", "entry"), [
    ({"scripts": {"start": "NODE_ENV=production node --enable-source-maps dist/main.js"}}, {},
     ("/usr/bin/env", "NODE_ENV=production", "node", "--enable-source-maps", "dist/main.js")),
    ({"scripts": {"start": "npm run serve", "serve": "node app.js"}}, {}, ("node", "app.js")),
    ({"scripts": {"start": "nodemon index.js"}, "main": "lib/index.js"}, {"lib/index.js": ""},
     ("node", "lib/index.js")),
    ({}, {"server.js": ""}, ("node", "server.js")),
    ({"scripts": {"start": "nodemon src/app.ts", "build": "tsc -p ."}},
     {"src/app.ts": "", "tsconfig.json": '{\n  // emitted to dist\n  "compilerOptions": {"outDir": "./dist", '
                                         '"rootDir": "./src",},\n}\n'}, ("node", "dist/app.js")),
    ({"scripts": {"start": "node a.js"}}, {"Procfile": "web: node --max-old-space-size=256 b.js\n"},
     ("node", "--max-old-space-size=256", "b.js")),
    # fastify/demo: the build the image already ran, then the server.
    ({"scripts": {"start": "npm run build && node dist/server.js", "build": "tsc"}}, {}, ("node", "dist/server.js")),
    ({"scripts": {"start": "tsc && node dist/index.js", "build": "tsc"}}, {}, ("node", "dist/index.js")),
    # vercel/nextjs-portfolio-starter: `next start` is the next package's executable (a production dependency);
    # a dev tool's (nodemon) is not run.
    ({"scripts": {"start": "next start", "build": "next build"}, "dependencies": {"next": "13"}}, {},
     ("./node_modules/.bin/next", "start")),
    ({"scripts": {"start": "NODE_ENV=production pm2-runtime app.js"}, "dependencies": {"pm2": "5", "pm2-runtime": "1"}},
     {}, ("/usr/bin/env", "PM2_HOME=/tmp/.pm2", "NODE_ENV=production", "./node_modules/.bin/pm2-runtime", "app.js")),
    ({"scripts": {"start": "nodemon app.js"}, "devDependencies": {"nodemon": "3"}}, {"app.js": ""}, ("node", "app.js")),
    # nestjs/typescript-starter: `nest start` runs through the CLI; start:prod is plain node.
    ({"scripts": {"start": "nest start", "start:prod": "node dist/main", "build": "nest build"}}, {},
     ("node", "dist/main")),
])
def test_node_start_is_plain_node(tmp_path, pkg, files, entry):
    root = write(tmp_path, {"package.json": json.dumps(pkg), **files})
    start = node_start(root)
    assert start is not None and start.entrypoint == entry


# Frameworks whose build writes the production server, in projects with no start script (nuxt/starter v4 has only
# build/dev/generate/preview; a SvelteKit app with adapter-node; an Astro site with the node adapter).
@pytest.mark.parametrize(("pkg", "files", "entry", "bundle"), [
    ({"scripts": {"build": "nuxt build", "dev": "nuxt dev", "preview": "nuxt preview"},
      "dependencies": {"nuxt": "^4.4.8", "vue": "^3.5"}}, {}, ("node", ".output/server/index.mjs"), ".output"),
    ({"scripts": {"build": "vinxi build", "dev": "vinxi dev"}, "dependencies": {"@solidjs/start": "^1"}}, {},
     ("node", ".output/server/index.mjs"), ".output"),
    ({"scripts": {"build": "vite build", "preview": "vite preview"},
      "devDependencies": {"@sveltejs/adapter-node": "^5", "@sveltejs/kit": "^2"}},
     {"svelte.config.js": "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: "
                          "adapter() } };\n"}, ("node", "build"), None),
    ({"scripts": {"build": "vite build"}, "devDependencies": {"@sveltejs/adapter-node": "^5"}},
     {"svelte.config.js": "export default {\n  kit: {\n    adapter: adapter({ precompress: true, out: 'server' })\n"
                          "  }\n};\n"}, ("node", "server"), None),
    ({"scripts": {"build": "astro build", "dev": "astro dev"}, "dependencies": {"astro": "^5", "@astrojs/node": "^9"}},
     {}, ("/usr/bin/env", "HOST=0.0.0.0", "node", "dist/server/entry.mjs"), None),
])
def test_node_start_of_a_framework_built_server(tmp_path, pkg, files, entry, bundle):
    root = write(tmp_path, {"package.json": json.dumps(pkg), **files})
    start = node_start(root)
    assert start is not None and start.entrypoint == entry and start.bundle == bundle
    assert not frontend_only(root)


def test_a_framework_without_a_build_script_or_with_its_own_start_is_not_guessed(tmp_path):
    root = write(tmp_path, {"package.json": json.dumps({"dependencies": {"nuxt": "^4"}}), "index.js": ""})
    start = node_start(root)
    assert start is not None and start.entrypoint == ("node", "index.js")
    own = {"scripts": {"build": "nuxt build", "start": "node .output/server/index.mjs --trace-warnings"},
           "dependencies": {"nuxt": "^4"}}
    (root / "package.json").write_text(json.dumps(own))
    start = node_start(root)
    assert start is not None and start.entrypoint == ("node", ".output/server/index.mjs", "--trace-warnings")


def test_init_ships_only_nitros_bundle_for_a_nuxt_app(tmp_path):
    pkg = {"name": "shop", "type": "module", "scripts": {"build": "nuxt build", "postinstall": "nuxt prepare"},
           "dependencies": {"nuxt": "^4.4.8", "vue": "^3.5.38", "vue-router": "^5.1.0"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "nuxt.config.ts": "export default {}\n",
                            "app/app.vue": "<template><div/></template>\n"})
    plan = plan_init(root)
    runtime = yaml.safe_load(plan.text)["overrides"]["runtime"]
    assert runtime["entrypoint"] == ["node", ".output/server/index.mjs"]
    assert runtime["artifacts"] == [{"stage": "build", "from": "/out/.output", "to": "/app/.output"}]
    (root / "imgforge.yaml").write_text(plan.text)
    lines = generate(load_project(root)).dockerfile.splitlines()
    runtime_stage = lines[next(i for i, ln in enumerate(lines) if ln.endswith(" AS runtime")):]
    copies = [ln for ln in runtime_stage if ln.startswith("COPY")]
    assert copies == ["COPY --from=build /out/.output /app/.output"], copies


def test_frontend_only_needs_a_build_and_no_server(tmp_path):
    root = write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "vite build", "start": "vite"}}),
                            "index.html": "<div id=app></div>"})
    assert frontend_only(root) and detect_stack(root) == "spa"
    dev = {"scripts": {"build": "vite build", "start": "npm run setup && npm run dev", "dev": "vite", "setup": "x"}}
    (root / "package.json").write_text(json.dumps(dev))
    assert frontend_only(root), "a start script that only reaches a dev server is not a server"
    server = {"scripts": {"build": "vite build"}, "dependencies": {"express": "4"}}
    (root / "package.json").write_text(json.dumps(server))
    assert not frontend_only(root) and detect_stack(root) == "node"


def test_no_lockfile_generates_with_a_warning(tmp_path):
    root = copy("express-api", tmp_path)
    (root / "package-lock.json").unlink()
    plan = plan_init(root)
    plan.path.write_text(plan.text)
    files = generate(load_project(root))
    assert any("no lockfile" in w for w in files.warnings)
    assert "# WARNING: no lockfile" in files.dockerfile and "npm install --include=dev" in files.dockerfile


@pytest.mark.parametrize(("command", "script"), [
    # A release step before the server (MDN's django-locallibrary Procfile): exec only the server.
    ("python manage.py migrate && python manage.py collectstatic --no-input && gunicorn site1.wsgi",
     "python manage.py migrate && python manage.py collectstatic --no-input && exec gunicorn site1.wsgi"),
    ("cd web; DJANGO_DEBUG=0 OPTS='-a b' gunicorn x:app -w $(nproc) --bind :${PORT} 2>&1",
     "cd web; DJANGO_DEBUG=0 OPTS='-a b' exec gunicorn x:app -w $(nproc) --bind :${PORT} 2>&1"),
    ("uvicorn 'a:make(\"x && y\")'", "exec uvicorn 'a:make(\"x && y\")'"),
    # Other shapes run as written: no exec to misplace.
    ("gunicorn app | tee log", "gunicorn app | tee log"),
    ("gunicorn app || sleep 1", "gunicorn app || sleep 1"),
    ("worker & gunicorn app", "worker & gunicorn app"),
    ("cd web && exec gunicorn app", "cd web && exec gunicorn app"),
])
def test_shell_execs_the_last_command_of_a_list(command, script):
    assert shell(command) == ("/bin/sh", "-c", script)


def test_procfile_list_runs_every_step(tmp_path):
    root = write(tmp_path, {"Procfile": "web: echo one > a && X=2 sh -c 'echo $X > b'\n", "main.py": ""})
    start = python_start(root)
    assert start is not None
    subprocess.run(start.entrypoint, cwd=root, check=True, timeout=10)
    assert (root / "a").read_text() == "one\n" and (root / "b").read_text() == "2\n"
    node = node_start(write(tmp_path, {"package.json": "{}"}))
    assert node is not None and node.entrypoint == start.entrypoint


@pytest.mark.parametrize(("files", "port"), [
    # A constant the listen call takes (Microsoft's vscode-remote-try-node server.js), in either case.
    ({"package.json": '{"scripts": {"start": "node server.js"}, "dependencies": {"express": "4"}}',
      "server.js": "const PORT = 3000;\nconst HOST = '0.0.0.0';\napp.listen(PORT, HOST);\n"}, 3000),
    ({"package.json": '{"main": "app.js"}', "app.js": "const port = 4000\napp.listen(port)\n"}, 4000),
    ({"requirements.txt": "flask\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"
      "if __name__ == '__main__':\n    app.run(host='0.0.0.0', port=5001)\n"}, 5001),
    # A port of another service (DB_PORT) is not the server's.
    ({"package.json": '{"main": "app.js"}', "app.js": "const DB_PORT = 5432\napp.listen(process.env.PORT)\n"},
     8080),
    # louislam/uptime-kuma: the e2e runner's web server port (config/playwright.config.js, read first in name
    # order) and a Vite dev server's are not the service's; its server's default of PORT is.
    ({"package.json": '{"scripts": {"start": "node server/server.js"}, "dependencies": {"express": "4"}}',
     "config/playwright.config.js": "const port = 30001;\nexport default { webServer: { port } };\n",
     "config/vite.config.js": "export default { server: { port: 3000 } };\n",
     "server/server.js": "require('./config');\n", "server/config.js": "const port = process.env.PORT || 3001;\n"},
     3001),
])
def test_init_reads_the_port_a_constant_states(tmp_path, files, port):
    settings = yaml.safe_load(plan_init(write(tmp_path, files)).text)
    assert ((settings.get("overrides") or {}).get("runtime") or {}).get("port", 8080) == port


def test_frontend_only_finds_an_html_template_in_the_sources(tmp_path):
    # A webpack app (paulwib/minimal-react-app): html-webpack-plugin's template in src/templates, `serve dist`
    # as the start script; node's recipe had no server to start (node server.js, missing).
    pkg = {"scripts": {"build": "webpack --mode=production", "start": "serve dist"},
           "dependencies": {"react": "19", "serve": "14"}, "devDependencies": {"webpack": "5"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "src/index.tsx": "",
                            "dist/index.html": "<p>built</p>"})
    assert not frontend_only(root), "build output is not the project's page"
    write(root, {"src/templates/index.html": "<div id=root></div>"})
    assert frontend_only(root) and plan_init(root).recipe == "spa"
    # A page among the sources of a project whose `main` exists is a server's page.
    write(root, {"package.json": json.dumps({**pkg, "main": "src/server.js"}), "src/server.js": ""})
    assert not frontend_only(root)


@pytest.mark.parametrize("pkg", [
    # wagtail/bakerydemo: linters and prettier only; simonw/datasette: an asset bundler's packages, no build script.
    {"devDependencies": {"eslint": "9", "prettier": "3"}, "scripts": {"lint": "eslint ."}},
    {"dependencies": {"rollup": "3", "codemirror": "6"}, "scripts": {"fix": "prettier --write ."}},
    # A CSS build beside Django templates is not a front-end-only site either.
    {"devDependencies": {"tailwindcss": "4"}, "scripts": {"build": "tailwindcss -o static/site.css"}},
])
def test_package_json_for_tooling_leaves_a_python_project_python(tmp_path, pkg):
    root = write(tmp_path, {"package.json": json.dumps(pkg), "manage.py": "import django\n",
                            "requirements.txt": "django\n", "site/templates/index.html": "<p>hi</p>",
                            "Procfile": "web: uwsgi ./etc/uwsgi.ini\n"})
    assert detect_stack(root) == "python"
    # The same package.json with a Node server beside the Python files stays node.
    (root / "package.json").write_text(json.dumps({**pkg, "dependencies": {"express": "4"}}))
    (root / "Procfile").unlink()
    assert detect_stack(root) == "node"
    # And without Python files, a package.json is Node's whatever it holds.
    for name in ("manage.py", "requirements.txt"):
        (root / name).unlink()
    (root / "package.json").write_text(json.dumps(pkg))
    assert detect_stack(root) in ("node", "spa")


def test_a_static_site_generator_project_is_front_end_only(tmp_path):
    # withastro/blog-tutorial-demo: pages are src/pages/*.astro (no index.html), 'astro dev' as start, output dist/.
    pkg = {"scripts": {"dev": "astro dev", "start": "astro dev", "build": "astro build"},
           "dependencies": {"astro": "^3.1.1", "@astrojs/preact": "^3.0.0"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "src/pages/index.astro": "---\n---\n<h1>hi</h1>\n"})
    assert frontend_only(root) and detect_stack(root) == "spa"
    # With Astro's Node adapter it renders on a server.
    pkg["dependencies"]["@astrojs/node"] = "^9"
    (root / "package.json").write_text(json.dumps(pkg))
    assert not frontend_only(root) and detect_stack(root) == "node"
    # A Docusaurus site: markdown docs, 'docusaurus start' (a dev server), output build/.
    docs = {"scripts": {"start": "docusaurus start", "build": "docusaurus build"},
            "dependencies": {"@docusaurus/core": "3", "react": "18"}}
    (root / "package.json").write_text(json.dumps(docs))
    assert frontend_only(root)
    # A VitePress site (vuejs/docs): markdown pages, vitepress as a dependency, output .vitepress/dist/.
    press = {"scripts": {"dev": "vitepress", "build": "vitepress build"}, "dependencies": {"vitepress": "^1"}}
    (root / "package.json").write_text(json.dumps(press))
    assert frontend_only(root) and detect_stack(root) == "spa"


def test_a_static_file_server_over_the_build_output_is_front_end_only(tmp_path):
    # sveltejs/template: Rollup builds into public/build/, and `start` serves public/ with sirv-cli (a production
    # dependency): there is no server of the project's own, and public/ (with index.html) is the site.
    pkg = {"scripts": {"build": "rollup -c", "dev": "rollup -c -w", "start": "sirv public --no-clear"},
           "devDependencies": {"rollup": "^3", "svelte": "^3"}, "dependencies": {"sirv-cli": "^2"}}
    root = write(tmp_path, {"package.json": json.dumps(pkg), "public/index.html": "<script src=build/bundle.js>",
                            "src/main.js": "import App from './App.svelte';\n"})
    assert frontend_only(root) and detect_stack(root) == "spa"
    plan = plan_init(root)
    (root / "imgforge.yaml").write_text(plan.text)
    dockerfile = generate(load_project(root)).dockerfile
    assert "for d in dist build out .vitepress/dist */.vitepress/dist _site public;" in dockerfile


# Modelled on pallets/quart's examples, aio-libs/aiohttp-demos, a Sanic project template and a setup.py package
# whose __main__.py runs the server: each names no start command a container can use.
@pytest.mark.parametrize(("files", "entry"), [
    # A Quart app object (a dev script that runs app.run() on 127.0.0.1 beside it): hypercorn, Quart's server.
    ({"pyproject.toml": '[tool.poetry.dependencies]\nquart = "*"\n[tool.poetry.scripts]\nstart = "chat:run"\n',
      "src/chat/__init__.py": "from quart import Quart\napp = Quart(__name__)\ndef run():\n    app.run()\n"},
     ("/bin/sh", "-c", "PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} exec hypercorn --bind 0.0.0.0:${PORT} 'chat:app'")),
    ({"requirements.txt": "quart\n", "board/__init__.py": "import quart\n\nasync def create_app():\n    pass\n"},
     ("/bin/sh", "-c", "exec hypercorn --bind 0.0.0.0:${PORT} 'board:create_app()'")),
    ({"requirements.txt": "sanic==24.6\n", "api/server.py": "from sanic import Sanic\napp = Sanic('api')\n"},
     ("/bin/sh", "-c", "exec sanic api.server:app --host 0.0.0.0 --port ${PORT}")),
    # setup.py's install_requires (a name bound to a list) counts as the dependencies.
    ({"setup.py": "from setuptools import setup\nreqs = ['sanic']\nsetup(name='x', install_requires=reqs)\n",
      "x/app.py": "import sanic\nsrv = sanic.Sanic('x')\n"},
     ("/bin/sh", "-c", "exec sanic x.app:srv --host 0.0.0.0 --port ${PORT}")),
    # A package whose __main__.py starts the server, and a module that does under `if __name__ == "__main__":`
    # through the main() it calls (aiohttp's web.run_app).
    ({"setup.py": "", "svc/__init__.py": "", "svc/__main__.py": "from svc import app\napp.create().run(port=8000)\n"},
     ("python3", "-m", "svc")),
    ({"requirements.txt": "aiohttp\n", "chat/__init__.py": "", "chat/views.py": "x = 1\n",
      "chat/main.py": "from aiohttp import web\n\ndef main():\n    web.run_app(web.Application())\n\n\n"
                      "if __name__ == '__main__':\n    main()\n"},
     ("python3", "-m", "chat.main")),
    # litestar-org/litestar-hello-world: its one script is Litestar's own CLI (help, then exit), not the service;
    # litestar[standard] carries uvicorn. A script of the project's own package still wins.
    ({"pyproject.toml": '[project]\nname = "hello"\ndependencies = ["litestar[standard]>=2"]\n[build-system]\n'
                        'requires = ["hatchling"]\n[project.scripts]\ncli = "litestar.__main__:run_cli"\n',
      "app.py": "from litestar import Litestar, get\n\napp = Litestar(route_handlers=[])\n"},
     ("/bin/sh", "-c", "exec uvicorn app:app --host 0.0.0.0 --port ${PORT}")),
    ({"pyproject.toml": '[project]\nname = "svc"\ndependencies = ["litestar[standard]"]\n'
                        '[build-system]\nrequires = ["hatchling"]\n[project.scripts]\nsvc = "svc.main:serve"\n',
      "src/svc/__init__.py": "", "src/svc/main.py": "import litestar\napi = litestar.Litestar()\n"}, ("svc",)),
])
def test_python_servers_without_a_start_script(tmp_path, files, entry):
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == entry


def test_a_module_run_as_a_script_gives_init_its_port(tmp_path):
    root = write(tmp_path, {"setup.py": "", "svc/__init__.py": "",
                            "svc/__main__.py": "from svc import app\napp.create().run(host='0.0.0.0', port=8000)\n"})
    settings = yaml.safe_load(plan_init(root).text)
    assert settings["overrides"]["runtime"] == {"entrypoint": ["python3", "-m", "svc"], "port": 8000}


def test_no_start_command_is_said_by_init_and_stops_generate(tmp_path):
    # A library-shaped project: nothing says how to run it, and the recipe's default app.py is not there.
    root = write(tmp_path, {"requirements.txt": "falcon\n", "look/images.py": "import falcon\n"})
    plan = plan_init(root)
    assert "# No start command found (looked for: Procfile web:" in plan.text
    plan.path.write_text(plan.text)
    with pytest.raises(UsageError, match=r"runs app\.py, which the project does not have .*overrides\.runtime"):
        generate(load_project(root))
    # With an app.py the default runs it.
    (root / "app.py").write_text("print('hi')\n")
    assert "ENTRYPOINT" in generate(load_project(root)).dockerfile


def test_a_node_project_without_a_start_command_stops_generate_unless_its_build_may_make_the_script(tmp_path):
    # A Node library-shaped project: no start script, main, Procfile or entry file; `node server.js` would not start.
    root = write(tmp_path, {"package.json": json.dumps({"name": "x", "dependencies": {"express": "^5"}}),
                            "lib/routes.js": "module.exports = {}\n"})
    plan = plan_init(root)
    assert "# No start command found (looked for: Procfile web:" in plan.text
    plan.path.write_text(plan.text)
    with pytest.raises(UsageError, match=r"runs server\.js, which the project does not have .*overrides\.runtime"):
        generate(load_project(root))
    # A build script may write it (tsc into the root, a bundler): then the build says so if it does not.
    (root / "package.json").write_text(json.dumps({"name": "x", "scripts": {"build": "tsc"},
                                                   "dependencies": {"express": "^5"}}))
    assert "ENTRYPOINT" in generate(load_project(root)).dockerfile


@pytest.mark.parametrize(("pkg", "lock", "entry"), [
    # remix-run/react-router-templates: @react-router/serve installs react-router-serve (no lockfile).
    ({"scripts": {"start": "react-router-serve ./build/server/index.js"},
      "dependencies": {"@react-router/serve": "7", "react": "19"}}, None,
     ("./node_modules/.bin/react-router-serve", "./build/server/index.js")),
    # remix-run/remix's v2 template: @remix-run/serve installs remix-serve (words of the scoped name).
    ({"scripts": {"start": "remix-serve ./build/server/index.js"}, "type": "module",
      "dependencies": {"@remix-run/serve": "*", "@remix-run/node": "*"}}, None,
     ("./node_modules/.bin/remix-serve", "./build/server/index.js")),
    # package-lock.json lists a package's executables: pm2 installs pm2-runtime.
    ({"scripts": {"start": "pm2-runtime start app.js"}, "dependencies": {"pm2": "5"}},
     {"lockfileVersion": 3, "packages": {"node_modules/pm2": {
         "version": "5.4.0", "bin": {"pm2": "bin/pm2", "pm2-runtime": "bin/pm2-runtime"}}}},
     ("/usr/bin/env", "PM2_HOME=/tmp/.pm2", "./node_modules/.bin/pm2-runtime", "start", "app.js")),
])
def test_node_start_runs_a_dependency_executable_named_apart(tmp_path, pkg, lock, entry):
    files = {"package.json": json.dumps(pkg), **({"package-lock.json": json.dumps(lock)} if lock else {})}
    start = node_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == entry
    # Without the lockfile's bin map, an executable no package name gives is not guessed (pm2's container runner
    # is known by name: tests/generate/test_node_server_kinds.py).
    if lock and "pm2" not in pkg["dependencies"]:
        (tmp_path / "package-lock.json").unlink()
        assert node_start(tmp_path) is None


@pytest.mark.parametrize(("files", "target"), [
    # mccutchen/go-httpbin: the server in cmd/go-httpbin, the module path ending in /v2.
    ({"go.mod": "module example.invalid/go-httpbin/v2\n\ngo 1.22\n", "cmd/go-httpbin/main.go": "package main\n",
      "cmd/tool/main.go": "package main\n", "httpbin/httpbin.go": "package httpbin\n"}, "./cmd/go-httpbin"),
    ({"go.mod": "module example.invalid/svc\n", "cmd/api/main.go": "// Command api.\npackage main\n"}, "./cmd/api"),
    ({"go.mod": "module example.invalid/svc\n", "cmd/b/main.go": "package main\n", "cmd/a/main.go": "package main\n",
      "cmd/a/main_test.go": "package main\n"}, "./cmd/a"),
    # A main package at the root is built as before.
    ({"go.mod": "module example.invalid/svc\n", "main.go": "package main\n", "cmd/x/main.go": "package main\n"}, None),
])
def test_init_builds_the_main_package_of_a_cmd_layout(tmp_path, files, target):
    plan = plan_init(write(tmp_path, files))
    builders = (yaml.safe_load(plan.text).get("overrides") or {}).get("builders")
    if target is None:
        assert builders is None
        return
    [build] = builders
    assert build["name"] == "build" and build["build"].endswith(f" -o /out/app {target}")
    plan.path.write_text(plan.text)
    assert build["build"] in generate(load_project(tmp_path)).dockerfile


# Modelled on gabrielecirulli/2048 (index.html, js/ and style/ at the root, no public/): the static recipe's
# public/ does not exist, so all of the root is served; without healthz/readyz files the probes only connect.
def test_a_static_site_at_the_root_is_served_from_the_root(tmp_path):
    root = write(tmp_path, {"index.html": "<html></html>\n", "js/game.js": "var x = 1;\n", "style/main.css": ""})
    plan = plan_init(root)
    assert plan.recipe == "static"
    settings = yaml.safe_load(plan.text)
    assert settings["overrides"]["builders"] == [{"name": "build", "sources": ["."]}]
    assert settings["overrides"]["runtime"]["artifacts"] == [{"stage": "build", "from": "/src", "to": "/www"}]
    assert settings["overrides"]["health"] == {"probe": "tcp"}
    (root / "imgforge.yaml").write_text(plan.text)
    assert "COPY --from=build /src /www" in generate(load_project(root)).dockerfile


def test_a_static_site_in_public_with_health_files_keeps_http_probes(tmp_path):
    root = write(tmp_path, {"public/index.html": "<html></html>\n", "public/healthz": "ok\n",
                            "public/readyz": "ok\n"})
    settings = yaml.safe_load(plan_init(root).text)
    assert "overrides" not in settings and "manifest" not in settings


# Modelled on emikulic/darkhttpd and small C servers: the program make writes is named by the Makefile's default
# goal (through `all:`), not `app`; a goal that is not a plain program name leaves the recipe's artifact.
@pytest.mark.parametrize(("makefile", "program"), [
    ("CC?=cc\nCFLAGS?=-O\n\nall: tinyd\n\ntinyd: tinyd.c\n\t$(CC) $(CFLAGS) tinyd.c -o $@\n\nclean:\n\trm -f tinyd\n"
     "\n.PHONY: all clean\n", "tinyd"),
    (".PHONY: all\nall: server\nserver: main.o net.o\n\t$(CC) -o $@ $^\n", "server"),
    ("all: build/srv\nbuild/srv: srv.c\n\tmkdir -p build && cc -o $@ srv.c\n", None),
    ("OBJ := a.o\n%.o: %.c\n\tcc -c $<\nall: $(OBJ)\n", None),
])
def test_init_copies_the_program_the_makefile_builds(tmp_path, makefile, program):
    root = write(tmp_path, {"Makefile": makefile, "tinyd.c": "int main(void) { return 0; }\n"})
    plan = plan_init(root)
    assert plan.recipe == "c"
    artifacts = (yaml.safe_load(plan.text).get("overrides") or {}).get("runtime", {}).get("artifacts")
    if program is None:
        assert artifacts is None
    else:
        assert artifacts == [{"stage": "build", "from": f"/src/{program}", "to": "/app/app"}]
        (root / "imgforge.yaml").write_text(plan.text)
        assert f"COPY --from=build /src/{program} /app/app" in generate(load_project(root)).dockerfile
