"""A worker that has stopped working exits, so its supervisor can start it again.

Celery stops a worker's parts when its consumer hits an error it cannot recover from (seen here: a
broker failover while kombu closes the channel gave "Unrecoverable error: AttributeError" from
kombu's Redis transport), but the process can stay alive with nothing consuming and no watchdog
running. This thread of the main process ends it once the worker has been out of its running state
for STOPPED_GRACE_SECONDS: long enough for a warm shutdown to finish the tasks in hand (each stage
takes seconds); what is cut short is acknowledged late, so its message or the watchdog queues it
again.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from celery import bootsteps
from celery.bootsteps import RUN

STOPPED_GRACE_SECONDS = 60.0
CHECK_SECONDS = 1.0
EXIT_CODE = 70  # EX_SOFTWARE: the worker broke, not a clean stop
log = logging.getLogger(__name__)


class ExitGuard(bootsteps.StartStopStep):
    """Worker bootstep; its thread outlives the worker's stop on purpose."""

    def start(self, worker: Any) -> None:
        threading.Thread(target=watch, args=(lambda: worker.blueprint.state,), daemon=True,
                         name="exit-guard").start()


def watch(state: Any, grace: float = STOPPED_GRACE_SECONDS, exit_process: Any = os._exit,
          every: float = CHECK_SECONDS) -> None:
    """Call exit_process once state() has not been RUN for `grace` seconds."""
    stopped_since = None
    while True:
        time.sleep(every)
        if state() == RUN:
            stopped_since = None
            continue
        stopped_since = stopped_since or time.monotonic()
        if time.monotonic() - stopped_since >= grace:
            log.critical("worker stopped %.0f s ago and has not exited: exiting so its supervisor "
                         "starts it again", grace)
            logging.shutdown()
            exit_process(EXIT_CODE)
            return
