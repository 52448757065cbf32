# expect: none
FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S app && adduser -S -G app -u 10001 app
COPY --chown=app:app server /usr/local/bin/server
USER 10001
ENTRYPOINT ["server"]
