# expect: USR001
FROM busybox:1.36 AS tools
USER 65534
FROM debian:12-slim
COPY --from=tools /bin/busybox /bin/busybox
CMD ["busybox", "httpd", "-f", "-p", "8080"]
