# expect: none
# expect-info: PIN003 BL003 PIN004
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
USER 10001
