"""A Flask service that talks to PostgreSQL through psycopg2 built from source (no Linux wheel exists)."""

import os

import psycopg2
import psycopg2.extensions
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    # libpq is loaded by the compiled module: its version proves the image has the library.
    return f"psycopg2 {psycopg2.__version__.split()[0]} on libpq {psycopg2.extensions.libpq_version()}\n"


@app.get("/orders")
def orders() -> str:
    with psycopg2.connect(os.environ.get("DATABASE_URL", "postgresql:///orders")) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from orders")
        return f"{cur.fetchone()[0]} orders\n"
