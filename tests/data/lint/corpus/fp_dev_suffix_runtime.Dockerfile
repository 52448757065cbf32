# expect: none
# expect-info: PIN003 PIN004
# header packages and names ending in -dev are not compilers
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev udev libmagic-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
USER 10001
CMD ["python", "-m", "app"]
