# expect: none
FROM debian:12-slim
RUN set -eux; \
    # refresh the index and install in the same layer
    apt-get update; \

    apt-get install -y --no-install-recommends ca-certificates; \
    # and clean up in the same layer too
    rm -rf /var/lib/apt/lists/*
USER 10001
