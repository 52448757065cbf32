# expect: none
# expect-info: PIN003 SH002
# `make install` of a plugin copies files; nothing is compiled here
FROM python:3.12-slim
COPY plugin/ /src/plugin/
RUN cd /src/plugin && make install PREFIX=/usr/local
USER 10001
EXPOSE 8080
CMD ["python", "-m", "plugin"]
