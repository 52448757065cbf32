# expect: SYN001
FROM debian:12-slim
RUNN echo typo
USER 10001
