# expect: none
# expect-info: PIN003 PIN005
# a tunnel daemon needs root (NET_ADMIN, tun devices); the entrypoint script hides the binary
FROM alpine:3.20
RUN apk add --no-cache strongswan iptables
COPY entrypoint.sh /entrypoint.sh
ENTRYPOINT ["/entrypoint.sh"]
