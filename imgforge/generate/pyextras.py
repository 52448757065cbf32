"""The optional-dependency groups of pyproject.toml that a Python start command needs: a Procfile running
`gunicorn -k gevent` where gunicorn and gevent are only in `[project.optional-dependencies] mainapp` (psf/httpbin)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from imgforge.generate.facts import Start, dig
from imgforge.generate.pydeps import _NAME, _norm, _pyproject, dependencies


# Server programs a start command runs, by the package that installs them (a command named otherwise).
_PROGRAM_PACKAGE = {"waitress-serve": "waitress", "python": "", "python3": ""}
_WORKER = re.compile(r"(?:-k|--worker-class)[= ]+['\"]?([A-Za-z_][\w]*)")


def _needed(command: str) -> set[str]:
    """Normalised names of the packages a start command runs: its program (or `python -m` module) and a
    gunicorn worker class's package (`-k gevent`, `-k uvicorn.workers.UvicornWorker`)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    names = set()
    starts = True  # the word begins a command: first, after `&&`/`;`/`exec` or an assignment (`FOO=1 gunicorn`)
    for i, word in enumerate(words):
        at, starts = starts, word in ("&&", ";", "exec") or (starts and re.match(r"[A-Za-z_]\w*=", word) is not None)
        if at and not starts:
            program = Path(word).name
            if program in ("python", "python3") and words[i + 1:i + 2] == ["-m"] and len(words) > i + 2:
                program = words[i + 2].split(".", 1)[0]
            package = _PROGRAM_PACKAGE.get(program, program)
            if package and re.fullmatch(r"[A-Za-z0-9][\w.-]*", package):
                names.add(_norm(package))
    names |= {_norm(m.split(".", 1)[0]) for m in _WORKER.findall(command)}
    return names


def start_extras(root: Path, start: Start | None) -> tuple[str, ...]:
    """The pyproject optional-dependency groups that hold what the start command runs and the declared
    dependencies lack (httpbin's Procfile runs `gunicorn -k gevent`, both only in its `mainapp` extra)."""
    groups = dig(_pyproject(root), "project", "optional-dependencies")
    if start is None or not isinstance(groups, dict):
        return ()
    command = start.entrypoint[-1] if start.entrypoint[:2] == ("/bin/sh", "-c") else shlex.join(start.entrypoint)
    missing = _needed(command) - dependencies(root)
    chosen = []
    for group, specs in sorted(groups.items()):
        names = {_norm(m.group(1)) for s in (specs if isinstance(specs, list) else [])
                 if isinstance(s, str) and (m := _NAME.match(s))}
        if names & missing and re.fullmatch(r"[A-Za-z0-9][\w.-]*", group):
            chosen.append(group)
    return tuple(chosen)
