"""What `init` reads from the project: its start command, stated port, health routes and what the service needs
beside its code, read as the recipe's language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from imgforge.generate import bunstart
from imgforge.generate.facts import Port, Start, find_port, go_main, health_routes, make_program, port_in
from imgforge.generate.gofiles import RuntimeFile, runtime_files
from imgforge.generate.nodestart import entry_files, node_start
from imgforge.generate.pyextras import start_extras
from imgforge.generate.pystart import python_start
from imgforge.generate.workspaces import WorkspaceApp, WorkspaceSite, frontend_member, workspace_app
from imgforge.generate.writes import Written, node_written_folders, written_folders
from imgforge.recipes.model import Recipe

_SUFFIXES = {"python": (".py",), "node": (".js", ".mjs", ".cjs", ".ts"), "bun": (".ts", ".tsx", ".js", ".mjs"),
             "other": (".go", ".c", ".rs")}
ORDER = {"python": "Procfile web:, a platform's start command (railway.json, render.yaml, nixpacks.toml, fly.toml), "
                   "[project.scripts] that serve, Django, Flask, Quart, FastAPI, Starlette, Litestar, BlackSheep, "
                   "Sanic, Falcon, Bottle, Pyramid (production.ini), Streamlit, Dash, Gradio, Shiny, Panel, Chainlit, "
                   "the project's Dockerfile CMD, other [project.scripts], main.py/app.py, a package's __main__.py, "
                   "a script run as such",
         "node": "Procfile web:, scripts.start as plain node, a framework's built server (Nuxt, SvelteKit, Astro), "
                 "main, server.js/index.js",
         "bun": bunstart.ORDER}


@dataclass(frozen=True)
class Findings:
    """What init read from the project: start command, port, whether it serves health routes."""

    start: Start | None
    port: Port | None
    health: bool
    go_main: tuple[str, str] | None = None
    site_at_root: bool = False  # a static site whose index.html is at the root, not in the recipe's folder
    program: str | None = None  # what the Makefile's default goal builds
    writes: tuple[Written, ...] = ()  # folders beside the code the service makes at run time
    extras: tuple[str, ...] = ()  # pyproject optional-dependency groups the start command needs
    go_files: tuple[RuntimeFile, ...] = ()  # templates, assets, config a Go service opens by a relative path
    workspace: WorkspaceApp | None = None  # the Node workspace member the image runs
    site: WorkspaceSite | None = None  # the front-end-only workspace member the image serves


def language(recipe: Recipe) -> str:
    """python, node, bun or other, from the runtime image the recipe runs on."""
    image = recipe.runtime.image
    return ("python" if "python" in image else "node" if "/node" in image else "bun" if "/bun" in image
            else "other")


def findings(root: Path, recipe: Recipe) -> Findings:
    """Start command, stated port and health routes of the project at `root`, read as `recipe`'s language."""
    lang = language(recipe)
    member = workspace_app(root, bun=lang == "bun") if lang in ("node", "bun") else None
    if member is not None:
        return _member_findings(root, member, recipe, lang)
    if lang == "bun":
        return _bun_findings(root, recipe)
    if recipe.health.served and (member_site := frontend_member(root)) is not None:
        return Findings(None, None, True, site=member_site)
    start = python_start(root) if lang == "python" else node_start(root) if lang == "node" else None
    # A port the start command states (`uvicorn main:app --port 8000` in the project's Dockerfile CMD or a platform
    # file) is where that command listens; the commands imgforge writes itself listen on ${PORT}.
    stated = port_in(start.entrypoint[-1], "the start command") if start else None
    port = stated or find_port(root, entry_files(root, start), _SUFFIXES[lang])
    health = health_routes(root, _SUFFIXES[lang], recipe.health.liveness, recipe.health.readiness)
    at_root = _site_at_root(root, recipe)
    if recipe.health.served:
        # SPAs: the server answers the health paths itself.
        health = True
    elif any("httpd" in word for word in recipe.runtime.entrypoint):
        # A file server answers the health paths only with files of those names in the folder it serves.
        site = root if at_root else root / recipe.builders[0].sources[0] if recipe.builders else root
        health = all((site / path.strip("/")).is_file()
                     for path in (recipe.health.liveness, recipe.health.readiness))
    return Findings(start, port, health, go_main(root) if (root / "go.mod").is_file() else None, at_root,
                    make_program(root), tuple(written_folders(root) if lang == "python"
                                              else node_written_folders(root) if lang == "node" else ()),
                    start_extras(root, start) if lang == "python" else (),
                    runtime_files(root) if lang == "other" and (root / "go.mod").is_file() else ())


def _bun_findings(root: Path, recipe: Recipe) -> Findings:
    """Findings of a Bun project: its start command run with bun, the port its server object or code states."""
    start = bunstart.bun_start(root)
    files = entry_files(root, start)
    suffixes = _SUFFIXES["bun"]
    return Findings(start, bunstart.serve_port(root, files) or find_port(root, files, suffixes),
                    health_routes(root, suffixes, recipe.health.liveness, recipe.health.readiness),
                    writes=tuple(node_written_folders(root)))


def _member_findings(root: Path, member: WorkspaceApp, recipe: Recipe, lang: str) -> Findings:
    """Findings of a workspace's server package (node or bun: `lang`), read in its folder; its written folders are
    named from the workspace root, where the image's tree starts."""
    folder = root / member.folder
    suffixes = _SUFFIXES[lang]
    files = entry_files(folder, member.start)
    port = (bunstart.serve_port(folder, files) if lang == "bun" else None) or find_port(folder, files, suffixes)
    return Findings(member.start, port,
                    health_routes(folder, suffixes, recipe.health.liveness, recipe.health.readiness),
                    writes=tuple(Written(f"{member.folder}/{w.folder}", w.why)
                                 for w in node_written_folders(folder, standalone=False)),
                    workspace=member)


def _site_at_root(root: Path, recipe: Recipe) -> bool:
    """A static-site recipe that copies one folder (public/) to a project with index.html at its root instead
    (gabrielecirulli/2048: index.html, js/, style/ side by side)."""
    first = recipe.builders[0] if recipe.builders else None
    return (first is not None and any("httpd" in word for word in recipe.runtime.entrypoint)
            and len(first.sources) == 1 and first.sources[0] != "." and not (root / first.sources[0]).exists()
            and (root / "index.html").is_file())
