"""Inventory API: items in memory, health endpoints for the orchestrator."""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="inventory")
ITEMS: dict[str, int] = {"widget": 3}


class Item(BaseModel):
    name: str
    count: int


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "inventory api"}


@app.get("/items/{name}")
def item(name: str) -> Item:
    if name not in ITEMS:
        raise HTTPException(status_code=404, detail="no such item")
    return Item(name=name, count=ITEMS[name])


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/readyz")
def readyz() -> str:
    return "ready"
