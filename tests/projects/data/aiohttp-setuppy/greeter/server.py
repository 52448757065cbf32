import logging

from aiohttp import web


async def hello(request: web.Request) -> web.Response:
    return web.json_response({"hello": request.query.get("name", "world")})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app())


if __name__ == "__main__":
    main()
