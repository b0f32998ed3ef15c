"""Celery tasks of the conversations: thin — ids in, call a service."""

import smtplib

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def notify_comment(notice_ids: list[int]) -> int:
    """E-mail the people to tell at once of a new comment (once per person)."""
    return services.comment_notify(notice_ids=notice_ids)
