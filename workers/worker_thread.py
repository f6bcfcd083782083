"""A worker bootstep that runs one loop in a thread of the worker's main process until it stops."""

from __future__ import annotations

import threading
from typing import Any

from celery import bootsteps


class WorkerThread(bootsteps.StartStopStep):
    """Subclasses give `thread_name` and `_run(app)`, which loops until `self._stop` is set."""

    requires = {"celery.worker.components:Pool"}
    thread_name = "worker-thread"

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()

    def start(self, worker: Any) -> None:
        threading.Thread(target=self._run, args=(worker.app,), daemon=True, name=self.thread_name).start()

    def stop(self, worker: Any) -> None:
        self._stop.set()

    def _run(self, app: Any) -> None:
        raise NotImplementedError
