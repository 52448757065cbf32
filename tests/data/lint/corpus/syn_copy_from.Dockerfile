# expect: SYN010 SYN010
FROM debian:12-slim AS one
COPY --from=two /a /a
FROM debian:12-slim AS two
COPY --from=two /b /b
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
COPY --from=one /c /c
COPY --from=0 /d /d
USER 10001
