# expect: SEC005 SEC005
FROM alpine:3.20
RUN apk add --no-cache git \
 && git clone https://ghp_R8kZ2mQ7vX4nL9pT3wY6bH1cJ5dF0gS2aE7u@github.com/acme/private.git /src
RUN wget -q https://deploy:Wq7zR2vK9x@artifacts.acme-corp.net/app.tgz -O - | tar -xz -C /opt
USER 10001
