FROM node:20-alpine
WORKDIR /app
COPY package.json yarn.lock ./
RUN yarn install --production
RUN apk add python3
COPY . .
USER node
CMD ["node", "server.js"]
