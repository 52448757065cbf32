# expect: USR001
# expect-info: PIN003
FROM debian:12-slim
RUN useradd -r app
USER app
RUN echo hi
USER root
CMD ["app"]
