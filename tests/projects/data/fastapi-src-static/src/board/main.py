"""The board's API; its static files live in src/static, beside the package (as in development)."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"

app = FastAPI()
app.mount("/static", StaticFiles(directory=STATIC), name="static")


@app.get("/", response_class=PlainTextResponse)
def index() -> str:
    return "board: " + (STATIC / "motd.txt").read_text().strip()
