"""Celery tasks of the partner portal: ids in, a small service out.

Task names are pinned to `projects.tasks.*`, the module Celery autodiscovers (projects/tasks.py imports
these tasks so the worker registers them).
"""

import smtplib

from celery import shared_task
from django.core.cache import cache
from django.urls import reverse

from programme.emails import send_template_mail
from programme.models import Role, User

from .models import DeliverableVersion

#: How long the "already notified" claim of a version is kept (a re-delivered task finds it).
CLAIM_SECONDS = 7 * 24 * 3600


def deliverable_upload_recipients(version: DeliverableVersion) -> list[User]:
    """The project's staff leads and the deliverable's team owner; directors when nobody steers it."""
    deliverable = version.deliverable
    users = {u.pk: u for u in deliverable.project.staff_leads.filter(is_active=True)}
    owner = deliverable.owner_user
    if owner is not None and owner.is_active and owner.role in (Role.STAFF, Role.DIRECTOR):
        users[owner.pk] = owner
    if not users:
        users = {u.pk: u for u in User.objects.filter(role=Role.DIRECTOR, is_active=True)}
    return [u for u in users.values() if u.email]


def notify_deliverable_uploaded_send(*, version_id: int) -> int:
    """Tell the team a partner uploaded a version. Claimed once per version, so a re-delivered task
    sends nothing twice; a failed send releases the claim for the retry."""
    version = (
        DeliverableVersion.objects.select_related(
            "deliverable__project", "deliverable__owner_organisation", "uploaded_by"
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        return 0
    key = f"portal:deliverable-version-notified:{version_id}"
    if not cache.add(key, 1, CLAIM_SECONDS):
        return 0
    try:
        sent = 0
        url = reverse("projects:project.deliverables", args=[version.deliverable.project_id])
        for user in deliverable_upload_recipients(version):
            sent += send_template_mail(
                template="emails/portal_deliverable_uploaded",
                to=[user.email],
                context={"user": user, "version": version, "deliverable": version.deliverable, "path": url},
            )
        return sent
    except Exception:
        cache.delete(key)
        raise


@shared_task(
    name="projects.tasks.notify_deliverable_uploaded",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def notify_deliverable_uploaded(version_id: int) -> int:
    return notify_deliverable_uploaded_send(version_id=version_id)
