#!/bin/sh
# api: the HTTP service; worker: Celery on every queue (or WORKER_QUEUES); flower: the Celery UI.
set -e
case "${1:-api}" in
  api)
    # Granian with the same arguments as `make run` (service/serve.py); one SIGTERM stops it.
    HOST=0.0.0.0 exec python -m service.serve ;;
  worker)
    exec celery -q -A workers.worker worker -Q "${WORKER_QUEUES:-deliver,finish,enrich,index}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel "${LOG_LEVEL:-INFO}" ;;
  flower)
    exec celery -A workers.worker flower --port=5555 ;;
  *)
    exec "$@" ;;
esac
