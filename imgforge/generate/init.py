"""`imgforge init`: detect the stack, read the project's start command, port and health, write `imgforge.yaml`.

What init found is written under `overrides:` and `manifest:` with a comment saying why, so the user sees it
and can change it.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from imgforge.build.pyindex import PackageIndex
from imgforge.errors import UsageError
from imgforge.generate import DOCKERFILE, DOCKERIGNORE, bunstart, targets
from imgforge.generate.detect import detect_stack, matching
from imgforge.generate.facts import (
    Port,
    Start,
    dig,
    find_port,
    go_main,
    health_routes,
    make_program,
    parse_toml,
    port_in,
    read_text,
)
from imgforge.generate.gofiles import RuntimeFile, runtime_files
from imgforge.generate.nodestart import entry_files, is_next_standalone, node_start, package_json
from imgforge.generate.owndockerfile import NAMES as OWN_NAMES
from imgforge.generate.owndockerfile import RECIPE as OWN_RECIPE
from imgforge.generate.owndockerfile import find_own, own_settings, read_own
from imgforge.generate.pins import Choice, python_from_pins
from imgforge.generate.pyextras import start_extras
from imgforge.generate.pystart import python_start
from imgforge.generate.runtimes import OVERRIDE, choose, go_line, line_key, placeholders, replacement
from imgforge.generate.workspaces import WorkspaceApp, WorkspaceSite, frontend_member, workspace_app
from imgforge.generate.writes import Written, node_written_folders, written_folders
from imgforge.recipes import load_recipe
from imgforge.recipes.model import Builder, Recipe
from imgforge.settings import SETTINGS_FILE

_SUFFIXES = {"python": (".py",), "node": (".js", ".mjs", ".cjs", ".ts"), "bun": (".ts", ".tsx", ".js", ".mjs"),
             "other": (".go", ".c", ".rs")}
_ORDER = {"python": "Procfile web:, a platform's start command (railway.json, render.yaml, nixpacks.toml, fly.toml), "
                    "[project.scripts] that serve, Django, Flask, Quart, FastAPI, Starlette, Litestar, BlackSheep, "
                    "Sanic, Falcon, Bottle, Pyramid (production.ini), Streamlit, Dash, Gradio, Shiny, Panel, Chainlit, "
                    "the project's Dockerfile CMD, other [project.scripts], main.py/app.py, a package's __main__.py, "
                    "a script run as such",
          "node": "Procfile web:, scripts.start as plain node, a framework's built server (Nuxt, SvelteKit, Astro), "
                  "main, server.js/index.js",
          "bun": bunstart.ORDER}


@dataclass(frozen=True)
class InitPlan:
    """What `init` writes and where."""

    path: Path
    text: str
    recipe: str


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


def _default_name(root: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-") or "app"


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


def _install_and_build(recipe: Recipe) -> tuple[Builder | None, Builder | None]:
    """The recipe's builder that installs the dependencies and the one that builds from its tree (None if none)."""
    return (next((b for b in recipe.builders if b.dependencies.manifests), None),
            next((b for b in recipe.builders if b.build and b.inputs), None))


