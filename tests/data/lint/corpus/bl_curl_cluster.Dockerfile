# expect: BL001
# expect-info: PIN003
# curl -fsSLo FILE: the output file hides in an option cluster
FROM debian:12-slim
RUN curl -fsSLo /tmp/app.tgz https://downloads.acme.test/app-1.0.tgz
RUN tar -xzf /tmp/app.tgz -C /opt && rm /tmp/app.tgz
USER 10001
CMD ["/opt/app/bin/app"]
