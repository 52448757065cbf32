# expect: SYN002 SYN002 SYN002 SYN002
FROM debian:12-slim AS build
RUN --mount echo missing value
COPY --form=build /a /b
COPY --chmod /a /b
WORKDIR --foo=bar /app
USER 10001
