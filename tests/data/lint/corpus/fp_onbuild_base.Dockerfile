# expect: none
# expect-info: PIN003
# an ONBUILD image is a base for application images, whatever its CMD says
FROM node:20-slim
WORKDIR /usr/src/app
ONBUILD COPY package.json package-lock.json ./
ONBUILD RUN npm ci --omit=dev && npm cache clean --force
ONBUILD COPY . .
CMD ["npm", "start"]
