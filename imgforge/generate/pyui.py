"""Python UI frameworks whose own command serves the app, each bound to every interface on $PORT: Streamlit,
Dash, Gradio, Shiny, Panel, Chainlit. A rule returns None when the project does not depend on the framework or has
no app of it."""

from __future__ import annotations

import re
from pathlib import Path

from imgforge.generate.facts import Start, find_python, read_text, shell


def _streamlit(root: Path, deps: set[str]) -> Start | None:
    """A Streamlit app: `streamlit run` on its script (streamlit_app.py, as Streamlit's own examples name it,
    else a top-level script that imports streamlit), bound to every interface on $PORT, without prompts."""
    if "streamlit" not in deps:
        return None
    scripts = sorted(p for p in root.glob("*.py") if p.is_file())
    named = [p for p in scripts if p.name == "streamlit_app.py"]
    importing = [p for p in scripts if re.search(r"^\s*(?:import|from)\s+streamlit\b", read_text(p), re.M)]
    script = next(iter(named + importing), None)
    if script is None:
        return None
    return Start(shell(f"streamlit run {script.name} --server.address 0.0.0.0 --server.port ${{PORT}} "
                       "--server.headless true"),
                 f"Streamlit app {script.name} with streamlit in its dependencies")


def _dash(root: Path, deps: set[str]) -> Start | None:
    """A Dash app: its Flask `server` (`server = app.server`) under gunicorn when the project depends on it, as
    Dash's deployment guide has it; else the script itself, whose `app.run()` reads HOST (127.0.0.1 unless set)
    and PORT from the environment."""
    if "dash" not in deps:
        return None
    found = find_python(root, r"^(\w+)\s*=\s*(?:dash\.)?Dash\(")
    if found is None:
        return None
    module, name = found
    path = root / (module.replace(".", "/") + ".py")
    server = re.search(rf"^(\w+)\s*=\s*{name}\.server\b", read_text(path), re.M)
    if "gunicorn" in deps and server:
        return Start(shell(f"gunicorn --bind 0.0.0.0:${{PORT}} {module}:{server.group(1)}"),
                     f"Dash app {module}:{name}, its Flask server {server.group(1)} under gunicorn (a dependency)")
    if not re.search(r"\.run(?:_server)?\(", read_text(path)):
        return None
    return Start(shell(f"HOST=0.0.0.0 python3 -m {module}"),
                 f"Dash app {module}:{name} run as a script (Dash reads HOST and PORT); add gunicorn and "
                 "`server = app.server` for production")


def _gradio(root: Path, deps: set[str]) -> Start | None:
    """A Gradio app: the script that calls `.launch()`, bound to every interface on $PORT through the variables
    Gradio reads (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT), as Hugging Face Spaces run app.py."""
    if "gradio" not in deps:
        return None
    # At the root first (app.py first, as Hugging Face Spaces name it), then one folder down (`python app/demo.py`).
    scripts = sorted((p for p in [*root.glob("*.py"), *root.glob("*/*.py")]
                      if p.is_file() and not p.name.startswith(("test", "conftest"))),
                     key=lambda p: (len(p.relative_to(root).parts), p.name != "app.py", str(p)))
    script = next((p for p in scripts if re.search(r"^\s*(?:import|from)\s+gradio\b", read_text(p), re.M)
                   and re.search(r"\.launch\(", read_text(p))), None)
    if script is None:
        return None
    rel = script.relative_to(root).as_posix()
    return Start(shell(f"GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=${{PORT}} python3 {rel}"),
                 f"Gradio app {rel} (launch() on every interface and $PORT through GRADIO_SERVER_NAME "
                 "and GRADIO_SERVER_PORT)")


def _shiny(root: Path, deps: set[str]) -> Start | None:
    """A Shiny for Python app: `shiny run` on its file (app.py, Shiny's default; else a top-level file that imports
    shiny, Shiny Express's before Shiny Core's `App(...)`, as posit-dev/py-shiny-templates' deploy links choose),
    which takes a file path (`app-express.py` is no importable module name)."""
    if "shiny" not in deps:
        return None
    scripts = sorted(p for p in root.glob("*.py") if p.is_file() and not p.name.startswith(("test", "conftest")))
    importing = [p for p in scripts if re.search(r"^\s*(?:import|from)\s+shiny\b", read_text(p), re.M)]
    express = [p for p in importing if re.search(r"^\s*(?:import|from)\s+shiny\.express\b", read_text(p), re.M)]
    core = [p for p in importing if re.search(r"^\w+\s*=\s*(?:shiny\.)?App\(", read_text(p), re.M)]
    script = next(iter([p for p in importing if p.name == "app.py"] + express + core), None)
    if script is None:
        return None
    return Start(shell(f"shiny run --host 0.0.0.0 --port ${{PORT}} {script.name}"),
                 f"Shiny app {script.name}, run by the shiny command")


def _script(root: Path, package: str, marks: str = "") -> Path | None:
    """The top-level script that imports `package` (and matches `marks`, when given): app.py first."""
    scripts = sorted((p for p in root.glob("*.py") if p.is_file() and not p.name.startswith(("test", "conftest"))),
                     key=lambda p: (p.name != "app.py", p.name))
    return next((p for p in scripts if re.search(rf"^\s*(?:import|from)\s+{package}\b", read_text(p), re.M)
                 and (not marks or re.search(marks, read_text(p)))), None)


def _panel(root: Path, deps: set[str]) -> Start | None:
    """A Panel app (a script that marks a component `.servable()`) under `panel serve`. Bokeh's server takes
    websocket connections only from the origins it allows, localhost alone by default, which no browser reaching
    the container has: every origin, unless BOKEH_ALLOW_WS_ORIGIN names the deployment's."""
    script = _script(root, "panel", r"\.servable\(") if "panel" in deps else None
    if script is None:
        return None
    return Start(shell(f"panel serve {script.name} --address 0.0.0.0 --port ${{PORT}} "
                       "--allow-websocket-origin \"${BOKEH_ALLOW_WS_ORIGIN:-*}\""),
                 f"Panel app {script.name} (.servable()), served by panel serve; BOKEH_ALLOW_WS_ORIGIN narrows the "
                 "websocket origins it takes (every one by default)")


def _chainlit(root: Path, deps: set[str]) -> Start | None:
    """A Chainlit app under `chainlit run`, headless (no browser to open): run as a script it does nothing."""
    script = _script(root, "chainlit") if "chainlit" in deps else None
    if script is None:
        return None
    return Start(shell(f"chainlit run {script.name} --host 0.0.0.0 --port ${{PORT}} --headless"),
                 f"Chainlit app {script.name}, run by the chainlit command")


UI_RULES = (_streamlit, _dash, _gradio, _shiny, _panel, _chainlit)


# What a UI framework's own launch() reads for its address and port when the code names them not: a Gradio app
# started by a [project.scripts] entry (`launch(server_name="0.0.0.0")`) listens on 7860 without it.
_LAUNCH_ENV = {"gradio": ("Gradio", "GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=${PORT}")}


def script_start(name: str, why: str, deps: set[str]) -> Start:
    """A `[project.scripts]` entry as the start command, with the address and port variables of the UI framework
    the project depends on (its launch() reads them)."""
    found = [(title, env) for package, (title, env) in _LAUNCH_ENV.items() if package in deps]
    if not found:
        return Start((name,), why)
    titles = ", ".join(title for title, _env in found)
    return Start(shell(" ".join(env for _title, env in found) + f" {name}"),
                 f"{why}; {titles} listens on every interface and $PORT through the variables its launch() reads")

