# expect: none
# expect-info: PIN003 USR002
FROM debian:12-slim
RUN useradd -r app
USER app
CMD ["app"]
