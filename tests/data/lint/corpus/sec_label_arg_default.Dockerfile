# expect: SEC001 SEC001
FROM debian:12-slim
ARG GITHUB_TOKEN=0123456789abcdef0123
LABEL org.example.api_key="d6f8a3b2c1e94f7a"
LABEL org.opencontainers.image.authors="ops@example.com"
USER 10001
