ARG BASE=debian
FROM ${BASE}
LABEL maintainer="ops@example.com"
RUN apt-get update && apt-get -y install curl && apt-get clean
USER nobody
