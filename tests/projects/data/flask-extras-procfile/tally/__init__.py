"""Counters over HTTP, served by gunicorn's gevent workers in production."""

from flask import Flask

COUNTERS = {"visits": 0, "signups": 0, "errors": 0}


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        import gevent  # the worker class's package: present only when the prod extra was installed

        return f"tally: {len(COUNTERS)} counters on gevent {gevent.__version__}"

    return app
