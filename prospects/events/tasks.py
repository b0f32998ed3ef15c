"""Background work of events (thin: ids in, call a service)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def send_registration_confirmation(registration_id: int) -> None:
    """The confirmation e-mail of a registration from the public page or the portal (queued after commit)."""
    services.registration_confirmation_send(registration_id=registration_id)


@shared_task(acks_late=True, ignore_result=True)
def send_survey(registration_id: int, token: str) -> None:
    """One participant's satisfaction questionnaire link (queued after commit)."""
    services.survey_mail_send(registration_id=registration_id, token=token)
