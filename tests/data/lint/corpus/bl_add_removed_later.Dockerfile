# expect: BL001
FROM debian:12-slim
ADD https://example.com/big-dataset.tar.gz /data/dataset.tar.gz
RUN tar -xzf /data/dataset.tar.gz -C /data && rm -f /data/dataset.tar.gz
USER 10001
