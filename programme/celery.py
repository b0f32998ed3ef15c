"""Celery application: on Redis when REDIS_URL is set, otherwise on kombu's filesystem transport under
var/celery (the embedded default, whose worker and beat `make run` starts). Tests run tasks inline."""

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")

app = Celery("parcours")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "programme",
        "prospects",
        "prospects.calls",
        "prospects.sirene",
        "prospects.events",
        "projects",
        "projects.selection",
        "projects.conversations",
        "projects.mailing",
        "evaluation",
        "evaluation.reports",
        "evaluation.portal",
        "evaluation.judgement",
    ]
)


@app.on_after_configure.connect
def _make_broker_folders(sender: Celery, **kwargs: Any) -> None:
    """The filesystem transport expects its folders to exist: the web process, the worker and the beat each
    make them on start, whichever comes first."""
    make_broker_folders(sender)


def make_broker_folders(celery_app: Celery) -> None:
    if str(celery_app.conf.broker_url).startswith("filesystem:"):
        options = celery_app.conf.broker_transport_options or {}
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


# The one static beat schedule (exactly one beat process runs it). Times are Europe/Paris.
app.conf.beat_schedule = {
    "daily-deadline-digests": {
        "task": "projects.tasks.send_deadline_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "monthly-activity-report": {
        "task": "evaluation.reports.tasks.monthly_activity_report",
        "schedule": crontab(day_of_month=1, hour=7, minute=30),
    },
    "purge-abandoned-prospect-imports": {
        "task": "prospects.tasks.purge_abandoned_imports",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-stale-application-drafts": {
        "task": "prospects.calls.tasks.purge_stale_drafts",
        "schedule": crontab(hour=3, minute=45),
    },
    # The sweepers: work the broker lost (Redis down when it was ordered, worker killed) is handed over
    # again; the claims make a duplicate message harmless.
    "requeue-stuck-reports": {
        "task": "evaluation.reports.tasks.requeue_stuck_reports",
        "schedule": crontab(minute="*/5"),
    },
    "requeue-stuck-dossiers-and-kits": {
        "task": "evaluation.judgement.tasks.requeue_stuck_renders",
        "schedule": crontab(minute="*/5"),
    },
    "requeue-stuck-imports": {
        "task": "prospects.tasks.requeue_stuck_imports",
        "schedule": crontab(minute="*/5"),
    },
    "requeue-stuck-emails": {
        "task": "projects.mailing.tasks.requeue_stuck_emails",
        "schedule": crontab(minute="*/5"),
    },
    "purge-expired-invitations": {
        "task": "programme.tasks.purge_expired_invitations",
        "schedule": crontab(hour=3, minute=15),
    },
    # The beat's heartbeat, read by /health/ (stale after two intervals, programme/observability.py); a
    # heartbeat no worker took within its interval is dropped, not piled up.
    "beat-heartbeat": {
        "task": "programme.tasks.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


@task_prerun.connect
def _task_log_id(task_id: str | None = None, **kwargs: Any) -> None:
    """A task's log lines carry its id, as a request's carry the request id."""
    from programme.observability import task_started

    task_started(task_id=task_id)


@task_postrun.connect
def _task_log_id_done(**kwargs: Any) -> None:
    from programme.observability import task_finished

    task_finished()


def enqueue(task: Any, *args: Any) -> bool:
    """`task.delay(*args)` that never breaks the caller when the broker does not answer (Redis down,
    connection refused, timeout): logged, and False, so the row stays queued for the beat's sweepers.
    In inline mode (CELERY_TASK_ALWAYS_EAGER, the tests) an exception is the task's own failure and propagates."""
    from django.conf import settings

    try:
        task.delay(*args)
    except Exception as error:  # noqa: BLE001 — any broker failure
        if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "CELERY_TASK_EAGER_PROPAGATES", False):
            raise
        logging.getLogger(__name__).warning(
            "Could not enqueue %s%s (%s): left queued until the queue is back",
            task.name,
            args,
            error.__class__.__name__,
        )
        return False
    return True
