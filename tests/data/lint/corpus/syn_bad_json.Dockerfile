# expect: SYN006
FROM debian:12-slim
USER 10001
RUN [ -f /etc/os-release ] && echo ok
CMD ['sh', '-c', 'echo hi']
