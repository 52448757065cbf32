# expect: none
# expect-info: PIN003
# the download checks itself against the checksum list copied just before it
FROM debian:bookworm-slim
WORKDIR /opt
COPY checksums/ /opt/checksums/
RUN curl -fsSLo tool.tgz https://downloads.acme.test/tool-3.2.tgz \
 && sha256sum -c /opt/checksums/tool.sha256 && tar -xzf tool.tgz && rm tool.tgz
USER 10001
CMD ["/opt/tool/bin/tool"]
