# expect: SYN009
FROM debian:12-slim AS build
FROM debian:12-slim AS Build
USER 10001
