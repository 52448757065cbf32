"""USR001 and an entrypoint script of the build context that drops privileges itself.

Official-style images start as root so their entrypoint can fix volume ownership, then run the service through
`setpriv`, `gosu`, `su-exec`, `runuser` or `su` as a user their package created: no USER line, and no install of
the drop tool when it comes with the base (setpriv is util-linux). Lint reads only the program names of such a
script (never an argument) from the build context. Every Dockerfile and script here is written for these tests,
modelled on patterns seen in public projects; none is copied.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.lint import lint, lint_files
from imgforge.lint.context import FolderContext

_DOCKERFILE = """FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends metricsd && rm -rf /var/lib/apt/lists/*
EXPOSE 8125
{copy}
ENTRYPOINT {entry}
CMD ["metricsd"]
"""


def _usr001(folder: Path, script: str | None, copy: str = "COPY entrypoint.sh /entrypoint.sh",
            entry: str = '["/entrypoint.sh"]', name: str = "entrypoint.sh") -> list[int]:
    (folder / "Dockerfile").write_text(_DOCKERFILE.format(copy=copy, entry=entry), encoding="utf-8")
    if script is not None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(script, encoding="utf-8")
    found = lint_files([folder / "Dockerfile"], use_shellcheck=False).findings
    return [f.line for f in found if f.rule == "USR001"]


_SETPRIV = """#!/bin/bash
set -e
if [ "$1" = metricsd ]; then
    chown -R metrics:metrics /var/lib/metricsd
    exec setpriv --reuid=metrics --regid=metrics --init-groups "$@"
fi
exec "$@"
"""


@pytest.mark.parametrize("script", [
    _SETPRIV,
    '#!/bin/sh\nset -e\nchown -R app /data\nexec gosu app "$@"\n',
    '#!/usr/bin/env bash\nif [ "$(id -u)" = 0 ]; then\n  set -- su-exec app "$@"\nfi\nexec "$@"\n',
    '#!/bin/sh\nexec runuser -u app -- "$@"\n',
    '#!/bin/bash\nuseradd -m "$NEWUSER"\nsu "$NEWUSER" -c "$COMMAND -w"\n',
])
def test_an_entrypoint_script_that_drops_privileges_is_no_finding(tmp_path: Path, script: str) -> None:
    assert _usr001(tmp_path, script) == []


def test_a_script_copied_with_its_folder_and_found_on_the_path(tmp_path: Path) -> None:
    assert _usr001(tmp_path, _SETPRIV, copy="COPY docker/ /usr/local/bin/", entry='["docker-entrypoint.sh"]',
                   name="docker/docker-entrypoint.sh") == []
    # run by a shell, from a WORKDIR-relative destination
    assert _usr001(tmp_path, _SETPRIV, copy="WORKDIR /opt/app\nCOPY entrypoint.sh ./",
                   entry='["/bin/sh", "/opt/app/entrypoint.sh"]') == []


def test_an_entrypoint_script_without_a_drop_still_runs_as_root(tmp_path: Path) -> None:
    assert _usr001(tmp_path, '#!/bin/sh\nset -e\nmkdir -p /data\nexec "$@"\n') == [1]
    # a drop tool named only in an argument or a comment is no drop
    assert _usr001(tmp_path, '#!/bin/sh\n# gosu could be used here\necho "run with gosu"\nexec "$@"\n') == [1]


def test_without_the_script_the_finding_stays(tmp_path: Path) -> None:
    assert _usr001(tmp_path, None, copy="COPY --from=build /out/entrypoint.sh /entrypoint.sh") == [1]
    text = _DOCKERFILE.format(copy="COPY entrypoint.sh /entrypoint.sh", entry='["/entrypoint.sh"]')
    assert [f.line for f in lint(text, "Dockerfile") if f.rule == "USR001"] == [1]  # no context at all


def test_a_file_that_is_no_shell_or_python_script_is_not_read(tmp_path: Path) -> None:
    # a Ruby entrypoint whose text mentions gosu: neither a shell nor a Python script, so nothing is read from it
    assert _usr001(tmp_path, "#!/usr/bin/env ruby\nexec('gosu', 'app', *ARGV)\n",
                   copy="COPY entrypoint.rb /entrypoint", entry='["/entrypoint"]', name="entrypoint.rb") == [1]


def test_a_python_entrypoint_is_read_for_the_programs_it_runs(tmp_path: Path) -> None:
    # a Python entrypoint is read for the programs it execs (gosu here), not for words in its strings
    assert _usr001(tmp_path, "#!/usr/bin/env python3\nimport os\nos.execvp('gosu', ['gosu', 'app'])\n",
                   copy="COPY entrypoint.py /entrypoint", entry='["/entrypoint"]', name="entrypoint.py") == []
    assert _usr001(tmp_path, "#!/usr/bin/env python3\nimport os\nprint('run with gosu')\nos.execvp('app', ['app'])\n",
                   copy="COPY entrypoint.py /entrypoint", entry='["/entrypoint"]', name="entrypoint.py") == [1]


def test_only_program_names_leave_the_context(tmp_path: Path) -> None:
    (tmp_path / "start.sh").write_text('#!/bin/sh\nAPI_TOKEN=s3cr3t-value\nexport DB_PASSWORD="hunter2"\n'
                                       'curl -H "Authorization: Bearer $API_TOKEN" https://example.invalid\n'
                                       'exec gosu app "$@"\n', encoding="utf-8")
    programs = FolderContext(tmp_path).script_programs("start.sh")
    assert programs is not None and "gosu" in programs and "curl" in programs
    assert not any("s3cr3t" in p or "hunter2" in p or "Bearer" in p for p in programs)
    assert FolderContext(tmp_path).script_programs("../start.sh") is None
    assert FolderContext(tmp_path).script_programs("*.sh") is None
    assert FolderContext(tmp_path).script_programs("missing.sh") is None
