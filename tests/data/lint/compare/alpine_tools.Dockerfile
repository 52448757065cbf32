FROM alpine:latest
RUN apk update
RUN apk add curl bash jq
COPY scripts/ /opt/scripts/
RUN apk add --update git openssh
USER root
ENTRYPOINT ["/opt/scripts/run.sh"]
