"""The `overrides:` lines that build a Node workspace's server member, or its front-end-only member, with the
workspace's root lockfile."""

from __future__ import annotations

import json

from imgforge.generate.init.project import Findings
from imgforge.recipes.model import Builder, Recipe


def _install_and_build(recipe: Recipe) -> tuple[Builder | None, Builder | None]:
    """The recipe's builder that installs the dependencies and the one that builds from its tree (None if none)."""
    return (next((b for b in recipe.builders if b.dependencies.manifests), None),
            next((b for b in recipe.builders if b.build and b.inputs), None))


def workspace_lines(found: Findings, recipe: Recipe, builders: dict[str, list[str]],
                    kept: dict[str, str]) -> list[str]:
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


def site_member_fields(found: Findings, recipe: Recipe, builders: dict[str, list[str]]) -> None:
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
