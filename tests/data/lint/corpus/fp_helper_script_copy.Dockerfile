# expect: none
# expect-info: PIN003 PIN004
# one entrypoint helper copied before the package install is not the source tree
FROM debian:bookworm-slim
COPY docker-entrypoint /usr/local/bin/docker-entrypoint
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
USER 10001
ENTRYPOINT ["tini", "--", "docker-entrypoint"]
