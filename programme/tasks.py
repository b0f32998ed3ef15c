from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from .models import Invitation


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int, link: str) -> int:
    """The invitation e-mail, sent after the invitation is committed; retried while SMTP is down."""
    from . import services

    return services.invitation_send(invitation_id=invitation_id, link=link)


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


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Sent every minute by the beat: /health/ reports the beat down once two have been missed."""
    from .observability import heartbeat_write

    heartbeat_write()
