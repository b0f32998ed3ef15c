"""Celery tasks of the calls for applications: thin — ids in, call a service."""

import smtplib

from celery import shared_task

from . import services

#: A task that sends one e-mail: a mail server or network failure is retried (five times, backing off
#: from a minute), the send itself claimed by the service so that a retry never sends twice.
_mail_task = shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)


@_mail_task
def send_application_link(application_id: int) -> int:
    """E-mail an applicant the link that resumes their draft (claimed: sent once)."""
    return services.application_link_send(application_id=application_id)


@_mail_task
def send_application_confirmation(application_id: int) -> int:
    """E-mail an applicant that their application was received (claimed: sent once)."""
    return services.application_confirmation_send(application_id=application_id)


@shared_task(acks_late=True, ignore_result=True)
def purge_stale_drafts() -> int:
    """Beat, daily: delete the drafts of the calls closed long ago (services.STALE_DRAFT_DAYS)."""
    return services.applications_purge_stale_drafts()
