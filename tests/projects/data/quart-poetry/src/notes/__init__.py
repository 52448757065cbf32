from quart import Quart, jsonify

app = Quart(__name__)
NOTES: list[str] = ["first"]


@app.get("/")
async def index():
    return jsonify(notes=NOTES)


def run() -> None:
    app.run(debug=True)
