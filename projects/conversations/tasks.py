"""Celery tasks of the conversations: thin — ids in, call a service."""

from celery import shared_task

from programme.emails import NOTIFY_TASK

from . import services


@shared_task(**NOTIFY_TASK)
def notify_comment(notice_ids: list[int]) -> int:
    """E-mail the people to tell at once of a new comment (once per person)."""
    return services.comment_notify(notice_ids=notice_ids)
