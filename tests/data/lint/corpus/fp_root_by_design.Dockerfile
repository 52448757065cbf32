# expect: none
# expect-info: PIN003 PIN004
# the entrypoint drops to a service user with gosu; nginx-style daemons switch their workers themselves
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gosu && rm -rf /var/lib/apt/lists/* \
 && groupadd -r -g 999 redis && useradd -r -g redis -u 999 redis
COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
