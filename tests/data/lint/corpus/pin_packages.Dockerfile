# expect: PIN006 PIN007
# expect-info: PIN003 PIN004 PIN005 PIN003
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 git \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir flask "gunicorn==22.0.0"
FROM node:20-alpine
RUN apk add --no-cache tini=0.19.0-r3 bash
RUN npm install -g typescript pnpm@9.1.0 && npm cache clean --force
USER 1000
CMD ["node", "app.js"]
