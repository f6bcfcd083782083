"""Broker calls (publishing a task, pinging workers) with every failure reported as the broker's.

While Redis restarts, kombu can leave a pooled producer or channel whose connection is gone; the
next call then raises AttributeError on None ('NoneType' object has no attribute 'client') or a
bare socket error instead of a connection error. It is the same lost broker, so it is raised as
kombu's OperationalError: a task retries it (or the watchdog re-queues the job), the API answers
503 with Retry-After. Nothing is failed or answered 500 for it. Any other AttributeError is a bug
and is raised as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kombu.exceptions import OperationalError


@contextmanager
def broker_call(what: str) -> Iterator[None]:
    try:
        yield
    except OperationalError:
        raise
    except AttributeError as exc:
        if exc.obj is not None:
            raise  # a bug, not the lost connection: let it be seen
        raise OperationalError(f"could not {what}: {type(exc).__name__}: {exc}") from exc
    except OSError as exc:
        raise OperationalError(f"could not {what}: {type(exc).__name__}: {exc}") from exc
