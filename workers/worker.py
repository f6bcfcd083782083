"""Worker entry point: `celery -A workers.worker worker -Q enrich,index,deliver`."""

from workers.celery_app import create_celery
from workers.settings import Settings

celery = create_celery(Settings.from_env())
