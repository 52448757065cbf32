# syntax is the built-in frontend of Docker 20.10 (BuildKit 0.8)
FROM imgforge/busybox:1.35 AS build
RUN echo hello > /h

RUN echo line1; echo line2 >&2; \
    exit 3

FROM imgforge/busybox:1.35
COPY --from=build /h /h
