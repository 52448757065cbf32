# expect: PC005
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY server.js .
USER 1000
CMD ["node", "server.js"]