def _workspace(found: Findings, recipe: Recipe, builders: dict[str, list[str]], kept: dict[str, str]) -> list[str]:
    """Runtime lines (and builder fields, into `builders`) that install the workspace with its root lockfile, build
    the member and ship only what it runs: its folder and the workspace packages it uses, with their production
    dependencies (the installer's own filter: `npm ci --workspace`, `pnpm --filter member...`, `yarn workspaces
    focus`), or a Next.js member's standalone server alone."""
    member = found.workspace
    deps, build = _install_and_build(recipe)
    if member is None or deps is None or build is None:
        return []
    manifests = list(member.manifests)
    selected = {"IMGFORGE_WORKSPACE": member.folder, "IMGFORGE_WORKSPACE_NAME": member.name,
                "IMGFORGE_KEEP": " ".join(member.closure)}
    builders.setdefault(deps.name, []).extend([
        "      # Every workspace member's package.json: the root lockfile installs them all; the production tree "
        f"(/prod) is {member.folder}'s alone.",
        f"      dependencies: {json.dumps({'manifests': manifests})}",
        f"      env: {json.dumps(selected)}"])
    env = {"IMGFORGE_WORKSPACE": member.folder, "IMGFORGE_KEEP": " ".join(member.closure)}
    if member.feeders:
        # Built first: their output lands in a kept folder (a client built into the server's public/).
        env["IMGFORGE_FEED"] = " ".join(member.feeders)
    if kept:
        env["IMGFORGE_DROP"] = kept["IMGFORGE_DROP"]
    if member.standalone:
        # Next's output file tracing starts at the workspace root, so the standalone folder nests the member's
        # path whatever the Next version (a member's traced files are outside its own folder).
        env |= {"NEXT_PRIVATE_STANDALONE": "1", "NEXT_PRIVATE_OUTPUT_TRACE_ROOT": build.workdir.rstrip("/")}
        if member.dist != ".next":
            env["IMGFORGE_NEXT_DIR"] = member.dist
    builders.setdefault(build.name, []).extend([
        f"      # The installed workspace (its root and members' node_modules), then {member.folder}'s own build"
        + (f" (after {', '.join(member.feeders)}, whose build writes into it)" if member.feeders else "")
        + f"; /out keeps {', '.join(member.closure)} (no node_modules).",
        "      when: []",
        f"      inputs: [{json.dumps({'stage': deps.name, 'from': deps.workdir, 'to': '.'})}]",
        f"      env: {json.dumps(env)}"])
    to = recipe.runtime.workdir.rstrip("/")
    if member.standalone:
        copies = [{"stage": build.name, "from": "/standalone", "to": to}]
        what = "Next's standalone server (it bundles what its pages use)"
    else:
        copies = [{"stage": build.name, "from": "/out", "to": to}, {"stage": deps.name, "from": "/prod", "to": to}]
        what = "its workspace packages and their production dependencies"
    return [f"    # Workspace member: {member.why}; the image holds {member.folder} with {what}, and runs in its "
            "folder.", f"    workdir: {json.dumps(f'{to}/{member.folder}')}", "    artifacts:",
            *(f"      - {json.dumps(c)}" for c in copies)]


def _site_member(found: Findings, recipe: Recipe, builders: dict[str, list[str]]) -> None:
    """Builder fields (into `builders`) that install a workspace with its root lockfile and build its front-end
    member in its folder, whose output the static server serves."""
    site = found.site
    deps, build = _install_and_build(recipe)
    if site is None or deps is None or build is None:
        return
    builders.setdefault(deps.name, []).extend([
        f"      # The workspace's site is {site.folder} (a front-end-only member; no member runs a server): every "
        "member's package.json, as the root lockfile installs them all.",
        f"      dependencies: {json.dumps({'manifests': list(site.manifests)})}"])
    builders.setdefault(build.name, []).extend([
        f"      # The installed workspace (its root and members' node_modules); {site.folder}'s build, whose output "
        "is served.",
        f"      inputs: [{json.dumps({'stage': deps.name, 'from': deps.workdir, 'to': '.'})}]",
        f"      env: {json.dumps({'IMGFORGE_WORKSPACE': site.folder})}"])


# `${IMGFORGE_DROP-test tests …}` in a recipe's build command: the test folders it leaves out of the runtime unless
# told otherwise (group 1), read from the recipe so that the list lives in one place.
_DROP_DEFAULT = re.compile(r"\$\{IMGFORGE_DROP-([^}]*)\}")


def _test_folders(recipe: Recipe) -> tuple[Builder, tuple[str, ...]] | None:
    """The recipe's builder that leaves test folders out of the runtime, and those folders (its IMGFORGE_DROP
    default), or None."""
    for builder in recipe.builders:
        if builder.build and (m := _DROP_DEFAULT.search(builder.build)):
            return builder, tuple(m.group(1).split())
    return None


