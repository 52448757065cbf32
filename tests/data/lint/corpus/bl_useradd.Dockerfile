# expect: BL004
FROM debian:12-slim
RUN useradd -u 1000000 -m appuser
USER 1000000
