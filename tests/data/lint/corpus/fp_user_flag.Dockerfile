# expect: none
# expect-info: PIN003 PIN005
# the daemon is told which user to switch to on its command line
FROM alpine:3.20
RUN apk add --no-cache memcached
EXPOSE 11211
CMD ["memcached", "-u", "memcache", "-m", "64"]
