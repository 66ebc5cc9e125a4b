# One image for every service: the command picks the app (docker-compose.yml, k8s/). Two stages: the build
# stage installs everything and compiles the TypeScript to JavaScript (npm run build:services, path aliases
# resolved at build time), then drops the dev dependencies; the runtime stage holds only dist/, the
# production node_modules and package.json, and runs as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:services
# The web console's static build (dist/apps/console), served by the gateway and by intake at /console.
# Its compile cache goes to /tmp, so tmp/ in /app is not left owned by root for the runtime user.
RUN SMS_TS_CACHE_DIR=/tmp/console-build-cache npm run console:build && \
    rm -rf /tmp/console-build-cache
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Inside a container the bind must be every interface to be reachable at all; `-p` decides what is published.
ENV HOST=0.0.0.0
WORKDIR /app
# Owned by root and read-only to the process: the code cannot be rewritten by the service running it.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The embedded gateway's DATA_DIR (./data): the one folder the process writes; mount a volume on it.
RUN mkdir /app/data && chown node:node /app/data
USER node
# Liveness: GET /healthz on the process's own PORT (Kubernetes uses its probes instead; k8s/base).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
EXPOSE 3000
CMD ["node", "--heap-growing-percent=50", "dist/apps/gateway/src/main.js"]
