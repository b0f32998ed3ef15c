"""Celery task of the selection flow: e-mail the contacts of a project born from a selection decision.

Import it from projects/tasks.py so Celery's autodiscovery registers it:
    from .selection_tasks import send_selection_notifications  # noqa: F401
"""

from celery import shared_task
from django.db import IntegrityError, transaction

from programme.emails import send_template_mail
from prospects.models import SelectionNotice

from .models import Project

__all__ = ["send_selection_notifications"]


@shared_task(acks_late=True)
def send_selection_notifications(project_id: int) -> int:
    """One French e-mail per contact of the new collective. A notice row is claimed before each mail, so
    a retried task never writes twice to the same person. Returns the number of e-mails sent."""
    project = (
        Project.objects.select_related("selection_decision", "lead_organisation", "cohort", "programme")
        .filter(pk=project_id)
        .first()
    )
    if project is None or project.selection_decision is None:
        return 0
    decision = project.selection_decision
    people = [
        m.person
        for m in project.memberships.select_related("person").order_by("pk")
        if m.person is not None and m.person.email and m.person.anonymised_at is None
    ]
    sent = 0
    for person in people:
        try:
            with transaction.atomic():
                notice = SelectionNotice.objects.create(decision=decision, email=person.email.lower())
        except IntegrityError:
            continue  # already notified
        try:
            send_template_mail(
                template="emails/selection_retained",
                to=[person.email],
                context={"person": person, "project": project, "cohort": project.cohort},
                language="fr",
            )
        except Exception:
            notice.delete()  # let a retry send it
            raise
        sent += 1
    return sent
