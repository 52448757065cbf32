"""Which log line a failed verify quotes (pure)."""

from __future__ import annotations

import pytest

from imgforge.manifest.verify import telling_line

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
