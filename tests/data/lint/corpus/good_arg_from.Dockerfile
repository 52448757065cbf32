# expect: none
ARG PYTHON_VERSION=3.12
ARG BASE=python:${PYTHON_VERSION}-slim
FROM ${BASE} AS runtime
ARG PYTHON_VERSION
RUN pip install --no-cache-dir "uvicorn==0.30.1"
USER 10001
CMD ["uvicorn", "app:app"]
