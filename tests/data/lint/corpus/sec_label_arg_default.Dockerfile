# expect: SEC001 SEC001
FROM debian:12-slim
ARG GITHUB_TOKEN=gh0Kz8Rt5Wq2Lm7Pv3Xn
LABEL org.example.api_key="Vb7Nq2Xk9Lr4Tz8M"
LABEL org.opencontainers.image.authors="ops@example.com"
USER 10001
