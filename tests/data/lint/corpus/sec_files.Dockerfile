# expect: SEC003 SEC003 SEC003 SEC003
FROM debian:12-slim
COPY id_rsa /root/.ssh/id_rsa
COPY .npmrc /root/.npmrc
COPY .env /app/.env
COPY ["certs/server.key", "/etc/ssl/private/"]
COPY .env.example /app/.env.example
COPY certs/ca-cert.pem /usr/local/share/ca-certificates/
USER 10001
