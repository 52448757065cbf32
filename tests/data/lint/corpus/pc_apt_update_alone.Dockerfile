# expect: PC002
FROM debian:12-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends git
USER 10001
