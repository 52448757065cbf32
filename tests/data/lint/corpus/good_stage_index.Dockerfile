# expect: none
FROM gcc:13 AS build
WORKDIR /src
COPY main.c .
RUN gcc -O2 -static -o /hello main.c

FROM busybox:1.36
COPY --from=0 /hello /bin/hello
USER 65534
CMD ["/bin/hello"]
