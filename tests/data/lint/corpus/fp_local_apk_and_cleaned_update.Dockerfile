# expect: none
# expect-info: PIN003 PIN003 BL003
# local .apk files download no index; an update whose lists the same RUN removes leaves nothing stale
FROM alpine:3.20 AS glibc
COPY pkgs/ /tmp/pkgs/
RUN apk add --allow-untrusted /tmp/pkgs/glibc-2.35-r1.apk && rm -rf /tmp/pkgs
FROM debian:bookworm-slim
RUN apt-get update && dpkg -i /tmp/app.deb || apt-get install -f -y && rm -rf /var/lib/apt/lists/*
USER 10001
CMD ["app"]
