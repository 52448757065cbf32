# expect: SYN011 SYN012
# expect-info: PIN003
FROM debian:12-slim
ENV DEBUG
ENV MODE production
EXPOSE 8080/tcp ${METRICS_PORT:-9090} http
USER 10001
CMD ["app"]
