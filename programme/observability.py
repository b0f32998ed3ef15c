"""What an operator reads: one log line per event, in UTC, carrying the request id (or the task id); the beat's
heartbeat and the worker's ping that /health/ reports."""

import contextvars
import datetime
import logging
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

#: The id of the request (or the Celery task) being handled, for every log line written meanwhile.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Gives each request an id: the one Caddy sent (only when a trusted proxy stands in front, and only a
    plain token), else a new one. It is in every log line of the request and in the response's X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "") if settings.PARCOURS_TRUSTED_PROXIES else ""
        value = given if _VALID_ID.match(given) else uuid.uuid4().hex[:16]
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class OneLineFormatter(logging.Formatter):
    """`2027-03-15T06:00:00Z INFO django.request [id] message` — UTC whatever the process's time zone, and one
    line per event: a traceback's line breaks are written as ` ⏎ `."""

    @staticmethod
    def converter(seconds: float | None = None) -> time.struct_time:
        return time.gmtime(seconds)

    def __init__(self) -> None:
        super().__init__(
            fmt="%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%SZ",
        )

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record).replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")


def task_started(task_id: str | None = None, **kwargs: Any) -> None:
    """Celery's task_prerun: the task's log lines carry its id."""
    request_id.set(f"task-{task_id}" if task_id else "-")


def task_finished(**kwargs: Any) -> None:
    request_id.set("-")


# --- The beat's heartbeat ---------------------------------------------------------------------------------

#: Seconds between two heartbeats (the beat schedule in programme/celery.py); stale after two.
HEARTBEAT_INTERVAL = 60
_HEARTBEAT_KEY = "parcours:beat-heartbeat"


def _heartbeat_file() -> Path:
    return Path(settings.CELERY_DATA_DIR) / "beat-heartbeat"


def heartbeat_write(now: datetime.datetime | None = None) -> None:
    """Written by the beat's `programme.tasks.beat_heartbeat` (so, by a worker, at the beat's command): in Redis
    when configured, shared by every process; in the embedded default, in a file beside the broker's folder."""
    stamp = (now or datetime.datetime.now(datetime.UTC)).timestamp()
    if settings.REDIS_URL:
        cache.set(_HEARTBEAT_KEY, stamp, timeout=None)
        return
    path = _heartbeat_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(stamp))


def heartbeat_age(now: datetime.datetime | None = None) -> float | None:
    """Seconds since the last heartbeat, or None when there has been none."""
    stamp: Any
    if settings.REDIS_URL:
        stamp = cache.get(_HEARTBEAT_KEY)
    else:
        try:
            stamp = float(_heartbeat_file().read_text())
        except (OSError, ValueError):
            stamp = None
    if stamp is None:
        return None
    return (now or datetime.datetime.now(datetime.UTC)).timestamp() - float(stamp)


def beat_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not checked (tasks run inline)"
    age = heartbeat_age()
    if age is None:
        return "error: no heartbeat yet"
    if age > 2 * HEARTBEAT_INTERVAL:
        return f"error: last heartbeat {int(age)} s ago"
    return "ok"


def worker_status(timeout: float = 1.0) -> str:
    """A ping to the workers through the broker, answered within `timeout` seconds."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not checked (tasks run inline)"
    from programme.celery import app

    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as error:  # noqa: BLE001 — any failure means "down"
        return f"error: {error.__class__.__name__}"
    return "ok" if replies else "error: no worker answered"
