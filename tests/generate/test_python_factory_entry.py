"""An entry module's app made at import by the project's own factory (`app = main_app()` in run.py, a FastAPI
app built inside `create_app()`) is what the WSGI or ASGI server imports, whatever the factory is called (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate.pystart import python_start
from tests.generate._files import write

FLASK_FACTORY = ("from flask import Flask\n\n\ndef bare():\n    app = Flask(__name__)\n    return app\n\n\n"
                 "def build_site(**settings):\n    app = bare()\n    return app\n")
FASTAPI_FACTORY = ("from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    api = FastAPI()\n"
                   "    return api\n\n\napp = create_app()\n")


def _command(root: Path) -> str:
    start = python_start(root)
    assert start is not None
    return start.entrypoint[-1]


def test_a_flask_factory_named_otherwise_is_served_from_the_entry_module(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "flask==3.0.3\ngunicorn==23.0.0\n",
                     "portal/__init__.py": "", "portal/site/__init__.py": "", "portal/site/factory.py": FLASK_FACTORY,
                     "portal/run.py": "from portal.site.factory import build_site\n\napp = build_site()\n\n"
                                      "if __name__ == '__main__':\n    app.run(host='localhost')\n"})
    assert _command(tmp_path) == "exec gunicorn --bind 0.0.0.0:${PORT} 'portal.run:app'"


def test_a_fastapi_app_built_inside_its_factory_is_found(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "svc"\nversion = "0.1.0"\n'
                                       'dependencies = ["fastapi[standard]>=0.110"]\n',
                     "svc/__init__.py": "", "svc/main.py": FASTAPI_FACTORY})
    assert _command(tmp_path) == "exec uvicorn svc.main:app --host 0.0.0.0 --port ${PORT}"


@pytest.mark.parametrize("entry", [
    # A command-line object built by a factory imported from a module that makes no Flask app.
    "from portal.cli import make_cli\n\napp = make_cli()\n",
    # A call to something neither defined nor imported by name.
    "import portal.site.factory as f\n\napp = build_site()\n",
])
def test_an_app_from_elsewhere_is_not_taken_for_the_web_app(tmp_path: Path, entry: str) -> None:
    write(tmp_path, {"requirements.txt": "flask==3.0.3\ngunicorn==23.0.0\n",
                     "portal/__init__.py": "", "portal/cli.py": "import click\n\n\ndef make_cli():\n"
                                                                 "    return click.Group()\n",
                     "portal/tasks.py": entry})
    start = python_start(tmp_path)
    assert start is None or "portal.tasks" not in start.entrypoint[-1]


DASH = "from dash import Dash, html\n\nboard = Dash(__name__)\nboard.layout = html.Div('hi')\n"


@pytest.mark.parametrize(("files", "command"), [
    # Dash's deployment guide: the Flask server under gunicorn.
    ({"requirements.txt": "dash==2.17.1\ngunicorn==23.0.0\n", "app.py": DASH + "server = board.server\n"},
     "exec gunicorn --bind 0.0.0.0:${PORT} app:server"),
    # No gunicorn: the script itself, whose run() reads HOST and PORT.
    ({"requirements.txt": "dash==2.17.1\n", "dashboard/__init__.py": "",
      "dashboard/board.py": DASH + "\nif __name__ == '__main__':\n    board.run(debug=True)\n"},
     "HOST=0.0.0.0 exec python3 -m dashboard.board"),
    # Gradio: the script that launches, bound through Gradio's own variables.
    ({"requirements.txt": "gradio==4.44.0\n", "helpers.py": "import gradio as gr\n",
      "app.py": "import gradio as gr\n\ndemo = gr.Interface(fn=str.upper, inputs='text', outputs='text')\n"
                "demo.launch()\n"},
     "GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=${PORT} exec python3 app.py"),
])
def test_data_apps_start_on_every_interface_and_port(tmp_path: Path, files: dict[str, str], command: str) -> None:
    assert _command(write(tmp_path, files)) == command


def test_a_gradio_script_one_folder_down_is_run_by_its_path(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "gradio\n", "app/__init__.py": "", "app/search.py": "import gradio\n",
                     "app/demo.py": "import gradio as gr\n\ndemo = gr.Blocks()\ndemo.queue().launch(share=False)\n"})
    assert _command(tmp_path) == "GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=${PORT} exec python3 app/demo.py"
