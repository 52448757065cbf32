"""A port the project keeps in a settings file rather than in code: the JSON file a `PORT || config.port` default
reads, and PORT in the environment template (.env.example) the project ships (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate.facts import find_port
from tests.generate._files import write

SERVER = "import settings from './settings.json';\n\napp.listen(process.env.PORT || settings.port);\n"


# A Python option definition (mher/flower's `define("port", default=5555, …)`, served as `celery flower`) and a
# PasteDeploy server section (Pyramid's production.ini, `pserve production.ini`).
@pytest.mark.parametrize(("files", "first", "number", "where"), [
    ({"viewer/options.py": "from tornado.options import define\n\ndefine('address', default='')\n"
                           "define(\"port\", default=5555, help='run on the given port', type=int)\n"},
     [], 5555, "tornado.options' port default in viewer/options.py"),
    # gunicorn's settings file, named by the Procfile's `gunicorn -c`.
    ({"gunicorn.conf.py": "import multiprocessing\n\nbind = '0.0.0.0:5005'\nworkers = 2\n"}, ["gunicorn.conf.py"], 5005,
     "a gunicorn bind setting in gunicorn.conf.py"),
    ({"production.ini": "[app:main]\nuse = egg:wiki\n\n[server:main]\nuse = egg:waitress#main\nlisten = *:6543\n"},
     ["production.ini"], 6543, "a listen setting in production.ini"),
])
def test_a_python_servers_port_setting_is_found(tmp_path: Path, files: dict[str, str], first: list[str], number: int,
                                                where: str) -> None:
    port = find_port(write(tmp_path, files), [tmp_path / f for f in first], (".py",))
    assert port is not None and port.number == number and port.why == where


@pytest.mark.parametrize(("files", "number", "where"), [
    ({"src/index.js": SERVER, "src/settings.json": '{"port": 4100, "bodyLimit": "100kb"}'}, 4100,
     "`port` in src/settings.json (read by src/index.js)"),
    ({"server.js": "const conf = require('./conf/app.json');\nserver.listen(process.env.PORT ?? conf.port);\n",
      "conf/app.json": '{"port": "5600"}'}, 5600, "`port` in conf/app.json (read by server.js)"),
    ({"server.js": "app.listen(process.env.PORT);\n", ".env.example": "# copy to .env\nexport PORT=4321\nDEBUG=1\n"},
     4321, "PORT in .env.example"),
    # The code's own default wins over the template's.
    ({"server.js": "app.listen(process.env.PORT || 3000);\n", ".env.example": "PORT=4321\n"}, 3000,
     "the default of PORT in server.js"),
])
def test_a_port_kept_in_settings_is_found(tmp_path: Path, files: dict[str, str], number: int, where: str) -> None:
    port = find_port(write(tmp_path, files), [], (".js",))
    assert port is not None and port.number == number and where in port.why


@pytest.mark.parametrize("files", [
    {"src/index.js": SERVER},  # the file is not there
    {"src/index.js": SERVER, "src/settings.json": "{not json"},
    {"src/index.js": SERVER, "src/settings.json": '["port", 4100]'},
    {"src/index.js": SERVER, "src/settings.json": '{"port": 80}'},  # below 1024: not bindable as non-root
    {"src/index.js": SERVER, "src/settings.json": '{"port": true}'},
    # Outside the project.
    {"src/index.js": "import settings from '../../settings.json';\napp.listen(process.env.PORT || settings.port);\n"},
    {"server.js": "app.listen(process.env.PORT);\n", ".env.example": "PORT=\nHOST_PORT=5432\n"},
])
def test_settings_that_state_no_usable_port_are_skipped(tmp_path: Path, files: dict[str, str]) -> None:
    assert find_port(write(tmp_path, files), [], (".js",)) is None


def test_a_p_flag_is_a_port_only_for_servers_that_read_it_so() -> None:
    from imgforge.generate.facts import port_in

    daphne = port_in("web: daphne -b 0.0.0.0 -p 8001 proj.asgi:application", "Procfile")
    flask = port_in("flask run --host 0.0.0.0 -p 5001", "Makefile")
    assert daphne is not None and daphne.number == 8001 and flask is not None and flask.number == 5001
    assert port_in("docker run -p 8080:80 shop && mkdir -p 1234", "README") is None


def test_a_clients_port_of_a_database_or_broker_is_not_the_services() -> None:
    """A Django app that publishes to RabbitMQ (`pika.ConnectionParameters(port=5672)`) or caches in Redis serves on
    its own port, not the broker's (modelled on a Channels chat app with a pika producer)."""
    from imgforge.generate.facts import port_in

    producer = ("import pika\n\nconnection = pika.BlockingConnection(pika.ConnectionParameters(\n"
                "    host='localhost', port=5672))\ncache = redis.Redis(host='cache', port=6379)\n")
    assert port_in(producer, "api/producer.py") is None
    found = port_in(producer + "uvicorn.run(app, host='0.0.0.0', port=8001)\n", "api/producer.py")
    assert found is not None and found.number == 8001
