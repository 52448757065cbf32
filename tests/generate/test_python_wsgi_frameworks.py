"""Falcon and Bottle apps are served by the WSGI server the project depends on (gunicorn, else waitress), a
Falcon ASGI app by its ASGI server, and a Bottle app with no server by bottle's own command line on every
interface: their scripts' `run()` binds localhost or serves nothing (pure).

Modelled on biancarosa/falcon-example (`api = falcon.API()` in api/app.py, gunicorn in requirements.txt) and
glasnt/cloudrun-python-examples' bottle and falcon folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imgforge.generate.pystart import python_start
from tests.generate._files import write


@pytest.mark.parametrize(("files", "command"), [
    ({"requirements.txt": "falcon==1.0.0\ngunicorn==19.6.0\n", "api/__init__.py": "",
      "api/app.py": "import falcon\n\nfrom api.hooks import auth\n\napi = falcon.API(middleware=[])\n"},
     "exec gunicorn --bind 0.0.0.0:${PORT} 'api.app:api'"),
    ({"requirements.txt": "falcon>=3\nwaitress\n", "service.py": "from falcon import App\n\nwsgi = App()\n"},
     "exec waitress-serve --listen 0.0.0.0:${PORT} 'service:wsgi'"),
    ({"requirements.txt": "falcon>=3\nuvicorn\n", "app.py": "import falcon.asgi\n\napp = falcon.asgi.App()\n"},
     "exec uvicorn app:app --host 0.0.0.0 --port ${PORT}"),
    ({"requirements.txt": "bottle\ngunicorn\n",
      "app.py": "import bottle\n\napp = bottle.default_app()\n\nif __name__ == '__main__':\n"
                "    bottle.run(host='localhost', port=8080)\n"},
     "exec gunicorn --bind 0.0.0.0:${PORT} 'app:app'"),
    ({"requirements.txt": "bottle==0.13.2\n", "site/__init__.py": "",
      "site/web.py": "from bottle import Bottle, run\n\nweb = Bottle()\n\nif __name__ == '__main__':\n"
                     "    run(web, host='127.0.0.1')\n"},
     "exec python3 -m bottle --bind 0.0.0.0:${PORT} 'site.web:web'"),
])
def test_wsgi_frameworks_run_under_a_server(tmp_path: Path, files: dict[str, str], command: str) -> None:
    start = python_start(write(tmp_path, files))
    assert start is not None and start.entrypoint == ("/bin/sh", "-c", command)


def test_a_falcon_app_without_a_server_is_not_guessed(tmp_path: Path) -> None:
    """Falcon has no server of its own: a script's wsgiref `make_server` on localhost is not the service."""
    write(tmp_path, {"requirements.txt": "falcon\n", "things.py": "import falcon\n\napp = falcon.App()\n"})
    assert python_start(tmp_path) is None
