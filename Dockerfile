# syntax=docker/dockerfile:1
#
# sample-service image: multi-stage, production dependencies only, non-root, read-only-root friendly.
#
#   docker build --platform linux/amd64 -t sample-service:0.1.0 --build-arg GIT_COMMIT=$(git rev-parse --short HEAD) .
#
# Build for the platform of the nodes that run it (an arm64 image from an Apple-silicon laptop fails
# on amd64 nodes with "exec format error"); make deploy reads it from the cluster's nodes.
#
# Node 26 is the Active LTS line (LTS since 2026-10-28); the service also runs on Node 22.13+ and 24.
ARG NODE_MAJOR=26

# ---- build: install every dependency, compile TypeScript, then drop dev dependencies ----
FROM node:${NODE_MAJOR}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: no runtime dependency needs one, and none run unreviewed.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY service/src ./service/src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime ----
FROM node:${NODE_MAJOR}-slim AS runtime
ARG GIT_COMMIT=unknown
ENV NODE_ENV=production \
    PORT=8080 \
    GIT_COMMIT=${GIT_COMMIT}
WORKDIR /app
# Files owned by root and not writable by the service user; the process writes nothing but stdout
# (and /tmp if ever needed), so the container runs with readOnlyRootFilesystem: true.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's `node` user, by number, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 1000:1000
EXPOSE 8080
# No HEALTHCHECK: Kubernetes ignores Docker health checks and uses the pod's liveness (/health) and
# readiness (/ready) probes instead; a HEALTHCHECK would only add a second, unused prober.
#
# Exec form, so node is PID 1 and receives SIGTERM directly (no shell in between); the service handles
# SIGTERM/SIGINT itself (drain, flush telemetry, exit 0) and starts no child processes to reap.
# The tracing bootstrap is loaded first, before any application module.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--enable-source-maps", "--import", "./dist/instrumentation.js", "dist/main.js"]
