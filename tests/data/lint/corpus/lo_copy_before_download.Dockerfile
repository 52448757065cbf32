# expect: none
# expect-info: PIN003 LO003 SH001
FROM debian:12-slim
WORKDIR /opt
COPY src/ /opt/src/
RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt
USER 10001
