# expect: LO002
FROM debian:12-slim
COPY ./ /srv/
RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*
USER 10001
