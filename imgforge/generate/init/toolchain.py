"""The toolchain images `init` chooses instead of the declarations' own: the Python the exact pins suit, the
nearest catalog line to one a version file names, and a Go builder's lowered go line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from imgforge.build.pyindex import PackageIndex
from imgforge.generate.native import built_from_source
from imgforge.generate.pins import Choice, python_from_pins
from imgforge.generate.runtimes import OVERRIDE, choose, go_line, line_key, placeholders, replacement
from imgforge.recipes.model import Builder, Recipe


def block(key: str, value: object, comment: str | None, indent: int) -> list[str]:
    """`key: value` as YAML at `indent`, under a comment line when there is one."""
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


def _python_choice(root: Path, choice: Choice | None) -> tuple[str, str] | str | None:
    """(version, why) of the Python the exact pins suit, when the package index says it is not the one the
    declarations and lockfile alone give; a note when the index says nothing useful; else None."""
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


def toolchain_images(recipe: Recipe, root: Path, index: PackageIndex | None) -> Images:
    """The images of the toolchain versions init chooses instead of the declarations' own: the Python the exact
    pins suit, and for every toolchain the nearest catalog line to one a version file names and the catalog has
    not (images with a placeholder only)."""
    images = [recipe.runtime.image, *(b.image for b in recipe.builders)]
    wanted = {name for image in images for name in placeholders(image)}
    pins = python_from_pins(root, index) if "python" in wanted else None
    chosen: dict[str, tuple[str, str]] = {}
    note = ""
    for name in sorted(wanted):
        found = _python_choice(root, pins) if name == "python" else _nearest_choice(name, root)
        if isinstance(found, str):
            note = found
        elif found is not None:
            chosen[name] = found
    built = _built_from_source(recipe, pins)
    if not chosen:
        return Images(built.runtime, built.builders, note=note)

    def filled(image: str) -> str:
        for name, (version, _why) in chosen.items():
            image = image.replace("{" + name + "}", version)
        return image

    def why(image: str) -> str:
        return " ".join(chosen[n][1] for n in placeholders(image) if n in chosen)

    runtime = tuple(block("image", filled(recipe.runtime.image), why(recipe.runtime.image), 4)) \
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
    extra = dict(built.builders)
    merged = tuple((name, fields + extra.pop(name, ())) for name, fields in builders) + tuple(extra.items())
    return Images(runtime + built.runtime, merged, note, lower)


def _built_from_source(recipe: Recipe, choice: Choice | None) -> Images:
    """The runtime's and the dependency builder's system_packages lines for the pins pip builds from their sdists
    on the chosen Python (native.built_from_source), when there are any."""
    deps = next((b for b in recipe.builders if b.dependencies.install or b.dependencies.variants), None)
    if choice is None or choice.version is None or not choice.from_source or deps is None:
        return Images()
    need = built_from_source(choice.from_source)
    names = ", ".join(choice.from_source[:3]) + (", …" if len(choice.from_source) > 3 else "")
    fields = (f"      # No wheel of {names} fits Python {choice.version}: pip builds it from its sdist, with a "
              "compiler and the headers it compiles against.",
              f"      system_packages: {json.dumps(list(need.build))}")
    runtime = tuple(block("system_packages", list(need.runtime), f"What the modules pip builds from {names} load "
                          "at run time.", 4)) if need.runtime else ()
    return Images(runtime, ((deps.name, fields),))


def lowered(builder: Builder, version: str) -> list[str]:
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
