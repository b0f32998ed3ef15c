"""Celery tasks of project steering: thin — ids in, call a service."""

from celery import shared_task

from programme.emails import MAIL_TASK, NOTIFY_TASK

from . import reminders, services


@shared_task(bind=True, acks_late=True)
def send_deadline_digests(self) -> dict:
    """Daily (beat, 07:00 Europe/Paris): claim today's reminders and queue one digest per person.
    The digests go to the queue the scan was taken from (the default queue when run by beat)."""
    queue = (self.request.delivery_info or {}).get("routing_key") if not self.request.is_eager else None
    return reminders.deadline_scan(queue=queue)


@shared_task(**MAIL_TASK)
def send_digest(user_id: int, run_id: str) -> int:
    return reminders.digest_send(user_id=user_id, run_id=run_id)


@shared_task(**NOTIFY_TASK)
def notify_deliverable_uploaded(version_id: int) -> int:
    """Tell the project's team a partner uploaded a deliverable version (once per version)."""
    return services.deliverable_version_notify(version_id=version_id)