def _kept_tests(found: Findings, folders: tuple[str, ...]) -> dict[str, str]:
    """IMGFORGE_DROP: `folders` without the test folders the start command runs from (`node test/server.js`), which
    the runtime then keeps (and which they are, as IMGFORGE_KEPT); empty when it needs none."""
    used = {w.removeprefix("./").split("/")[0] for w in found.start.entrypoint} if found.start else set()
    kept = [d for d in folders if d in used]
    if not kept:
        return {}
    return {"IMGFORGE_DROP": " ".join(d for d in folders if d not in kept), "IMGFORGE_KEPT": ", ".join(kept)}


def _go_files(found: Findings, recipe: Recipe) -> list[str]:
    """Runtime artifacts for what a Go service opens beside its binary: the recipe's own, then each file or
    folder from the Go build stage's copy of the sources (the working folder is the runtime's workdir)."""
    go_build = next((b for b in recipe.builders if b.build and "golang" in b.image and b.sources == ["."]), None)
    if not found.go_files or go_build is None:
        return []
    named = ", ".join(f.path for f in found.go_files[:3]) + (", …" if len(found.go_files) > 3 else "")
    lines = [f"    # The service opens {named} by a path relative to its working folder ({found.go_files[0].why}): "
             "copied beside the binary.", "    artifacts:"]
    lines += [f"      - {json.dumps({'stage': a.stage, 'from': a.source, 'to': a.to})}"
              for a in recipe.runtime.artifacts]
    src, dst = go_build.workdir.rstrip("/"), recipe.runtime.workdir.rstrip("/")
    copies = [{"stage": go_build.name, "from": f"{src}/{f.path}", "to": f"{dst}/{f.path}"}
              for f in found.go_files]
    lines += [f"      - {json.dumps(copy)}" for copy in copies]
    return lines


def _site_at_root(root: Path, recipe: Recipe) -> bool:
    """A static-site recipe that copies one folder (public/) to a project with index.html at its root instead
    (gabrielecirulli/2048: index.html, js/, style/ side by side)."""
    first = recipe.builders[0] if recipe.builders else None
    return (first is not None and any("httpd" in word for word in recipe.runtime.entrypoint)
            and len(first.sources) == 1 and first.sources[0] != "." and not (root / first.sources[0]).exists()
            and (root / "index.html").is_file())


def _declared_version(root: Path) -> str | None:
    version = package_json(root).get("version")
    if not isinstance(version, str):
        try:
            version = dig(parse_toml(read_text(root / "pyproject.toml")), "project", "version")
        except ValueError:
            version = None
    return version if isinstance(version, str) and re.match(r"^\d+\.\d+\.\d+$", version) else None


