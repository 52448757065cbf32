# expect: none
# expect-info: PIN003 PIN003 PIN005
# pip takes unambiguous abbreviations; apk --no-network downloads no index; yarn --version installs nothing
FROM python:3.12-alpine
RUN pip install --no-cache -r requirements.txt
RUN --mount=type=bind,source=pkgs,target=/pkgs apk add --no-network --allow-untrusted /pkgs/app.apk
RUN apk add --no-cache su-exec
FROM node:20-alpine
RUN npm install -g yarn@1.22.22 --force && yarn --version && npm cache clean --force
USER 1000
CMD ["node", "server.js"]
