# syntax=docker/dockerfile:1.7
# The test runner image of docker-compose.test.yml: the whole workspace with dev dependencies,
# built once; the compose file runs `npm test` and `npm run test:stack` against the stores
# of the stack (containers instead of deploy/local processes).

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY voice-core/package.json voice-core/
COPY datasource-server/package.json datasource-server/
COPY e2e/package.json e2e/
COPY provisioning/package.json provisioning/
COPY plugin/package.json plugin/
COPY tools/testkit/package.json tools/testkit/
COPY tools/bench/package.json tools/bench/
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /src
COPY --from=deps --chown=node:node /src/node_modules ./node_modules
COPY --chown=node:node . .
USER node
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "process.exit(0)"]
CMD ["npm", "test"]
