# On an Alpine base /bin/sh is BusyBox ash, which execs the last command of an && list: the relay becomes PID 1
# and gets SIGTERM, so the shell form is only worth a note.
# expect: none
# expect-info: PIN003 SH005
FROM alpine:3.20
COPY relay /usr/local/bin/relay
USER 10001
CMD mkdir -p /tmp/relay && relay --spool /tmp/relay --listen :7000
