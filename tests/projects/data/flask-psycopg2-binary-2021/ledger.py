"""A ledger API pinned at the end of 2021: psycopg2-binary 2.9.3 has Linux wheels up to CPython 3.10 only, so
every catalog Python builds it from its sdist against the system's libpq."""

import os

import psycopg2
import psycopg2.extensions
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def about() -> str:
    # The module pip compiled loads the runtime's libpq: its version says both are there.
    return (f"ledger on psycopg2 {psycopg2.__version__.split()[0]}, "
            f"libpq {psycopg2.extensions.libpq_version() // 10000}\n")


@app.get("/entries")
def entries():
    with psycopg2.connect(os.environ.get("LEDGER_DSN", "dbname=ledger")) as conn, conn.cursor() as cur:
        cur.execute("select id, amount from entries order by id")
        return jsonify([{"id": i, "amount": str(a)} for i, a in cur.fetchall()])
