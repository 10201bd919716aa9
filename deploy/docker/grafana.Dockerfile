# syntax=docker/dockerfile:1.7
# Grafana as every environment runs it: the pinned official image with the Magnificent Worldwide
# app plugin, the provisioning and grafana.ini where Grafana reads them. Compose builds it
# (docker-compose.yml `grafana`), the deploy workflow pushes it, Kubernetes runs it.
#
#   docker build -f deploy/docker/grafana.Dockerfile .            # plugin built from source, unsigned
#   docker buildx build -f deploy/docker/grafana.Dockerfile \
#     --build-context plugin-dist=plugin/dist .                    # a built (and signed) plugin/dist
#
# GRAFANA_IMAGE is the one place the Grafana version is pinned. It must satisfy the plugin's
# grafanaDependency (plugin/src/plugin.json); e2e/test/grafana/deployment.test.ts checks that.
# The offline test stack may build this file with GRAFANA_IMAGE set to the Grafana stand-in, which
# reads the same paths.

ARG GRAFANA_IMAGE=grafana/grafana:12.4.10
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# The app plugin (with its nested data source and panel), built by the create-plugin toolchain.
FROM ${NODE_IMAGE} AS plugin-build
WORKDIR /src
# npm ci checks the whole lockfile, so every workspace's manifest comes first (cached layer).
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY voice-core/package.json voice-core/
COPY datasource-server/package.json datasource-server/
COPY e2e/package.json e2e/
COPY provisioning/package.json provisioning/
COPY plugin/package.json plugin/
COPY tools/testkit/package.json tools/testkit/
COPY tools/bench/package.json tools/bench/
RUN npm ci --no-audit --no-fund --ignore-scripts -w @mwva/contract -w @mwva/plugin
# The plugin imports the shapes it shares with the server from @mwva/contract (built first).
COPY tsconfig.base.json ./
COPY contract/ contract/
RUN node_modules/.bin/tsc -p contract
COPY plugin/ plugin/
RUN npm run build -w @mwva/plugin

# What the final stage installs: the build above, unless a plugin-dist build context replaces it
# (the deploy workflow passes the signed dist this way).
FROM scratch AS plugin-dist
COPY --from=plugin-build /src/plugin/dist/ /

FROM ${GRAFANA_IMAGE}
# Not under /var/lib/grafana: compose and Kubernetes keep Grafana's database there on a volume,
# and a volume that already exists hides what a newer image puts below it.
ENV GF_PATHS_PLUGINS=/var/lib/grafana-plugins
COPY --from=plugin-dist --chown=472:0 / /var/lib/grafana-plugins/magnificentworldwide-voiceagent-app
# GF_PATHS_CONFIG of the image: a grafana.ini anywhere else (e.g. in provisioning/) is never read.
COPY --chown=472:0 provisioning/grafana/grafana.ini /etc/grafana/grafana.ini
COPY --chown=472:0 provisioning/grafana/datasources /etc/grafana/provisioning/datasources
COPY --chown=472:0 provisioning/grafana/plugins /etc/grafana/provisioning/plugins
COPY --chown=472:0 provisioning/grafana/dashboards /etc/grafana/provisioning/dashboards
COPY --chown=472:0 provisioning/grafana/alerting /etc/grafana/provisioning/alerting
ENV GF_ANALYTICS_REPORTING_ENABLED=false \
    GF_ANALYTICS_CHECK_FOR_UPDATES=false
# The base image already runs as the grafana user (uid 472); say so explicitly.
USER 472
EXPOSE 3000
# /api/health answers with and without the sub path (Grafana trims the prefix when it is there).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/api/health"]
