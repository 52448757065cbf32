# syntax=docker/dockerfile:1
# expect: none
# expect-info: PIN003 PIN003 PIN004
FROM imgforge/python-dev:3.11 AS build
WORKDIR /app
COPY pyproject.toml requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
COPY app/ ./app/
FROM imgforge/python:3.11 AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=build --link /opt/venv /opt/venv
COPY --from=build /app/app /app/app
WORKDIR /app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/opt/venv/bin/python", "-c", "print(1)"]
CMD ["/opt/venv/bin/python", "-m", "app"]
