"""Celery task of the selection flow: thin — ids in, call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_selection_notifications(project_id: int) -> int:
    """E-mail the contacts of a project born from a selection decision (idempotent: see the service)."""
    return services.selection_notices_send(project_id=project_id)
