# expect: none
# expect-info: PIN003 PIN005
FROM alpine:3.20
RUN apk add --no-cache nginx tini
COPY nginx.conf /etc/nginx/nginx.conf
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["nginx", "-g", "daemon off;"]
