# expect: SYN004 SYN004 SYN004
FROM debian:12-slim AS build extra
WORKDIR
SHELL /bin/bash -c
USER 10001
