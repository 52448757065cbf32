# expect: MS001
FROM node:20 AS assets
WORKDIR /web
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
FROM golang:1.22
WORKDIR /src
COPY --from=assets /web/node_modules ./node_modules
COPY . .
RUN go build -o /usr/local/bin/app .
USER 10001
CMD ["app"]
