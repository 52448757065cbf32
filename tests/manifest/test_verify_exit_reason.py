"""Which log line a failed verify quotes (pure)."""

from __future__ import annotations

import pytest

from imgforge.manifest.plan import RunPlan
from imgforge.manifest.verify import _exit_reason, loaded_no_app, missing_env, telling_line

# A workload as verify plans it: non-root, read-only root filesystem.
PLAN = RunPlan(workload="w", image="i", uid=10001, gid=10001, memory_limit=None, cpu_limit_millicores=None,
               writable_paths=(), read_only_root=True)

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
    plan = PLAN
    reason = _exit_reason(code, False, logs, plan)
    assert reason.startswith(f"the container exited with code {code} before it was ready")
    assert reason.endswith("set overrides.runtime.entrypoint in imgforge.yaml to the command that runs the server") \
        is told


# What configuration libraries print when a variable is missing, modelled on each (envalid colours its block even
# without a terminal, as edwinhern/express-typescript-2024 does under verify).
ENVALID = ("\x1b[37m================================\x1b[0m\n \x1b[33mMissing\x1b[0m environment variables:\n"
           "    \x1b[34mCORS_ORIGIN\x1b[0m: undefined\n    \x1b[34mHOST\x1b[0m: undefined\n"
           "\x1b[37m================================\x1b[0m\n\x1b[33m\n Exiting with error code 1\x1b[0m\n")
PY_ENVIRON = ('Traceback (most recent call last):\n  File "/app/app.py", line 4, in <module>\n'
              "    DB = os.environ['DATABASE_URL']\n  File \"<frozen os>\", line 679, in __getitem__\n"
              "KeyError: 'DATABASE_URL'\n")
DJANGO = ("django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable\n")
GO_ENV = 'panic: env: required environment variable "API_TOKEN" is not set\n'
PLAIN = "Error: environment variable STRIPE_KEY is required\nerror: REDIS_URL env var is not set\n"
# pydantic-settings (FastAPI's full-stack template's Settings with required fields) and python-decouple.
PYDANTIC = ("pydantic_core._pydantic_core.ValidationError: 3 validation errors for Settings\nPROJECT_NAME\n"
            "  Field required [type=missing, input_value={}, input_type=dict]\n"
            "    For further information visit https://errors.pydantic.dev/2.14/v/missing\n"
            "postgres_server\n  Field required [type=missing, input_value={}, input_type=dict]\n"
            "SMTP_PORT\n  Input should be a valid integer [type=int_parsing, input_value='x', input_type=str]\n")
# os.environ.get without a default, used at once (a Django settings module splitting its allowed hosts; an int() of
# a port read with os.getenv): Python 3.11+ puts a caret line under the failing expression.
ENV_GET_NONE = ('Traceback (most recent call last):\n  File "/app/shop/settings.py", line 31, in <module>\n'
                '    ALLOWED_HOSTS = os.environ.get("SHOP_HOSTS").split(",")\n'
                "                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
                "AttributeError: 'NoneType' object has no attribute 'split'\n")
GETENV_NONE = ('  File "/app/worker.py", line 9, in <module>\n    WORKERS = int(os.getenv(\'WORKERS\'))\n'
               "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'NoneType'\n")
DECOUPLE = ("decouple.UndefinedValueError: EMAIL_HOST not found. Declare it as envvar or define a default value.\n")


@pytest.mark.parametrize(("logs", "names"), [
    (ENVALID, ["CORS_ORIGIN", "HOST"]),
    (PY_ENVIRON, ["DATABASE_URL"]),
    (DJANGO, ["SECRET_KEY"]),
    (GO_ENV, ["API_TOKEN"]),
    ("required key PORT missing value\n", ["PORT"]),
    (PLAIN, ["STRIPE_KEY", "REDIS_URL"]),
    (PYDANTIC, ["PROJECT_NAME", "POSTGRES_SERVER"]),  # a value that does not parse is not a missing one
    (DECOUPLE, ["EMAIL_HOST"]),
    (ENV_GET_NONE, ["SHOP_HOSTS"]),
    (GETENV_NONE, ["WORKERS"]),
    # A default makes the variable optional; a NoneType error on a line that reads no variable names none.
    (ENV_GET_NONE.replace('"SHOP_HOSTS")', '"SHOP_HOSTS", "*")'), []),
    ("  File \"/app/app.py\", line 3\n    user.name.strip()\nAttributeError: 'NoneType' object has no attribute "
     "'strip'\n", []),
    # A request model's validation error is no settings class's.
    ("ValidationError: 1 validation error for Item\nname\n  Field required [type=missing, input_value={}]\n", []),
    # A KeyError that is not the environment's, and a sentence with no variable, name nothing.
    ("Traceback:\n  x = config['debug']\nKeyError: 'DEBUG'\n", []),
    ("listening on :8080\n", []),
])
def test_missing_environment_variables_are_read_from_the_log(logs, names):
    assert missing_env(logs) == names


def test_a_container_stopping_for_missing_variables_is_told_where_to_set_them_and_its_colours_are_gone():
    plan = RunPlan(workload="w", image="i", uid=10001, gid=10001, memory_limit=None, cpu_limit_millicores=None,
                   writable_paths=(), read_only_root=True, env={"HOST": "0.0.0.0"})
    reason = _exit_reason(1, False, ENVALID, plan)
    assert ("it needs environment variables the manifest does not set (CORS_ORIGIN) - set them under manifest.env "
            "in imgforge.yaml") in reason
    assert "\x1b" not in reason and "[0m" not in reason
    assert reason.endswith("(last log line: Exiting with error code 1)")
    assert "environment variables" not in _exit_reason(1, False, PY_CRASH, plan)


