#!/bin/sh
# api: the HTTP service; worker: Celery on every queue (or WORKER_QUEUES); flower: the Celery UI.
set -e
case "${1:-api}" in
  api)
    exec granian --interface wsgi --host 0.0.0.0 --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-4}" --blocking-threads "${WEB_THREADS:-1}" --respawn-failed-workers \
      --log-config service/log_config.json \
      service.wsgi:app ;;
  worker)
    exec celery -q -A workers.worker worker -Q "${WORKER_QUEUES:-deliver,finish,enrich,index}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel "${LOG_LEVEL:-INFO}" ;;
  flower)
    exec celery -A workers.worker flower --port=5555 ;;
  *)
    exec "$@" ;;
esac
