"""The pin board: one page listing the pins."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

PINS = ["ship the image", "water the plants"]


async def board(request):
    return PlainTextResponse(f"pinboard: {len(PINS)} pins, served by hypercorn")


app = Starlette(routes=[Route("/", board)])
