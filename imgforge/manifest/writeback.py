"""Write `manifest.resources` back into imgforge.yaml, changing only those lines (comments and order kept)."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import yaml

from imgforge.errors import UsageError
from imgforge.manifest.spec import Resources
from imgforge.settings import settings_path

_TOP_KEY = re.compile(r"^manifest:\s*(?P<rest>[^#]*?)\s*(#.*)?$")


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _render(resources: Resources, indent: int) -> list[str]:
    pad = " " * indent
    out = [f"{pad}resources:"]
    for part in ("requests", "limits"):
        values = getattr(resources, part)
        out += [f"{pad}  {part}:", f"{pad}    cpu: {values.cpu}", f"{pad}    memory: {values.memory}"]
    return out


def rewrite(text: str, resources: Resources) -> str:
    """`text` (an imgforge.yaml) with manifest.resources replaced or added; nothing else changes."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _TOP_KEY.match(line)), None)
    if start is None:
        tail = [] if not lines or not lines[-1].strip() else [""]
        return "\n".join([*lines, *tail, "manifest:", *_render(resources, 2)]) + "\n"
    rest = _TOP_KEY.match(lines[start]).group("rest")  # type: ignore[union-attr]
    if rest not in ("", "{}", "null", "~"):
        raise UsageError("writing manifest.resources: the manifest section is written inline; "
                         "write it as a block mapping first")
    if rest:
        lines[start] = "manifest:"
    end = start + 1
    while end < len(lines) and (not _content(lines[end]) or _indent(lines[end]) > 0):
        end += 1
    body = [i for i in range(start + 1, end) if _content(lines[i])]
    child = _indent(lines[body[0]]) if body else 2
    key = next((i for i in body if _indent(lines[i]) == child and lines[i].strip().startswith("resources:")), None)
    if key is None:
        return "\n".join([*lines[: start + 1], *_render(resources, child), *lines[start + 1:]]) + "\n"
    stop = key + 1
    last = key
    while stop < end and (not _content(lines[stop]) or _indent(lines[stop]) > child):
        if _content(lines[stop]):
            last = stop
        stop += 1
    return "\n".join([*lines[:key], *_render(resources, child), *lines[last + 1:]]) + "\n"


def _without_resources(data: Any) -> Any:
    data = copy.deepcopy(data) or {}
    if isinstance(data.get("manifest"), dict):
        data["manifest"].pop("resources", None)
        if not data["manifest"]:
            data.pop("manifest")
    elif "manifest" in data and not data["manifest"]:
        data.pop("manifest")
    return data


def write_resources(path: Path, resources: Resources) -> Path:
    """Rewrite the project's manifest.resources; refuse when anything but that section would change."""
    file = settings_path(path)
    try:
        old_text = file.read_text(encoding="utf-8") if file.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"reading {file}: {exc}") from exc
    new_text = rewrite(old_text, resources)
    try:
        old, new = yaml.safe_load(old_text) or {}, yaml.safe_load(new_text) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"writing manifest.resources to {file}: the result would not parse ({exc})") from exc
    wanted = resources.model_dump()
    if (new.get("manifest") or {}).get("resources") != wanted or _without_resources(old) != _without_resources(new):
        raise UsageError(f"writing manifest.resources to {file}: the layout of the file defeats a careful "
                         "rewrite; set the values by hand")
    tmp = file.with_name(file.name + ".imgforge-tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, file)
    return file
