"""The WSGI entry point for a server (Granian): JSON logs first, then the app from the environment.

    granian --interface wsgi --log-config service/log_config.json service.wsgi:app
"""

from __future__ import annotations

from core import logs
from core.settings import Settings
from service import create_app

logs.configure("api", Settings.from_env().log_level)
app = create_app()
