# syntax=docker/dockerfile:1.7
# voice-agent-api: the datasource-server (workspaces voice-core + datasource-server).
# Build from the repository root:  docker build -f deploy/docker/api.Dockerfile -t mwva/voice-agent-api .
# Stages: build (all deps, tsc -b) -> prod-deps (production deps of the two workspaces only) -> runtime.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first so the dependency layer is cached across source changes. Every workspace's
# package.json is copied because npm ci checks the whole lockfile.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY contract/package.json contract/
COPY voice-core/package.json voice-core/
COPY datasource-server/package.json datasource-server/
COPY e2e/package.json e2e/
COPY provisioning/package.json provisioning/
COPY plugin/package.json plugin/
COPY tools/testkit/package.json tools/testkit/
COPY tools/bench/package.json tools/bench/
# The two runtime workspaces plus the root's dev tooling (TypeScript); not the plugin or e2e.
RUN npm ci --no-audit --no-fund --ignore-scripts \
      -w @mwva/contract -w @mwva/voice-core -w @mwva/datasource-server --include-workspace-root
COPY contract/ contract/
COPY voice-core/ voice-core/
COPY datasource-server/ datasource-server/
# Builds datasource-server and its project reference voice-core only.
RUN npx tsc -b datasource-server

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY voice-core/package.json voice-core/
COPY datasource-server/package.json datasource-server/
COPY e2e/package.json e2e/
COPY provisioning/package.json provisioning/
COPY plugin/package.json plugin/
COPY tools/testkit/package.json tools/testkit/
COPY tools/bench/package.json tools/bench/
# Production dependencies of the two runtime workspaces only (no e2e, no dev tooling), and no
# optional ones: chromadb's are the native `chroma run` server (51 MB) that the API never starts;
# its HTTP client is plain JavaScript.
# The lockfile nests some packages under a workspace (datasource-server/node_modules/commander:
# the root has another version); both folders are made so the runtime stage can always copy them.
RUN npm ci --no-audit --no-fund --omit=dev --omit=optional --ignore-scripts \
      -w @mwva/contract -w @mwva/voice-core -w @mwva/datasource-server \
 && npm cache clean --force \
 && mkdir -p contract/node_modules voice-core/node_modules datasource-server/node_modules

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    SHUTDOWN_DELAY_MS=5000
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=prod-deps --chown=root:root /app/contract/node_modules contract/node_modules
COPY --from=prod-deps --chown=root:root /app/voice-core/node_modules voice-core/node_modules
COPY --from=prod-deps --chown=root:root /app/datasource-server/node_modules datasource-server/node_modules
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=build /src/contract/package.json contract/package.json
COPY --from=build /src/contract/dist contract/dist
COPY --from=build /src/voice-core/package.json voice-core/package.json
COPY --from=build /src/voice-core/dist voice-core/dist
COPY --from=build /src/datasource-server/package.json datasource-server/package.json
COPY --from=build /src/datasource-server/dist datasource-server/dist
# The code is root-owned and read-only for the service user; only DATA_DIR is writable.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 5000
# /readyz (not /healthz) so compose's depends_on: service_healthy waits for the stores too.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "datasource-server/dist/cli/main.js"]
CMD ["serve"]