def test_a_variable_read_with_no_default_is_named_as_the_projects_own_need():
    plan = PLAN
    reason = _exit_reason(3, False, ENV_GET_NONE, plan)
    assert "it needs environment variables the manifest does not set (SHOP_HOSTS)" in reason
    assert "the project's own configuration requires them with no default" in reason


# A Django startproject's DATABASES (BASE_DIR / "db.sqlite3") under `manage.py runserver`, which opens it at start.
SQLITE_CRASH = """\
Traceback (most recent call last):
  File "/opt/venv/lib/python3.13/site-packages/django/db/backends/sqlite3/base.py", line 206, in get_new_connection
    conn = Database.connect(**conn_params)
sqlite3.OperationalError: unable to open database file
django.db.utils.OperationalError: unable to open database file
"""


@pytest.mark.parametrize(("read_only", "told"), [(True, True), (False, False)])
def test_an_sqlite_database_under_the_read_only_root_is_named(read_only, told):
    plan = RunPlan(workload="w", image="i", uid=10001, gid=10001, memory_limit=None, cpu_limit_millicores=None,
                   writable_paths=("/tmp",), read_only_root=read_only)
    reason = _exit_reason(1, False, SQLITE_CRASH, plan)
    assert ("it keeps an SQLite database outside its emptyDir paths (/tmp)" in reason) is told
    assert "django.db.utils.OperationalError: unable to open database file" in reason


def test_pkg_resources_gone_from_setuptools_is_named_with_the_pin_to_add():
    # gunicorn 20.1.0 imports pkg_resources at start; its `setuptools>=3.0` lets pip install setuptools 82+.
    logs = ('Traceback (most recent call last):\n  File "/opt/venv/lib/python3.13/site-packages/gunicorn/util.py", '
            "line 25, in <module>\n    import pkg_resources\nModuleNotFoundError: No module named 'pkg_resources'\n")
    plan = RunPlan(workload="w", image="i", uid=10001, gid=10001, memory_limit=None, cpu_limit_millicores=None,
                   writable_paths=("/tmp",), read_only_root=True)
    reason = _exit_reason(1, False, logs, plan)
    assert "add setuptools<82 to the project's requirements" in reason
    assert reason.endswith("(error in the log: ModuleNotFoundError: No module named 'pkg_resources')")


# uWSGI answers on its port after the app failed to import (a hug app whose vendored mimeparse imports `cgi`,
# gone in Python 3.13): the TCP probes pass, the service serves nothing.
UWSGI_NO_APP = """\
  File "/opt/venv/lib/python3.13/site-packages/falcon/vendor/mimeparse/mimeparse.py", line 1, in <module>
    import cgi
ModuleNotFoundError: No module named 'cgi'
unable to load app 0 (mountpoint='') (callable not found or import error)
*** no app loaded. going in full dynamic mode ***
*** uWSGI is running in multiple interpreter mode ***
spawned uWSGI worker 1 (and the only) (pid: 1, cores: 1)
"""


def test_a_server_that_loaded_no_app_fails_with_the_import_error() -> None:
    reason = loaded_no_app(UWSGI_NO_APP)
    assert reason is not None and "loaded no app" in reason
    assert "ModuleNotFoundError: No module named 'cgi'" in reason


def test_a_server_that_loaded_its_app_is_not_flagged() -> None:
    assert loaded_no_app("*** Operational MODE: single process ***\nWSGI app 0 (mountpoint='') ready in 1 seconds\n"
                         "spawned uWSGI worker 1 (and the only) (pid: 1, cores: 1)\n") is None


def test_a_name_a_newer_dependency_removed_is_called_the_projects_pin_to_add():
    # A 2021 Flask 1.1 app: its `Jinja2>=2.10.1` let pip take Jinja2 3.1, which has no `escape`.
    logs = ('  File "/opt/venv/lib/python3.11/site-packages/flask/__init__.py", line 14, in <module>\n'
            "    from jinja2 import escape\n"
            "ImportError: cannot import name 'escape' from 'jinja2' "
            "(/opt/venv/lib/python3.11/site-packages/jinja2/__init__.py)\n")
    plan = PLAN
    reason = _exit_reason(3, False, logs, plan)
    assert ": the installed jinja2 has no escape any more" in reason
    assert "pin jinja2 to the release the project was made with" in reason
    # The project's own module missing a name is its own bug, not a dependency's release.
    own = "ImportError: cannot import name 'db' from 'project' (/app/project/__init__.py)\n"
    assert "has no db any more" not in _exit_reason(3, False, own, plan)


def test_an_old_psycopg2_that_cannot_start_on_this_python_is_named_with_the_pin_to_raise():
    logs = ('  File "/opt/venv/lib/python3.11/site-packages/psycopg2/__init__.py", line 51, in <module>\n'
            "    from psycopg2._psycopg import (                     # noqa\n"
            "SystemError: initialization of _psycopg raised unreported exception\n")
    plan = PLAN
    reason = _exit_reason(3, False, logs, plan)
    assert "psycopg2 2.9.1 and older (psycopg2-binary too) does not run on Python 3.11 and later" in reason
    assert "pin psycopg2-binary>=2.9.3" in reason
