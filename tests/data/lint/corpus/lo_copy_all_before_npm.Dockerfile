# expect: LO001
FROM node:20-slim AS build
WORKDIR /app
COPY . /app
RUN --mount=type=cache,target=/root/.npm npm ci && npm run build
FROM nginx:1.27-alpine
COPY --from=build /app/dist /usr/share/nginx/html
USER 101
