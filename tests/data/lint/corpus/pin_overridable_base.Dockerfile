# expect: none
# expect-info: PIN008 PIN008
ARG RUNTIME_IMAGE=registry.example.com/platform/runtime
ARG FLAVOUR=latest
FROM ${RUNTIME_IMAGE} AS app
USER 10001
CMD ["serve"]
FROM registry.example.com/platform/tools:${FLAVOUR}
USER 10001
CMD ["serve"]