def _git_tagged(root: Path) -> bool:
    try:
        res = subprocess.run(["git", "-C", str(root), "tag", "--list", "v[0-9]*"], capture_output=True, text=True,
                             check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0 and bool(res.stdout.strip())


def _version(root: Path, source: str | None) -> tuple[dict[str, str], str]:
    """The `version:` section and a comment: the given source, else VERSION, a vX.Y.Z tag, the declared version."""
    if source is not None:
        if source not in ("file", "git", "fixed"):
            raise UsageError(f"init: --version-source {source!r}: use file, git or fixed")
        if source == "file":
            return {"source": "file", "file": "VERSION"}, ""
        if source == "fixed":
            return {"source": "fixed", "value": _declared_version(root) or "0.1.0"}, ""
        return {"source": "git"}, ""
    if (root / "VERSION").is_file():
        return {"source": "file", "file": "VERSION"}, "the VERSION file"
    if _git_tagged(root):
        return {"source": "git"}, "the latest vX.Y.Z git tag"
    declared = _declared_version(root)
    if declared:
        return {"source": "fixed", "value": declared}, ("the version the project declares; bump it here too, "
                                                         "or tag vX.Y.Z and use source: git")
    return {"source": "fixed", "value": "0.1.0"}, ("no VERSION file, tag or declared version; change it at "
                                                   "each release")


def _block(key: str, value: object, comment: str | None, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}# {comment}"] if comment else []
    return lines + [f"{pad}{key}: {json.dumps(value)}"]


@dataclass(frozen=True)
class Images:
    """What init writes about toolchain versions other than the declarations give: the runtime's lines, each
    builder's field lines (by name), or a note."""

    runtime: tuple[str, ...] = ()
    builders: tuple[tuple[str, tuple[str, ...]], ...] = ()
    note: str = ""
    lower_go: str | None = None  # go.mod's go line is newer than the chosen Go: the builders lower it to this


_TITLE = {"python": "Python", "node": "Node", "go": "Go", "bun": "Bun"}


def _python_choice(root: Path, index: PackageIndex | None) -> tuple[str, str] | str | None:
    """(version, why) of the Python the exact pins suit, when the package index says it is not the one the
    declarations and lockfile alone give; a note when the index says nothing useful; else None."""
    choice: Choice | None = python_from_pins(root, index)
    if choice is None:
        return None
    if choice.version is None:
        return f"# Python: {choice.why}."
    if choice.replaced:
        return choice.version, f"Python {choice.version}: {choice.why}."
    offline = choose("python", root)
    if choice.version == offline:
        return f"# Python: {choice.why}." if choice.partial else None
    return choice.version, (f"Python {choice.version}, not {offline}: {choice.why} (the package index's files of the "
                            "exact pins).")


def _nearest_choice(name: str, root: Path) -> tuple[str, str] | None:
    """(version, why) when the project's version files name a line of toolchain `name` the catalog has not."""
    near = replacement(name, root)
    if near is None:
        return None
    chosen = near.order[0]
    return chosen, (f"{_TITLE[name]} {chosen}, not {near.wanted}: {near.note}; {chosen} is the nearest. An image "
                    f"with {_TITLE[name]} {near.wanted} (e.g. an official one where pulling works) goes in "
                    f"overrides.{OVERRIDE[name]}.")


def _toolchain_images(recipe: Recipe, root: Path, index: PackageIndex | None) -> Images:
    """The images of the toolchain versions init chooses instead of the declarations' own: the Python the exact
    pins suit, and for every toolchain the nearest catalog line to one a version file names and the catalog has
    not (images with a placeholder only)."""
    images = [recipe.runtime.image, *(b.image for b in recipe.builders)]
    wanted = {name for image in images for name in placeholders(image)}
    chosen: dict[str, tuple[str, str]] = {}
    note = ""
    for name in sorted(wanted):
        found = _python_choice(root, index) if name == "python" else _nearest_choice(name, root)
        if isinstance(found, str):
            note = found
        elif found is not None:
            chosen[name] = found
    if not chosen:
        return Images(note=note)

    def filled(image: str) -> str:
        for name, (version, _why) in chosen.items():
            image = image.replace("{" + name + "}", version)
        return image

    def why(image: str) -> str:
        return " ".join(chosen[n][1] for n in placeholders(image) if n in chosen)

    runtime = tuple(_block("image", filled(recipe.runtime.image), why(recipe.runtime.image), 4)) \
        if any(n in chosen for n in placeholders(recipe.runtime.image)) else ()
    builders = []
    for b in recipe.builders:
        if any(n in chosen for n in placeholders(b.image)):
            same = runtime and set(placeholders(b.image)) <= set(placeholders(recipe.runtime.image))
            versions = ", ".join(f"{_TITLE[n]} {chosen[n][0]}" for n in placeholders(b.image) if n in chosen)
            comment = f"{versions} in the builders too." if same else why(b.image)
            builders.append((b.name, (f"      # {comment}", f"      image: {json.dumps(filled(b.image))}")))
    lower = None
    line = go_line(root)
    if "go" in chosen and line is not None and line_key(line) > line_key(chosen["go"][0]):
        lower = chosen["go"][0]
    return Images(runtime, tuple(builders), note, lower)


def _lowered(builder: Builder, version: str) -> list[str]:
    """A Go builder's field lines that lower go.mod's go line to `version` before each go command (the builder's
    copy of the module only): an older Go refuses a module whose go line is newer than itself."""
    edit = f"go mod edit -go={version} -toolchain=none && "
    lines = []
    variants = builder.dependencies.variants
    if any(v.install for v in variants) or builder.dependencies.install:
        if variants:
            dumped = [{**v.model_dump(exclude_defaults=True),
                       **({"install": edit + v.install} if v.install else {})} for v in variants]
            lines.append(f"      dependencies: {json.dumps({'variants': dumped})}")
        elif builder.dependencies.install:
            lines.append(f"      dependencies: {json.dumps({'install': edit + builder.dependencies.install})}")
    return lines


def _extras_lines(extras: tuple[str, ...]) -> list[str]:
    """The Python dependencies builder's lines that install pyproject's optional groups the start command needs."""
    groups = ", ".join(extras)
    return [f"      # The start command runs what only pyproject's optional dependencies ({groups}) declare: they are "
            "installed too.", f"      env: {json.dumps({'IMGFORGE_EXTRAS': ' '.join(extras)})}"]


def _detected(found: Findings, recipe: Recipe, port: int | None, images: Images = Images()) -> list[str]:
    lang = language(recipe)
    runtime: list[str] = list(images.runtime)
    # Builder overrides by stage name, each its field lines: one list item per builder, however many reasons.
    builders: dict[str, list[str]] = {name: list(fields) for name, fields in images.builders}
    order = f" (first match of: {_ORDER[lang]})" if lang in _ORDER else ""
    if found.start is not None and tuple(recipe.runtime.entrypoint) != found.start.entrypoint:
        runtime += _block("entrypoint", list(found.start.entrypoint), f"Start command: {found.start.why}{order}.", 4)
    missing = [f"# No start command found (looked for: {_ORDER[lang]}): set overrides.runtime.entrypoint; the "
               f"recipe's default is {' '.join(recipe.runtime.entrypoint)}."] if found.start is None and order else []
    chosen = port if port is not None else found.port.number if found.port else None
    if chosen is not None and chosen != recipe.runtime.port:
        why = "given with --port" if port is not None else f"stated by {found.port.why}" if found.port else ""
        runtime += _block("port", chosen, f"Port {why}; PORT is set to it in the image.", 4)
    first = recipe.builders[0] if recipe.builders else None
    if found.site_at_root and first is not None:
        served = [a for a in recipe.runtime.artifacts if a.stage == first.name]
        runtime += [f"    # The site is at the project root (index.html), not in {first.sources[0]}/: all of it is "
                    "served.", "    artifacts:"]
        runtime += [f"      - {json.dumps({'stage': a.stage, 'from': first.workdir, 'to': a.to})}" for a in served]
    # The runtime's copy of what a build script makes (the node recipe's /out), where the bundle is found.
    built = next((a for a in recipe.runtime.artifacts for b in recipe.builders
                  if a.stage == b.name and b.build and a.to == recipe.runtime.workdir), None)
    if found.start is not None and found.start.bundle and built is not None:
        # The framework's build bundles what its server needs: the production node_modules stay out of the image.
        bundle = found.start.bundle
        copy = {"stage": built.stage, "from": f"{built.source.rstrip('/')}/{bundle}", "to": f"{built.to}/{bundle}"}
        runtime += [f"    # Only the build's {bundle}/: it bundles the server's dependencies, so the production "
                    "node_modules stay out of the image.", "    artifacts:", f"      - {json.dumps(copy)}"]
        if is_next_standalone(bundle):
            dist = bundle.removesuffix("/standalone")
            env = {"NEXT_PRIVATE_STANDALONE": "1", **({"IMGFORGE_NEXT_DIR": dist} if dist != ".next" else {})}
            builders.setdefault(built.stage, []).extend([
                "      # Next.js writes its standalone server (a project config without `output:` takes it from here)"
                f"{'' if dist == '.next' else f'; next.config distDir: {dist}'}.", f"      env: {json.dumps(env)}"])
    dropping = _test_folders(recipe)
    kept = _kept_tests(found, dropping[1]) if dropping else {}
    runtime += _go_files(found, recipe) + _workspace(found, recipe, builders, kept)
    _site_member(found, recipe, builders)
    if kept and dropping is not None and found.workspace is None:
        builders.setdefault(dropping[0].name, []).extend([
            f"      # The start command runs from {kept['IMGFORGE_KEPT']}: kept in the runtime (not other test "
            "folders).",
            f"      env: {json.dumps({'IMGFORGE_DROP': kept['IMGFORGE_DROP']})}"])
    made = [a for b in recipe.builders if b.build and b.build.split()[:1] == ["make"]
            for a in recipe.runtime.artifacts if a.stage == b.name]
    if found.program and len(made) == 1 and Path(made[0].source).name != found.program:
        # The recipe copies the program `make` writes under a fixed name (app); the Makefile names its own.
        art = made[0]
        where = str(Path(art.source).parent / found.program)
        runtime += [f"    # Program: the Makefile's default goal builds {found.program}.", "    artifacts:",
                    f"      - {json.dumps({'stage': art.stage, 'from': where, 'to': art.to})}"]
    lines = missing + ([images.note] if images.note else []) + (["overrides:", "  runtime:", *runtime] if runtime
                                                                 else [])
    if found.site_at_root and first is not None:
        builders.setdefault(first.name, []).append('      sources: ["."]')
    if not found.health:
        lines = lines if "overrides:" in lines else [*lines, "overrides:"]
        lines += ["  health:", *_block("probe", "tcp", f"No {recipe.health.liveness} and {recipe.health.readiness} "
                                       "routes in the sources: the HEALTHCHECK only connects to the port.", 4)]
        lines += ["manifest:", "  # Kubernetes probes connect to the port too (no health endpoint declared).",
                  '  liveness: {type: "tcp"}', '  readiness: {type: "tcp"}']
    if found.writes:
        # The read-only root filesystem lets the service write only in emptyDirs: one per folder it makes.
        lines = lines if "manifest:" in lines else [*lines, "manifest:"]
        folders = ", ".join(f"{w.folder}/ ({w.why})" for w in found.writes[:3])
        paths = ["/tmp", *(f"{recipe.runtime.workdir.rstrip('/')}/{w.folder}" for w in found.writes)]
        lines += [f"  # The service makes {folders} in its working folder; the root filesystem is read-only, so an "
                  "emptyDir is mounted at each (empty at every start).", f"  writable_paths: {json.dumps(paths)}"]
    if found.extras and recipe.builders:
        builders.setdefault(recipe.builders[0].name, []).extend(_extras_lines(found.extras))
    go_build = next((b for b in recipe.builders if b.build and b.build.endswith(" .") and "golang" in b.image), None)
    main_target = found.go_main if go_build is not None else None
    for b in recipe.builders:
        if b.build is None or "golang" not in b.image:
            continue
        build = b.build
        fields = builders.setdefault(b.name, []) if (main_target and b is go_build) or images.lower_go else []
        if main_target is not None and b is go_build:
            target, why = main_target
            build = build[:-1] + target
            fields.append(f"      # Main package: {why}; it is built instead of the root.")
        if images.lower_go is not None:
            fields += _lowered(b, images.lower_go)
            build = f"go mod edit -go={images.lower_go} -toolchain=none && {build}"
            fields.append(f"      # go.mod's go line is lowered to {images.lower_go} in this stage's copy: Go "
                          f"{images.lower_go} refuses a module that names a newer Go.")
        if build != b.build:
            fields.append(f"      build: {json.dumps(build)}")
    if builders:
        items = [line for name, fields in builders.items() for line in (f"    - name: {json.dumps(name)}", *fields)]
        at = lines.index("overrides:") + 1 + (len(runtime) + 1 if runtime else 0) if "overrides:" in lines else None
        lines = lines[:at] + ["  builders:", *items] + lines[at:] if at is not None \
            else [*lines, "overrides:", "  builders:", *items]
    return lines


def plan_init(
    path: Path,
    recipe: str | None = None,
    name: str | None = None,
    version_source: str | None = None,
    port: int | None = None,
    recipes_path: str | None = None,
    extra_dirs: Sequence[Path] = (),
    index: PackageIndex | None = None,
) -> InitPlan:
    """The settings `init` would write for the project at `path` (validated; nothing written); `index` is the
    package index asked about exact pins (default: pip's, unless IMGFORGE_NO_INDEX is set)."""
    root = Path(path)
    if not root.is_dir():
        raise UsageError(f"init: {root} is not a folder")
    dirs = list(extra_dirs) + ([(root / recipes_path).resolve()] if recipes_path else [])
    own_name = find_own(root) if recipe in (None, OWN_RECIPE) else None
    if recipe == OWN_RECIPE and own_name is None:
        raise UsageError(f"init: recipe {OWN_RECIPE!r} builds the project's own Dockerfile, and {root} has no "
                         f"{' or '.join(OWN_NAMES)}")
    own = read_own(root, own_name) if own_name and (recipe or not matching(root, dirs)) else None
    chosen = OWN_RECIPE if own is not None else recipe or detect_stack(root, dirs)
    found, _ = load_recipe(chosen, dirs)
    version, why = _version(root, version_source)
    settings: dict[str, object] = {"recipe": chosen}
    if recipes_path:
        settings["recipes_path"] = recipes_path
    settings["image"] = {"name": name or _default_name(root)}
    head = (
        f"# imgforge settings. Recipe {chosen!r}: {found.description.strip()}\n"
        "# Change any recipe field under `overrides:` (deep-merged onto the recipe, then validated).\n"
    )
    # A project built from its own Dockerfile (`own`) gets nothing generated beside it.
    beside = targets(root)
    if own is None and beside.dockerfile != DOCKERFILE:
        head += (f"# The project's own Dockerfile is kept: imgforge writes the one it generates as {beside.dockerfile}"
                 f" (with {beside.dockerignore}); `dockerfile: Dockerfile` builds yours instead.\n")
    elif own is None and beside.dockerignore != DOCKERIGNORE:
        head += (f"# The project's own .dockerignore is kept; the generated Dockerfile's build reads "
                 f"{beside.dockerignore} (add entries under overrides.dockerignore).\n")
    body = yaml.safe_dump(settings, sort_keys=False)
    body += (f"# Version from {why}.\n" if why else "") + yaml.safe_dump({"version": version}, sort_keys=False)
    if own is not None:
        if port is not None:
            own = replace(own, port=port, port_why="given with --port")
        return InitPlan(root / SETTINGS_FILE, head + body + "\n".join(own_settings(own, found.runtime.port)) + "\n",
                        chosen)
    detected = _detected(findings(root, found), found, port, _toolchain_images(found, root, index))
    text = head + body + ("\n".join(detected) + "\n" if detected else "")
    return InitPlan(root / SETTINGS_FILE, text, chosen)


def write_init(plan: InitPlan, force: bool = False) -> None:
    """Write the settings; refuse to replace an existing file unless `force`."""
    if plan.path.exists() and not force:
        raise UsageError(f"init: {plan.path} already exists (use --force to replace it)")
    try:
        plan.path.write_text(plan.text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"init: writing {plan.path}: {exc}") from exc
