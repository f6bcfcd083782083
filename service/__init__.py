"""The HTTP service: `create_app()` wires settings, Redis, Celery, the API and the CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask
from flask_swagger_ui import get_swaggerui_blueprint

from core.settings import ConfigError, Settings
from delivery.webhook import check_secrets
from service.api import EnrichmentApi
from store.connection import archive_store, redis_store
from workers.celery_app import create_celery


def create_app(config: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment, overridden by `config` (same variable names)."""
    env = {**os.environ, **(config or {})}
    settings = Settings.from_env(env)
    check_secrets(settings)
    if not settings.api_keys and not settings.auth_disabled:
        raise ConfigError("No API keys: set API_KEYS=client:key[,client:key] "
                          "(or AUTH_DISABLED=1 for a closed network)")
    app = Flask(__name__)
    app.config.from_mapping(
        API_TITLE="Newsroom enrichment",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_import_bytes,
    )
    app.extensions["settings"] = settings
    for misspelt in Settings.unknown(env):  # a misspelt setting is not silently ignored
        app.logger.warning(misspelt)
    app.extensions["redis"] = redis_store(settings.redis_url, settings.redis_sentinel_master, socket_timeout=5,
                                          socket_connect_timeout=2)
    app.extensions["archive"] = archive_store(settings.archive_url, settings.archive_cluster,
                                              settings.redis_sentinel_master, socket_timeout=5,
                                              socket_connect_timeout=2)
    app.extensions["celery"] = create_celery(settings)

    from service import access_log, archive, auth, enrichments, limits, metrics, ops
    from service.cli import archive_cli

    api = EnrichmentApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    for blueprint in (enrichments.blp, archive.blp, ops.blp, metrics.blp):
        api.register_blueprint(blueprint)
    limits.init_app(app, settings)
    metrics.init_app(app)
    app.before_request(auth.require_client)
    access_log.init_app(app)
    # Interactive docs from the package's own copy of Swagger UI (no CDN: works offline).
    app.register_blueprint(get_swaggerui_blueprint("/docs", "/openapi.json", blueprint_name="docs",
                                                   config={"app_name": "Newsroom enrichment API"}))
    app.cli.add_command(archive_cli)
    return app
