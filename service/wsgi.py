"""The WSGI entry point for a server (Granian): JSON logs first, then the app from the environment.

    granian --interface wsgi --log-config service/log_config.json service.wsgi:app
"""

from __future__ import annotations

import os

from core import logs
from service import create_app

logs.configure("api", os.environ.get("LOG_LEVEL", "INFO").upper())
app = create_app()
