#!/usr/bin/env bash
# make run: set up, start Redis if none answers, load a demo archive, start the API and a worker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p .run

export PORT=${PORT:-8000}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
RECEIVER_PORT=${RECEIVER_PORT:-8001}
if [ -z "${API_KEYS:-}" ]; then
  DEMO_KEY="demo_$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(12))')"
  export API_KEYS="demo:${DEMO_KEY}"
else
  DEMO_KEY=${API_KEYS#*:}; DEMO_KEY=${DEMO_KEY%%,*}
fi
if [ -z "${WEBHOOK_SECRET:-}" ]; then
  WEBHOOK_SECRET="whsec_$(.venv/bin/python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(24)).decode())')"
  export WEBHOOK_SECRET
fi
export CALLBACK_ALLOW_HOSTS=${CALLBACK_ALLOW_HOSTS:-127.0.0.1,localhost}

pids=()
redis_pidfile=.run/redis/pid
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  if [ -f "$redis_pidfile" ]; then kill "$(cat "$redis_pidfile")" 2>/dev/null || true; rm -f "$redis_pidfile"; fi
}
trap cleanup INT TERM EXIT

rm -f "$redis_pidfile"
.venv/bin/python scripts/ensure_redis.py

# Run a command again whenever it exits, as a process supervisor (Docker's restart policy, systemd)
# would: a Celery worker can exit when Redis goes away mid-reconnect (a kombu bug), and the queued
# work, the watchdog and late acknowledgement make a restarted worker lose nothing.
supervise() {  # supervise NAME COMMAND...  (a command that keeps failing fast waits longer each time)
  local name=$1 child= delay=1 started
  shift
  trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    started=$SECONDS
    "$@" & child=$!
    wait "$child" || true
    if (( SECONDS - started > 60 )); then delay=1; else delay=$(( delay * 2 > 60 ? 60 : delay * 2 )); fi
    echo "{\"level\": \"WARNING\", \"logger\": \"run.sh\", \"message\": \"$name exited; restarting in $delay s\"}" >&2
    sleep "$delay"
  done
}

# On one machine the API's answers come first: workers get the CPU time the API leaves idle
# (SCHED_IDLE; a backlog waits, and MAX_QUEUE_DEPTH turns new posts away with 503 meanwhile).
supervise worker chrt --idle 0 .venv/bin/celery -q -A workers.worker worker -Q deliver,finish,enrich,index -c "${WORKER_CONCURRENCY:-2}" \
  --loglevel "${LOG_LEVEL:-INFO}" > .run/worker.log 2>&1 &
pids+=($!)
.venv/bin/granian --interface wsgi --host "${HOST:-127.0.0.1}" --port "${PORT}" \
  --workers "${WEB_CONCURRENCY:-4}" --blocking-threads "${WEB_THREADS:-1}" --respawn-failed-workers \
  --log-config service/log_config.json service.wsgi:app > .run/api.log 2>&1 &
pids+=($!)
.venv/bin/python scripts/demo_receiver.py "$RECEIVER_PORT" &
pids+=($!)

REUTERS=../shared/data/reuters21578/articles.jsonl
DEMO_ARCHIVE=${DEMO_ARCHIVE:-}
if [ -z "$DEMO_ARCHIVE" ]; then
  if [ -f "$REUTERS" ]; then DEMO_ARCHIVE=$REUTERS; else DEMO_ARCHIVE=demo/sample_archive.jsonl; fi
fi
FORMAT=article; LIMIT=${DEMO_ARCHIVE_LIMIT:-2000}
case "$DEMO_ARCHIVE" in *reuters*) FORMAT=reuters ;; *gva*) FORMAT=gva ;; esac
if [ "$DEMO_ARCHIVE" != "none" ]; then
  echo "Loading the demo archive $DEMO_ARCHIVE (at most $LIMIT articles)..."
  .venv/bin/flask --app service archive import "$DEMO_ARCHIVE" --format "$FORMAT" --limit "$LIMIT" --wait
fi
.venv/bin/python scripts/demo_article.py "$DEMO_ARCHIVE" "$FORMAT" "$LIMIT" \
  "http://127.0.0.1:${RECEIVER_PORT}/hook" .run/demo-request.json

URL="http://127.0.0.1:${PORT}"
for _ in $(seq 50); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.2; done
cat <<MSG

The enrichment service is running.
  API:          $URL   (OpenAPI: $URL/openapi.json)
  API key:      $DEMO_KEY
  Webhook key:  $WEBHOOK_SECRET
  Logs:         .run/api.log .run/worker.log
  Callbacks go to a local receiver that verifies each signature and prints a summary below.

Enrich the demo article:
  curl -si -X POST $URL/v1/enrichments -H "Authorization: Bearer $DEMO_KEY" \\
       -H "Content-Type: application/json" -d @.run/demo-request.json
Then read the job (the id is in the answer):
  curl -s $URL/v1/enrichments/<id> -H "Authorization: Bearer $DEMO_KEY"

Press Ctrl-C to stop everything this started.
MSG
wait -n "${pids[@]}"
