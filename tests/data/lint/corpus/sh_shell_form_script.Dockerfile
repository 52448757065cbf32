# A shell-form CMD that runs several commands keeps the shell (Debian's dash) as PID 1.
# expect: SH003
# expect-info: PIN003
FROM debian:12-slim
COPY relay /usr/local/bin/relay
USER 10001
CMD mkdir -p /tmp/relay && relay --spool /tmp/relay --listen :7000
