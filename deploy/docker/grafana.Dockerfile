# syntax=docker/dockerfile:1.7
# Grafana with the Magnificent Worldwide app plugin and provisioning baked in (for hosts that
# deploy images; docker-compose.yml mounts the same folders instead). Build from the repo root
# after `npm run build` in plugin/:  docker build -f deploy/docker/grafana.Dockerfile .
# The plugin must be signed (release-plugin.yml) or listed in
# GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.

FROM grafana/grafana-oss:12.2.1 AS runtime
ENV GF_PATHS_PROVISIONING=/etc/grafana/provisioning \
    GF_USERS_DEFAULT_THEME=dark \
    GF_ANALYTICS_REPORTING_ENABLED=false \
    GF_ANALYTICS_CHECK_FOR_UPDATES=false
COPY --chown=472:0 plugin/dist /var/lib/grafana/plugins/magnificentworldwide-voiceagent-app
COPY --chown=472:0 provisioning/grafana /etc/grafana/provisioning
# The base image already runs as the grafana user (uid 472); say so explicitly.
USER 472
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/api/health"]
