FROM python:3.12-slim AS build
RUN python -m venv /venv
COPY requirements.txt .
RUN /venv/bin/pip install -r requirements.txt
FROM python:3.12-slim
COPY --from=build /venv /venv
COPY . /app
USER 10001
CMD ["/venv/bin/python", "/app/main.py"]
