"""Celery tasks of e-mail from the record: thin — ids in, call a service."""

import smtplib

from celery import shared_task

from programme.formatting import failure

from . import services

RETRIES = 5


@shared_task(bind=True, acks_late=True, soft_time_limit=300, time_limit=360, ignore_result=True)
def send_emails(self, email_ids: list[int]) -> int:
    """Send a batch of queued messages (each claimed once). A message the server refuses is retried with a
    growing delay; after the last retry it shows as failed. Returns how many this run sent."""
    sent = 0
    retry: list[int] = []
    last_error: Exception | None = None
    for email_id in email_ids:
        try:
            sent += services.outgoing_email_deliver(email_id=email_id)
        except (smtplib.SMTPException, OSError) as error:  # the server or the network: try again later
            retry.append(email_id)
            last_error = error
        except Exception as error:  # noqa: BLE001 — anything else will not get better by retrying
            services.outgoing_email_fail(email_id=email_id, error=failure(error))
    if retry and last_error is not None:
        if self.request.retries >= RETRIES or self.request.is_eager:
            for email_id in retry:
                services.outgoing_email_fail(email_id=email_id, error=failure(last_error))
        else:
            raise self.retry(args=[retry], exc=last_error, countdown=60 * 2**self.request.retries)
    return sent


@shared_task(acks_late=True, ignore_result=True)
def requeue_stuck_emails() -> int:
    """Beat, every 5 minutes: hand the messages the broker lost to the queue again."""
    return services.outgoing_emails_requeue_stuck()
