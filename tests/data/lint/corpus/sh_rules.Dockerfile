# expect: SH003
# expect-info: PIN003 SH001 SH002 SH004
# Debian's dash keeps the shell as PID 1 even for the lone shell-form command.
FROM debian:12-slim
ADD app.conf /etc/app/app.conf
ADD rootfs.tar.gz /
RUN curl -fsSL https://downloads.acme.test/install.sh | sh
RUN set -o pipefail && curl -fsSL https://downloads.acme.test/list | grep -v '#'
RUN cd /opt && ./configure-app
USER 10001
CMD /opt/app/bin/app --port 8080
