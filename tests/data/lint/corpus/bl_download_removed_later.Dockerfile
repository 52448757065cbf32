# expect: BL001
FROM debian:12-slim
WORKDIR /tmp
RUN curl -fsSL -o /tmp/node.tar.xz https://nodejs.org/dist/v20.0.0/node-v20.0.0-linux-x64.tar.xz
RUN tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1
RUN rm /tmp/node.tar.xz
USER 10001
