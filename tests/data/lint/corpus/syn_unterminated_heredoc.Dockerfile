# expect: SYN003
FROM debian:12-slim
USER 10001
RUN <<EOF
echo this heredoc never ends
