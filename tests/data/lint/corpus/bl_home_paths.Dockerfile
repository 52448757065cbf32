# expect: BL001
# expect-info: PIN003 PIN004
# ~/ is the home folder, not a folder named ~ under WORKDIR
FROM debian:12-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && curl -fsSLo ~/tool.tgz https://downloads.acme.test/tool-2.0.tgz
RUN tar -xzf /root/tool.tgz -C /opt && rm ~/tool.tgz
USER 10001
EXPOSE 8080
CMD ["/opt/tool/bin/serve"]
