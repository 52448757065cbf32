# syntax=docker/dockerfile:1.4
# expect: none
FROM debian:bookworm-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends tini
rm -rf /var/lib/apt/lists/*
EOF
COPY <<EOF /etc/app/config.yaml
listen: 0.0.0.0:8080
EOF
USER 10001
ENTRYPOINT ["tini", "--"]
