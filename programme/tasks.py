from celery import shared_task
from django.utils import timezone

from .models import Invitation


@shared_task
def purge_expired_invitations() -> int:
    """Mark expired, never-used invitations as revoked so their links are dead for good."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())


@shared_task
def ping() -> str:
    """Round-trip check used by the health page's worker probe and the worker integration test."""
    return "pong"
