# expect: SEC005 SEC004
FROM alpine:3.20
RUN apk add --no-cache git \
 && git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789AB@github.com/acme/private.git /src
RUN wget -q https://deploy:hunter2hunter2@artifacts.example.com/app.tgz -O - | tar -xz -C /opt
USER 10001
