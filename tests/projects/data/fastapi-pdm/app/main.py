from fastapi import FastAPI

app = FastAPI(title="quotes")
QUOTES = ["Simple is better than complex."]


@app.get("/quotes")
def quotes() -> list[str]:
    return QUOTES
