"""Apps whose framework has its own serving command or none at all: a Shiny app runs under `shiny run` on the
file Shiny would pick, a Panel app under `panel serve`, a Chainlit app under `chainlit run`, a BlackSheep app (no
server of its own, no `__main__` block) under the project's ASGI server; all on every interface and $PORT (pure).

Modelled on posit-dev/py-shiny-templates (a folder with app-core.py and app-express.py, `shiny` in
requirements.txt), gregwinther/panel_deploy (`row.servable()` in app.py; its Dockerfile's CMD binds port 80),
Chainlit/cookbook's folders (`import chainlit as cl` in app.py) and Neoteroi/BlackSheep-Examples
(`app = Application()` in server.py, run as `uvicorn server:app`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate.pystart import python_start
from tests.generate._files import write

CORE = "from shiny import App, render, ui\n\napp_ui = ui.page_fluid()\n\ndef server(i, o, s):\n    pass\n\n" \
       "app = App(app_ui, server)\n"
EXPRESS = "from shiny import render, ui\nfrom shiny.express import input\n\nui.panel_title('Hi')\n"


@pytest.mark.parametrize(("files", "script"), [
    ({"requirements.txt": "shiny\n", "app-core.py": CORE, "app-express.py": EXPRESS}, "app-express.py"),
    ({"requirements.txt": "shiny==1.2.0\npandas\n", "dashboard.py": CORE, "shared.py": "import pandas\n"},
     "dashboard.py"),
    ({"requirements.txt": "shiny\n", "app.py": CORE, "other.py": EXPRESS}, "app.py"),  # Shiny's default file
])
def test_a_shiny_app_runs_under_shiny_run(tmp_path: Path, files: dict[str, str], script: str) -> None:
    start = python_start(write(tmp_path, files))
    assert start is not None
    assert start.entrypoint == ("/bin/sh", "-c", f"exec shiny run --host 0.0.0.0 --port ${{PORT}} {script}")


def test_a_file_that_only_mentions_shiny_is_no_app(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "shiny\n", "notes.py": "# made with shiny\nprint('hi')\n"})
    assert python_start(tmp_path) is None


@pytest.mark.parametrize(("files", "command"), [
    ({"requirements.txt": "blacksheep==2.0.4\nuvicorn==0.25.0\n",
      "server.py": "from blacksheep import Application, get\n\napp = Application()\napp.serve_files('static')\n"},
     "exec uvicorn server:app --host 0.0.0.0 --port ${PORT}"),
    ({"requirements.txt": "blacksheep\nhypercorn\n", "app/__init__.py": "",
      "app/main.py": "import blacksheep\n\napplication = blacksheep.Application(show_error_details=True)\n"},
     "exec hypercorn --bind 0.0.0.0:${PORT} 'app.main:application'"),
])
def test_a_blacksheep_app_runs_under_its_asgi_server(tmp_path: Path, files: dict[str, str], command: str) -> None:
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == ("/bin/sh", "-c", command)


def test_an_application_class_of_another_framework_is_not_blacksheeps(tmp_path: Path) -> None:
    """`Application()` is a common name (Tornado, prompt_toolkit): without blacksheep among the dependencies the
    ASGI rule does not take it."""
    write(tmp_path, {"requirements.txt": "prompt_toolkit\nuvicorn\n",
                     "tui.py": "from prompt_toolkit import Application\n\napp = Application()\n"})
    start = python_start(tmp_path)
    assert start is None or "uvicorn" not in " ".join(start.entrypoint)


PANEL = "import panel as pn\n\nrow = pn.Row('hello')\nrow.servable(title='Sine')\n"


@pytest.mark.parametrize("files", [
    {"requirements.txt": "numpy\nbokeh\npanel\nparam\n", "app.py": PANEL},
    # Before the project's own Dockerfile, whose CMD binds a port a non-root container cannot.
    {"requirements.txt": "panel\n", "app.py": PANEL,
     "Dockerfile": "FROM python:3.9-slim\nCMD panel serve app.py --address 0.0.0.0 --port 80\n"},
])
def test_a_panel_app_runs_under_panel_serve_on_port(tmp_path: Path, files: dict[str, str]) -> None:
    start = python_start(write(tmp_path, files))
    command = ('exec panel serve app.py --address 0.0.0.0 --port ${PORT} '
               '--allow-websocket-origin "${BOKEH_ALLOW_WS_ORIGIN:-*}"')
    assert start is not None and start.entrypoint == ("/bin/sh", "-c", command)


def test_a_panel_script_that_serves_nothing_is_no_app(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "panel\n", "plots.py": "import panel as pn\n\npn.extension()\n"})
    assert python_start(tmp_path) is None


def test_a_chainlit_app_runs_headless_under_chainlit_run(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "chainlit\n", "chainlit.md": "# Welcome\n",
                     "app.py": "import chainlit as cl\n\n@cl.on_chat_start\nasync def main():\n    pass\n"})
    start = python_start(tmp_path)
    assert start is not None and start.entrypoint == (
        "/bin/sh", "-c", "exec chainlit run app.py --host 0.0.0.0 --port ${PORT} --headless")


# A Gradio app in a src/ package that a [project.scripts] entry starts, whose launch() names the interface but not
# the port (modelled on anirbanbasu/gradio-experiments: `gre = "...app:main"`, `launch(server_name="0.0.0.0")`).
GRADIO_PACKAGE = ('[project]\nname = "quiz"\nversion = "1.0.0"\ndependencies = ["gradio>=5"]\n'
                  '[project.scripts]\nquiz = "quiz.web:main"\n'
                  '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n')
GRADIO_UI = ("import gradio as gr\n\ndef main():\n    with gr.Blocks() as demo:\n        gr.Markdown('quiz')\n"
             "    demo.launch(server_name='0.0.0.0')\n")


@pytest.mark.parametrize(("dependency", "told"), [('"gradio>=5"', True), ('"click"', False)])
def test_a_script_entry_of_a_gradio_app_gets_the_port_gradio_reads(tmp_path: Path, dependency: str,
                                                                     told: bool) -> None:
    files = {"pyproject.toml": GRADIO_PACKAGE.replace('"gradio>=5"', dependency), "src/quiz/__init__.py": "",
             "src/quiz/web.py": GRADIO_UI}
    start = python_start(write(tmp_path, files))
    assert start is not None
    if told:
        # launch() without server_port listens on GRADIO_SERVER_PORT, else 7860: not the image's $PORT.
        assert start.entrypoint == ("/bin/sh", "-c", "GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=${PORT} exec quiz")
        assert start.why.endswith("Gradio listens on every interface and $PORT through the variables its launch() "
                                  "reads")
    else:
        assert start.entrypoint == ("quiz",)
