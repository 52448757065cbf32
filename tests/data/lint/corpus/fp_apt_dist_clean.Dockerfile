# expect: none
# expect-info: PIN003 PIN004
# trixie images drop the lists with `apt-get dist-clean` in the RUN that filled them
FROM debian:trixie-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates tzdata; \
    apt-get dist-clean
CMD ["bash"]
