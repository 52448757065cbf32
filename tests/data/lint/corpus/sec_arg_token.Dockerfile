# expect: SEC002 SEC004
FROM node:20-slim AS build
ARG NPM_TOKEN
WORKDIR /app
COPY package.json package-lock.json ./
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc \
 && npm ci && npm cache clean --force && rm -f .npmrc
FROM node:20-slim
COPY --from=build /app/node_modules /app/node_modules
USER 1000
