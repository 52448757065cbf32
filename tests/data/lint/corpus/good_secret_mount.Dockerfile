# syntax=docker/dockerfile:1
# expect: none
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=cache,target=/root/.npm \
    npm ci
RUN --mount=type=secret,id=gh,env=GH_TOKEN \
    curl -fsSL -H "Authorization: Bearer $GH_TOKEN" -o /tmp/tool.tgz https://api.github.com/repos/o/r/tarball \
 && tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz
COPY . .
RUN npm run build

FROM node:20-slim
COPY --from=build /app/dist /app
USER 1000
CMD ["node", "/app/index.js"]
