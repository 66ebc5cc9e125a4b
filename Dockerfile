# One image for every service: the command picks the app (see docker-compose.yml).
FROM node:20-bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The web console's static build (dist/apps/console), served by the gateway and by intake at /console.
# Its compile cache goes to /tmp, so tmp/ in /app is not left owned by root for the runtime user.
RUN SMS_TS_CACHE_DIR=/tmp/console-build-cache node -r ./scripts/register.js scripts/console-build.ts && \
    rm -rf /tmp/console-build-cache
ENV NODE_ENV=production
# Inside a container the bind must be every interface to be reachable at all; `-p` decides what is published.
ENV HOST=0.0.0.0
USER node
CMD ["node", "-r", "./scripts/register.js", "apps/gateway/src/main.ts"]
