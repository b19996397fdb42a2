# syntax=docker/dockerfile:1
# GitHub issues MCP gateway: build with dev dependencies, run with production ones only.
#   docker build -t github-issues-mcp-gateway .
#   docker run --init --read-only --tmpfs /tmp -p 3001:3001 \
#     -e GITHUB_TOKEN -e AUTH_KEYS github-issues-mcp-gateway

# ---- build: TypeScript -> dist/ (tsc needs the dev dependencies) ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first so the layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY plugins ./plugins
# Emits dist/src/server.js (the `start` script's entry) plus dist/plugins and dist/package.json.
RUN npm run build

# ---- runtime: node 22 LTS, production dependencies, no compiler, no shell tricks ----
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3001
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev drops tsc, tap, the conformance suite and pino-pretty; the cache is removed so the
# image carries no npm state (nothing at runtime writes outside /tmp, so the root fs can be read-only).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Files stay owned by root and read-only to the process. The base image's `node` user, by number
# so Kubernetes' runAsNonRoot can verify it without a runAsUser.
USER 1000:1000
EXPOSE 3001
# Readiness, not liveness: 503 once a shutdown has begun. Node itself probes (slim has no curl).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3001) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, no npm and no shell in between: SIGTERM reaches node, which drains and exits
# (src/server.ts). Node then runs as PID 1, which reaps no zombies and gets no default signal
# handlers; the gateway installs its own and spawns no children, so this works. Still prefer
# `docker run --init` / Compose `init: true` (tini as PID 1, forwarding signals) as a guard.
# Under Kubernetes node stays PID 1, which is fine for the same reasons.
CMD ["node", "dist/src/server.js"]
