# expect: MS001
FROM python:3.12-slim AS base
FROM base
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
USER 10001
CMD ["python", "-m", "app"]
