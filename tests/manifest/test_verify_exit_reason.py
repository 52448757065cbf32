"""Which log line a failed verify quotes (pure)."""

from __future__ import annotations

import pytest

from imgforge.manifest.plan import RunPlan
from imgforge.manifest.verify import _exit_reason, telling_line

# A Node server whose entry point is missing (sveltejs/realworld built for Vercel ran `node server.js`).
NODE_CRASH = """\
node:internal/modules/cjs/loader:1228
  throw err;
  ^

Error: Cannot find module '/app/server.js'
    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)
    at node:internal/main/run_main_module:28:49 {
  code: 'MODULE_NOT_FOUND',
  requireStack: []
}

Node.js v20.19.2
"""
PY_CRASH = """\
Traceback (most recent call last):
  File "/app/app.py", line 1, in <module>
    import redis
ModuleNotFoundError: No module named 'redis'
"""


@pytest.mark.parametrize(("logs", "expected"), [
    (NODE_CRASH, ("error in the log", "Error: Cannot find module '/app/server.js'")),
    (PY_CRASH, ("error in the log", "ModuleNotFoundError: No module named 'redis'")),
    ("listening on :8080\nshutting down\n", ("last log line", "shutting down")),
    ("\n\n", None),
])
def test_the_line_that_says_why_is_quoted(logs, expected):
    assert telling_line(logs) == expected


# emikulic/darkhttpd run without its folder argument prints its usage and exits 0: the message says what to set.
DARKHTTPD_USAGE = """\
darkhttpd/1.16, copyright (c) 2003-2024 Emil Mikulic.

usage:\tdarkhttpd /path/to/wwwroot [flags]

flags:\t--port number (default: 8080, or 80 if running as root)
"""


@pytest.mark.parametrize(("code", "logs", "told"), [
    (0, DARKHTTPD_USAGE, True),
    (2, "Usage: server [OPTIONS] ROOT\nError: missing argument ROOT\n", True),
    (0, "migrations applied\n", True),
    (1, PY_CRASH, False),
])
def test_a_start_command_that_ends_by_itself_is_named_as_what_to_change(code, logs, told):
    plan = RunPlan(workload="w", image="i", uid=10001, gid=10001, memory_limit=None, cpu_limit_millicores=None,
                   writable_paths=(), read_only_root=True)
    reason = _exit_reason(code, False, logs, plan)
    assert reason.startswith(f"the container exited with code {code} before it was ready")
    assert reason.endswith("set overrides.runtime.entrypoint in imgforge.yaml to the command that runs the server") \
        is told
