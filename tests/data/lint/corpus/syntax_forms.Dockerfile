# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
# expect: none
ARG BASE_TAG=3.20
FROM --platform=$BUILDPLATFORM alpine:${BASE_TAG} AS build
WORKDIR /src
# heredoc with tab stripping and a quoted terminator
RUN <<-"SCRIPT" sh
	set -e
	echo "build $(date)" > /src/stamp
	SCRIPT
RUN --network=none --security=sandbox \
    # a comment inside a continuation
    echo "line one" \
    && echo "line two"
COPY --link --chmod=0644 <<CONF <<NOTES /etc/app/
key=value
CONF
notes
NOTES
FROM alpine:${BASE_TAG}
copy --from=build /src/stamp /stamp
Env A=1 B="two words"
LABEL org.opencontainers.image.title="demo" \
      org.opencontainers.image.description="multi \
line"
EXPOSE 8080/tcp
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD wget -q -O /dev/null http://localhost:8080/ || exit 1
SHELL ["/bin/sh", "-c"]
ONBUILD RUN echo child
USER 10001:10001
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo hello"]
