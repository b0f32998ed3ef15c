"""Background work of events (thin: ids in, call a service)."""

from celery import shared_task

from programme.emails import NOTIFY_TASK

from . import services


@shared_task(**NOTIFY_TASK)
def send_registration_confirmation(registration_id: int) -> None:
    """The confirmation e-mail of a registration (public page, portal or team), on a seat or on the waiting
    list (queued after commit; claimed: sent once per state)."""
    services.registration_confirmation_send(registration_id=registration_id)


@shared_task(**NOTIFY_TASK)
def send_registration_promoted(registration_id: int) -> None:
    """« Votre place est confirmée »: a person of the waiting list given a freed seat (queued after commit;
    claimed: sent once)."""
    services.registration_promoted_send(registration_id=registration_id)


@shared_task(**NOTIFY_TASK)
def send_invitation(registration_id: int) -> None:
    """The invitation e-mail of a contact invited to an event (queued after commit; claimed: sent once)."""
    services.invitation_send(registration_id=registration_id)


@shared_task(**NOTIFY_TASK)
def send_survey(registration_id: int) -> None:
    """One participant's satisfaction questionnaire (queued after commit with the registration's id only:
    the worker issues the personal link, so no clear token travels through the broker; claimed: sent
    once; retried on an SMTP error)."""
    services.survey_mail_send(registration_id=registration_id)
