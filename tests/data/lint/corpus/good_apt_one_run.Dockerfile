# expect: none
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd -r app && useradd -r -g app -u 10001 app
COPY --chown=10001:10001 bin/server /usr/local/bin/server
USER 10001
CMD ["server"]
