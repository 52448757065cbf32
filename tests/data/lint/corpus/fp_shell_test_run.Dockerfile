# expect: none
# expect-info: PIN003
# a RUN that starts with a shell test is not a broken exec form
FROM alpine:3.20
ARG WITH_TOOLS=false
RUN [ "${WITH_TOOLS}" = "true" ] && echo tools || echo none
USER 10001
CMD ["sh"]
