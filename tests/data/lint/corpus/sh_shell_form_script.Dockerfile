# A shell-form CMD that runs several commands keeps the shell as PID 1.
# expect: SH003
# expect-info: PIN003
FROM alpine:3.20
COPY relay /usr/local/bin/relay
USER 10001
CMD mkdir -p /tmp/relay && relay --spool /tmp/relay --listen :7000
