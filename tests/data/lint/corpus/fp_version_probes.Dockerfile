# expect: none
# expect-info: PIN003 PIN003
# version checks in a single-stage toolchain image are probes, not builds; no CMD: an SDK image to build on
FROM eclipse-temurin:21-jdk
RUN set -eux; javac --version; java --version
FROM rust:1.79-slim
RUN rustc --version && cargo --version && gcc --version
