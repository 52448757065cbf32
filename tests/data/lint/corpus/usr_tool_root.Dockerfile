# expect: none
# expect-info: PIN003 PIN005 USR003
# a command-line tool run by hand: root is a weaker case than a service, so info
FROM alpine:3.20
RUN apk add --no-cache jq
ENTRYPOINT ["jq"]
CMD ["--help"]
