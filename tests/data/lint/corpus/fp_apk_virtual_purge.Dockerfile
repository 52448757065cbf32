# expect: none
# expect-info: PIN003 PIN005
# build deps live in a virtual package that the same RUN deletes
FROM alpine:3.20
RUN set -eux; \
    apk add --no-cache --virtual .build-deps gcc make musl-dev linux-headers; \
    wget -O /tmp/tool.tar.gz "https://downloads.acme.test/tool-1.4.tar.gz"; \
    tar -xzf /tmp/tool.tar.gz -C /tmp; \
    make -C /tmp/tool-1.4 install; \
    apk del --no-network .build-deps; \
    rm -rf /tmp/tool-1.4 /tmp/tool.tar.gz
USER 65534
ENTRYPOINT ["/usr/local/bin/tool"]
