# expect: none
# expect-info: PIN003 SH001
# $PWD is the working directory, *_AUTH_VERSION a version, '$TOKEN' in single quotes is literal text
# no ARG defines, and placeholders are not credentials
FROM debian:bookworm-slim
ENV MONGO_AUTH_VERSION=1.5.0
ENV APP_PASSWORD=changeme \
    API_TOKEN=XXXXXXXXXXXX \
    SESSION_SECRET=0000000000000000
RUN cp -r "$PWD/conf" /etc/app && echo 'export GH_TOKEN=$TOKEN' >> /etc/profile.d/app.sh
RUN DB_PASSWORD="$(cat /run/secrets/db)" && echo "$DB_PASSWORD" | wc -c
USER 10001
CMD ["app"]
COPY cfg/.ssh/authorized_keys /home/app/.ssh/authorized_keys
COPY deploy_key.pub /etc/app/deploy_key.pub
