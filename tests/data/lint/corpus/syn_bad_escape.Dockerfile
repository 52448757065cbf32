# escape=x
# expect: SYN008
FROM debian:12-slim
USER 10001
