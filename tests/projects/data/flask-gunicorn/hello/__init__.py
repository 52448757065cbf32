"""A small Flask service: a greeting, a counter and health endpoints."""

import os

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["GREETING"] = os.environ.get("GREETING", "hello from flask")
    hits = {"count": 0}

    @app.get("/")
    def index():
        hits["count"] += 1
        return jsonify(message=app.config["GREETING"], hits=hits["count"])

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/readyz")
    def readyz():
        return "ready"

    return app
