"""Celery tasks of project steering: thin — ids in, call a service."""

import smtplib

from celery import shared_task

from . import reminders, services


@shared_task(bind=True, acks_late=True)
def send_deadline_digests(self) -> dict:
    """Daily (beat, 07:00 Europe/Paris): claim today's reminders and queue one digest per person.
    The digests go to the queue the scan was taken from (the default queue when run by beat)."""
    queue = (self.request.delivery_info or {}).get("routing_key") if not self.request.is_eager else None
    return reminders.deadline_scan(queue=queue)


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
)
def send_digest(user_id: int, run_id: str) -> int:
    return reminders.digest_send(user_id=user_id, run_id=run_id)


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def notify_deliverable_uploaded(version_id: int) -> int:
    """Tell the project's team a partner uploaded a deliverable version (once per version)."""
    return services.deliverable_version_notify(version_id=version_id)
