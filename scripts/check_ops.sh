#!/usr/bin/env bash
# Check what ops run beside the service: the Prometheus config and alert rules (promtool, from
# Debian's prometheus package, installed when missing) and the compose file (when a compose is here).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v promtool >/dev/null; then
  echo "Installing Debian's prometheus package for promtool..." >&2
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get install -y --no-install-recommends prometheus >/dev/null
fi
promtool check rules docker/prometheus/alerts.yml
promtool test rules docker/prometheus/alerts-test.yml
# The scrape reads the ops key from a file compose writes at start: check the config with a stand-in.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp docker/prometheus/*.yml "$tmp"/
printf 'stand-in-key' > "$tmp/ops_key"
sed -i "s#/prometheus/ops_key#$tmp/ops_key#" "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml"
export API_KEYS=ci:key WEBHOOK_SECRET=whsec_c3RhbmQtaW4= FLOWER_BASIC_AUTH=ops:pass PROMETHEUS_OPS_KEY=key
if docker compose version >/dev/null 2>&1; then
  docker compose config --quiet && echo "docker compose config: ok"
elif command -v docker-compose >/dev/null; then
  docker-compose config --quiet && echo "docker-compose config: ok"
else
  echo "no docker compose here: docker-compose.yml not checked" >&2
fi
