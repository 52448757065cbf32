# expect: none
# expect-info: PIN003 PIN004
# a toolchain image meant to be extended: no CMD or ENTRYPOINT
FROM buildpack-deps:bookworm-scm
RUN apt-get update && apt-get install -y --no-install-recommends g++ gcc libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/local/go/bin:$PATH
