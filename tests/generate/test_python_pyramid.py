"""A Pyramid app is started from its PasteDeploy settings file as Pyramid's cookiecutter writes them: under
gunicorn's `--paste` when the project depends on gunicorn, else by `pserve` when the file's server listens on
every interface, on the port it states (pure).

Modelled on Pylons/pyramid's wiki2 tutorial (pyproject.toml, `egg:tutorial` in production.ini, waitress on
`listen = *:6543`) and its quick tutorial (development.ini on localhost:6543 only).
"""

from __future__ import annotations

from pathlib import Path

from imgforge.generate.init import findings
from imgforge.generate.pystart import python_start
from imgforge.recipes import load_recipe
from tests.generate._files import write

PYPROJECT = ('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\n'
             'name = "wiki"\nversion = "0.0"\ndependencies = ["pyramid", "pyramid_jinja2", "waitress"{extra}]\n\n'
             '[project.scripts]\ninitialize_wiki_db = "wiki.scripts.initialize_db:main"\n\n'
             '[project.entry-points."paste.app_factory"]\nmain = "wiki:main"\n')
INIT = ("from pyramid.config import Configurator\n\n\ndef main(global_config, **settings):\n"
        "    with Configurator(settings=settings) as config:\n        config.include('pyramid_jinja2')\n"
        "        config.scan()\n    return config.make_wsgi_app()\n")


def _ini(listen: str) -> str:
    return (f"[app:main]\nuse = egg:wiki\npyramid.reload_templates = false\n\n[server:main]\nuse = egg:waitress#main\n"
            f"listen = {listen}\n\n[loggers]\nkeys = root\n")


def _project(root: Path, extra: str = "", **ini: str) -> Path:
    return write(root, {"pyproject.toml": PYPROJECT.format(extra=extra), "wiki/__init__.py": INIT,
                        "wiki/scripts/__init__.py": "", "wiki/scripts/initialize_db.py": "def main():\n    pass\n",
                        **{f"{name}.ini": text for name, text in ini.items()}})


def test_pserve_runs_production_ini_on_its_port(tmp_path: Path) -> None:
    _project(tmp_path, production=_ini("*:6543"), development=_ini("localhost:6543"))
    found = findings(tmp_path, load_recipe("python")[0])
    assert found.start is not None and found.start.entrypoint == ("pserve", "production.ini")
    assert found.port is not None and found.port.number == 6543 and "production.ini" in found.port.why


def test_gunicorn_serves_the_paste_settings_on_port(tmp_path: Path) -> None:
    _project(tmp_path, extra=', "gunicorn"', production=_ini("localhost:6543"))
    start = python_start(tmp_path)
    assert start is not None
    assert start.entrypoint == ("/bin/sh", "-c", "exec gunicorn --paste production.ini --bind 0.0.0.0:${PORT}")


def test_settings_on_localhost_only_are_not_served_by_pserve(tmp_path: Path) -> None:
    """pserve cannot move the server off localhost; the installed project's script is no server either."""
    _project(tmp_path, development=_ini("localhost:6543"))
    start = python_start(tmp_path)
    assert start is None or "pserve" not in start.entrypoint
