# expect: PC001
FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 && apt-get clean
USER 10001
