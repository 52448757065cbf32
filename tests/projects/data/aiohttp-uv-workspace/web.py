"""The board's web app: an app factory that gunicorn's aiohttp worker calls (see the Dockerfile's CMD)."""

from aiohttp import web
from greetings import greet


async def index(request: web.Request) -> web.Response:
    return web.Response(text=greet(request.query.get("name", "visitor")))


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", health)
    return app
