"""Python start commands from hosting platforms' settings files, the ASGI server a project depends on, a
`[project.scripts]` command line beside a web app, and the optional dependencies a start command needs (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imgforge.generate import generate, load_project
from imgforge.generate.deployhints import platform_start
from imgforge.generate.init import plan_init
from imgforge.generate.pyextras import start_extras
from imgforge.generate.pystart import python_start
from tests.generate._files import write

FASTAPI = "from fastapi import FastAPI\n\nservice = FastAPI()\n"


# Modelled on the platforms' own templates (Railway's FastAPI template, Render's Django example, Fly's and
# DigitalOcean's app specs): each names the start command where no Procfile does.
@pytest.mark.parametrize(("files", "command", "where"), [
    ({"railway.json": '{"deploy": {"startCommand": "hypercorn web:service --bind \\"[::]:$PORT\\""}}'},
     'hypercorn web:service --bind "[::]:$PORT"', "railway.json deploy.startCommand"),
    ({"railway.toml": '[deploy]\nstartCommand = "gunicorn shop.wsgi"\n'}, "gunicorn shop.wsgi",
     "railway.toml deploy.startCommand"),
    # The web service's command, not a worker's listed first.
    ({"render.yaml": "services:\n  - type: worker\n    startCommand: celery -A shop worker\n"
                     "  - type: web\n    startCommand: python -m gunicorn shop.asgi:application\n"},
     "python -m gunicorn shop.asgi:application", "render.yaml services[1].startCommand"),
    ({"nixpacks.toml": '[start]\ncmd = "uvicorn web:service --host 0.0.0.0"\n'}, "uvicorn web:service --host 0.0.0.0",
     "nixpacks.toml [start] cmd"),
    ({"fly.toml": '[processes]\nworker = "python jobs.py"\nweb = "gunicorn web:app"\n'
                  '[http_service]\nprocesses = ["web"]\n'}, "gunicorn web:app", "fly.toml [processes] web"),
    ({"fly.toml": '[experimental]\ncmd = ["waitress-serve", "--port=8080", "web:app"]\n'},
     "waitress-serve --port=8080 web:app", "fly.toml [experimental] cmd"),
    ({".do/app.yaml": "name: shop\nservices:\n  - name: web\n    run_command: gunicorn --worker-tmp-dir /dev/shm "
                      "shop.wsgi\n"}, "gunicorn --worker-tmp-dir /dev/shm shop.wsgi",
     ".do/app.yaml services[0].run_command"),
])
def test_a_platform_file_names_the_start_command(tmp_path: Path, files: dict[str, str], command: str,
                                                 where: str) -> None:
    hint = platform_start(write(tmp_path, files))
    assert hint is not None and (hint.command, hint.where) == (command, where)


@pytest.mark.parametrize("files", [
    {"railway.json": "{not json"},
    {"render.yaml": "services: [unclosed\n"},
    {"render.yaml": "- just\n- a list\n"},
    {"fly.toml": "[processes]\napp = 3\n"},
    {"railway.json": '{"deploy": {"startCommand": "   "}}', "nixpacks.toml": "[start]\ncmd = []\n"},
])
def test_platform_files_that_say_nothing_usable_are_skipped(tmp_path: Path, files: dict[str, str]) -> None:
    assert platform_start(write(tmp_path, files)) is None


def test_a_monorepo_service_of_another_folder_is_not_this_projects(tmp_path: Path) -> None:
    render = ("services:\n  - type: web\n    rootDir: frontend\n    startCommand: npm start\n"
              "  - type: web\n    rootDir: ./\n    startCommand: gunicorn api:app\n")
    hint = platform_start(write(tmp_path / "a", {"render.yaml": render}))
    assert hint is not None
    assert (hint.command, hint.where) == ("gunicorn api:app", "render.yaml services[1].startCommand")
    spec = "services:\n  - name: api\n    source_dir: /api\n    run_command: gunicorn api:app\n"
    assert platform_start(write(tmp_path / "b", {".do/app.yaml": spec})) is None


def test_a_procfile_comes_before_a_platform_file_and_a_platform_file_before_the_framework(tmp_path: Path) -> None:
    files = {"requirements.txt": "fastapi\nhypercorn\n", "web.py": FASTAPI,
             "railway.json": '{"deploy": {"startCommand": "hypercorn web:service -b 0.0.0.0:$PORT"}}'}
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint[-1] == "exec hypercorn web:service -b 0.0.0.0:$PORT"
    assert start.why == "railway.json deploy.startCommand"
    write(tmp_path, {"Procfile": "web: uvicorn web:service --port $PORT\n"})
    start = python_start(tmp_path)
    assert start is not None and start.entrypoint[-1] == "exec uvicorn web:service --port $PORT"


@pytest.mark.parametrize(("files", "command"), [
    # Railway's FastAPI template depends on hypercorn, not uvicorn.
    ({"requirements.txt": "fastapi==0.100.0\nhypercorn==0.14.4\n", "web.py": FASTAPI},
     "exec hypercorn --bind 0.0.0.0:${PORT} 'web:service'"),
    # uvicorn first when a project has both.
    ({"requirements.txt": "fastapi\nhypercorn\nuvicorn\n", "web.py": FASTAPI},
     "exec uvicorn web:service --host 0.0.0.0 --port ${PORT}"),
    ({"requirements.txt": "starlette\ngranian\n",
      "site/app.py": "from starlette.applications import Starlette\n\nsite = Starlette(routes=[])\n"},
     "exec granian --interface asgi --host 0.0.0.0 --port ${PORT} 'site.app:site'"),
    ({"manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n", "shop/asgi.py": "",
      "requirements.txt": "Django\ndaphne\n"}, "exec daphne --bind 0.0.0.0 --port ${PORT} 'shop.asgi:application'"),
])
def test_an_asgi_app_runs_under_the_server_the_project_depends_on(tmp_path: Path, files: dict[str, str],
                                                                  command: str) -> None:
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint[-1] == command


def test_an_asgi_app_without_a_server_is_not_given_one(tmp_path: Path) -> None:
    assert python_start(write(tmp_path, {"requirements.txt": "fastapi\n", "lib/web.py": FASTAPI})) is None


PACKAGE = ('[project]\nname = "digest"\ndependencies = ["click", "fastapi", "uvicorn"]\n'
           '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n')
CLI = "import asyncio\nimport click\n\n@click.command()\n@click.argument('src')\ndef main(src):\n" \
      "    asyncio.run(work(src))\n"


def test_a_command_line_script_gives_way_to_the_web_app_beside_it(tmp_path: Path) -> None:
    # Modelled on coderamp-labs/gitingest: the script is a click CLI (asyncio.run is no server); the service is
    # the FastAPI app of another package in src/.
    files = {"pyproject.toml": PACKAGE + '[project.scripts]\ndigest = "digest.__main__:main"\n',
             "src/digest/__init__.py": "", "src/digest/__main__.py": CLI,
             "src/webui/__init__.py": "", "src/webui/main.py": FASTAPI}
    start = python_start(write(tmp_path, files))
    assert start is not None
    assert start.entrypoint[-1] == "PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} exec uvicorn webui.main:service " \
                                   "--host 0.0.0.0 --port ${PORT}"


# Modelled on gitingest's server, which mounts src/static (no package, left out of the wheel) by its own path.
@pytest.mark.parametrize(("files", "from_src"), [
    ({"src/webui/main.py": FASTAPI, "src/static/site.css": ""}, True),
    ({"src/webui.py": FASTAPI}, True),
    # src/ is itself a package (`from src.webui import`): the root is already where it is imported from.
    ({"src/__init__.py": "", "src/webui/main.py": FASTAPI}, False),
    ({"webui/main.py": FASTAPI}, False),
    # Compiled code in src/: only the installed copy has the extension modules.
    ({"src/webui/main.py": FASTAPI, "src/webui/_fast.pyx": ""}, False),
])
def test_a_src_layout_app_is_imported_from_its_sources(tmp_path: Path, files: dict[str, str], from_src: bool) -> None:
    start = python_start(write(tmp_path, {"requirements.txt": "fastapi\nuvicorn\n", **files}))
    assert start is not None
    assert start.entrypoint[-1].startswith("PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH} exec uvicorn ") is from_src


@pytest.mark.parametrize(("target", "module"), [
    ("digest.launch:main", "import uvicorn\n\ndef main():\n    uvicorn.run('webui.main:service', host='0.0.0.0')\n"),
    ("digest.launch:main", "from waitress import serve\n\ndef main():\n    serve(app)\n"),
    ("digest.launch:serve", "def serve():\n    pass\n"),
])
def test_a_script_that_starts_the_server_still_wins(tmp_path: Path, target: str, module: str) -> None:
    scripts = f'[project.scripts]\ndigest = "digest.__main__:main"\ndigest-web = "{target}"\n'
    files = {"pyproject.toml": PACKAGE + scripts,
             "src/digest/__init__.py": "", "src/digest/__main__.py": CLI, "src/digest/launch.py": module,
             "src/webui/__init__.py": "", "src/webui/main.py": FASTAPI}
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == ("digest-web",)


def test_a_command_line_script_is_still_the_start_when_nothing_else_serves(tmp_path: Path) -> None:
    files = {"pyproject.toml": PACKAGE + '[project.scripts]\ndigest = "digest.__main__:main"\n',
             "src/digest/__init__.py": "", "src/digest/__main__.py": CLI}
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == ("digest",)


# Modelled on psf/httpbin: gunicorn and its gevent worker only in an optional group the Procfile needs.
EXTRAS = ('[project]\nname = "echo"\ndependencies = ["flask"]\n[project.optional-dependencies]\n'
          'test = ["pytest"]\nprod = ["gunicorn", "gevent>=23"]\nasync = ["uvicorn[standard]"]\n')


@pytest.mark.parametrize(("procfile", "extras"), [
    ("web: gunicorn echo:app -k gevent", ("prod",)),
    ("web: python -m gunicorn --worker-class uvicorn.workers.UvicornWorker echo:app", ("async", "prod")),
    ("web: flask --app echo run", ()),
    ("web: FORWARDED_ALLOW_IPS=* gunicorn echo:app --worker-class=gevent", ("prod",)),
    ("web: python manage.py migrate && exec gunicorn echo:app", ("prod",)),
])
def test_the_optional_groups_a_start_command_needs(tmp_path: Path, procfile: str, extras: tuple[str, ...]) -> None:
    root = write(tmp_path, {"pyproject.toml": EXTRAS, "Procfile": procfile + "\n", "echo.py": ""})
    assert start_extras(root, python_start(root)) == extras


def test_no_optional_group_for_a_program_the_dependencies_have(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": EXTRAS.replace('["flask"]', '["flask", "gunicorn", "gevent"]'),
                            "Procfile": "web: gunicorn echo:app -k gevent\n", "echo.py": ""})
    assert start_extras(root, python_start(root)) == ()


def test_init_installs_the_groups_in_the_dependencies_builder(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": EXTRAS, "Procfile": "web: gunicorn echo:app -k gevent\n",
                            "echo.py": ""})
    text = plan_init(root).text
    settings = yaml.safe_load(text)
    [deps] = [b for b in settings["overrides"]["builders"] if b["name"] == "deps"]
    assert deps["env"] == {"IMGFORGE_EXTRAS": "prod"}
    assert "optional dependencies (prod)" in text
    (root / "imgforge.yaml").write_text(text)
    dockerfile = generate(load_project(root)).dockerfile
    deps_stage = dockerfile.split(" AS deps", 1)[1].split("\nFROM ", 1)[0]
    assert 'IMGFORGE_EXTRAS="prod"' in deps_stage or "IMGFORGE_EXTRAS=prod" in deps_stage
