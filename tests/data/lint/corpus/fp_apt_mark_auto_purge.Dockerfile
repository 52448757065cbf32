# expect: none
# expect-info: PIN003 PIN004 SH002
# the official-image idiom: remember manual packages, build, mark all auto, purge what autoremove finds
FROM debian:bookworm-slim
RUN set -eux; \
    savedAptMark="$(apt-mark showmanual)"; \
    apt-get update; \
    apt-get install -y --no-install-recommends gcc g++ make libssl-dev wget; \
    wget -O src.tgz "https://downloads.acme.test/server-2.1.tgz"; \
    mkdir -p /usr/src/server; tar -xzf src.tgz -C /usr/src/server --strip-components=1; rm src.tgz; \
    cd /usr/src/server; \
    make -j "$(nproc)"; make install; \
    apt-mark auto '.*' > /dev/null; \
    [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark > /dev/null; \
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
    rm -rf /var/lib/apt/lists/* /usr/src/server
USER 999
CMD ["server"]
