# syntax=docker/dockerfile:1.7
# expect: none
FROM imgforge/python-dev:3.11 AS build
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
COPY src/ ./src/
RUN pip install --no-cache-dir --no-deps ./src

FROM imgforge/python:3.11
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
USER 10001
ENTRYPOINT ["python", "-m", "app"]
