#!/bin/sh
# api: the HTTP service; worker: Celery on every queue (or WORKER_QUEUES); flower: the Celery UI.
set -e
case "${1:-api}" in
  api)
    exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}" --threads 8 \
      --access-logfile - 'service:create_app()' ;;
  worker)
    exec celery -A workers.worker worker -Q "${WORKER_QUEUES:-enrich,index,deliver}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel "${LOG_LEVEL:-INFO}" ;;
  flower)
    exec celery -A workers.worker flower --port=5555 ;;
  *)
    exec "$@" ;;
esac
