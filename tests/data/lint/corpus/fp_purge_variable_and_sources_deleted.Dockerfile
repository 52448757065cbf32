# expect: none
# expect-info: PIN003 PIN004 SH002 SH001
# build deps named in a variable and purged by it; the checked-out sources deleted in the same RUN
FROM ubuntu:24.04
RUN buildDeps='build-essential cmake git' \
 && apt-get update && apt-get install -y --no-install-recommends $buildDeps ca-certificates \
 && git clone --depth 1 https://github.com/acme/tiny.git /tmp/tiny \
 && cd /tmp/tiny && cmake . && make && make install \
 && apt-get purge -y --auto-remove $buildDeps \
 && rm -rf /var/lib/apt/lists/* /tmp/tiny \
 && tiny --help | head -n 1
USER 10001
CMD ["tiny"]
