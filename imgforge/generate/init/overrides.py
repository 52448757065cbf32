"""The `overrides:` and `manifest:` lines `init` writes from what it found, each with a comment saying why."""

from __future__ import annotations

import json
import re
from pathlib import Path

from imgforge.generate.init.project import ORDER, Findings, language
from imgforge.generate.init.toolchain import Images, block, lowered
from imgforge.generate.init.workspace import site_member_fields, workspace_lines
from imgforge.generate.nodestart import is_next_standalone
from imgforge.recipes.model import Builder, Recipe


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


def _extras_lines(extras: tuple[str, ...]) -> list[str]:
    """The Python dependencies builder's lines that install pyproject's optional groups the start command needs."""
    groups = ", ".join(extras)
    return [f"      # The start command runs what only pyproject's optional dependencies ({groups}) declare: they are "
            "installed too.", f"      env: {json.dumps({'IMGFORGE_EXTRAS': ' '.join(extras)})}"]


def detected(found: Findings, recipe: Recipe, port: int | None, images: Images) -> list[str]:
    """The settings lines below `version:` for what init found in the project and the toolchain images it chose."""
    lang = language(recipe)
    runtime: list[str] = list(images.runtime)
    # Builder overrides by stage name, each its field lines: one list item per builder, however many reasons.
    builders: dict[str, list[str]] = {name: list(fields) for name, fields in images.builders}
    order = f" (first match of: {ORDER[lang]})" if lang in ORDER else ""
    if found.start is not None and tuple(recipe.runtime.entrypoint) != found.start.entrypoint:
        runtime += block("entrypoint", list(found.start.entrypoint), f"Start command: {found.start.why}{order}.", 4)
    missing = [f"# No start command found (looked for: {ORDER[lang]}): set overrides.runtime.entrypoint; the "
               f"recipe's default is {' '.join(recipe.runtime.entrypoint)}."] if found.start is None and order else []
    chosen = port if port is not None else found.port.number if found.port else None
    if chosen is not None and chosen != recipe.runtime.port:
        why = "given with --port" if port is not None else f"stated by {found.port.why}" if found.port else ""
        runtime += block("port", chosen, f"Port {why}; PORT is set to it in the image.", 4)
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
    runtime += _go_files(found, recipe) + workspace_lines(found, recipe, builders, kept)
    site_member_fields(found, recipe, builders)
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
        lines += ["  health:", *block("probe", "tcp", f"No {recipe.health.liveness} and {recipe.health.readiness} "
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
            fields += lowered(b, images.lower_go)
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
