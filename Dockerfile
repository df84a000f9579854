# One image for both roles: `npm run api` or `npm run worker` (set by docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
COPY prisma prisma
COPY prisma.config.ts ./
# The cluster provides Temporal, so the CLI is not needed in the image.
ENV TEMPORAL_CLI_PATH=/bin/true
RUN npm ci --omit=dev
COPY . .
EXPOSE 3000
CMD ["npm", "run", "api"]
