"""Turning a retained candidate into a project (the selection flow belongs to the higher app: projects
imports prospects, never the other way round), and telling its contacts."""

import smtplib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.audit import audit_log
from programme.emails import send_template_mail
from programme.models import Person, User
from prospects.models import Decision, Prospect, SelectionDecision, SelectionNotice

from ..models import MemberRole, Membership, Phase, Project
from ..services import project_start_phase


def selection_contacts(decision: SelectionDecision) -> list[Person]:
    """The prospect's contacts: people of the structure, then the people met at its interviews (who may
    belong to partner structures), without duplicates or anonymised people."""
    prospect = decision.prospect
    people = list(
        Person.objects.filter(organisation_id=prospect.organisation_id, anonymised_at__isnull=True).order_by(
            "last_name", "first_name", "pk"
        )
    )
    seen = {p.pk for p in people}
    met = Person.objects.filter(interviews__prospect=prospect, anonymised_at__isnull=True).order_by("pk")
    for person in met.distinct():
        if person.pk not in seen:
            people.append(person)
            seen.add(person.pk)
    return people


#: The longest project title (Project.title's max_length), and what the committee is told without one.
TITLE_MAX_LENGTH = Project._meta.get_field("title").max_length or 200
TITLE_REQUIRED = gettext_lazy("Donnez un titre au projet du candidat retenu.")


def project_title_proposed(prospect: Prospect) -> str:
    """The title the committee is offered for a retained candidate's project: the prospect's project idea."""
    return prospect.project_idea.strip()[:TITLE_MAX_LENGTH]


@transaction.atomic
def project_create_from_selection(*, actor: User, decision: SelectionDecision, title: str) -> Project:
    """A retained candidate becomes a project titled `title` (asked of the committee), in phase Sélection,
    carried by its structure, with a collective seeded from the prospect's contacts. The contacts are
    e-mailed after commit."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(TITLE_REQUIRED, code="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("Le titre du projet ne peut dépasser %(max)d caractères.") % {"max": TITLE_MAX_LENGTH},
            code="title",
        )
    decision = (
        SelectionDecision.objects.select_for_update()
        .select_related("prospect", "prospect__organisation", "cohort")
        .get(pk=decision.pk)
    )
    if decision.decision != Decision.RETAINED:
        raise ValidationError(_("Seul un candidat retenu devient un projet."), code="not_retained")
    if Project.objects.filter(selection_decision=decision).exists():
        raise ValidationError(_("Ce candidat a déjà son projet."), code="exists")
    prospect = decision.prospect
    organisation = prospect.organisation
    today = timezone.localdate()
    start = max(today, decision.cohort.start_date)
    project = Project.objects.create(
        programme_id=prospect.programme_id,
        cohort=decision.cohort,
        title=title,
        lead_organisation=organisation,
        territory_id=prospect.territory_id,
        phase=Phase.SELECTION,
        start_date=start,
        selection_decision=decision,
    )
    project.themes.set(prospect.themes.all())
    if prospect.owner_id:
        project.staff_leads.set([prospect.owner_id])
    project_start_phase(actor=actor, project=project, phase=Phase.SELECTION, start=start)
    contacts = selection_contacts(decision)
    lead_people = [p for p in contacts if p.organisation_id == organisation.pk]
    memberships = [
        Membership(
            project=project,
            organisation=organisation,
            person=lead_people[0] if lead_people else None,
            role=MemberRole.LEAD,
            joined_on=today,
        )
    ]
    for person in contacts:
        if lead_people and person.pk == lead_people[0].pk:
            continue
        memberships.append(
            Membership(
                project=project,
                organisation_id=person.organisation_id or organisation.pk,
                person=person,
                role=MemberRole.LEAD
                if person.organisation_id in (None, organisation.pk)
                else MemberRole.PARTNER,
                joined_on=today,
            )
        )
    Membership.objects.bulk_create(memberships)
    audit_log(
        actor=actor,
        obj=project,
        action="project.created_from_selection",
        changes={"décision": [None, str(decision)], "membres": [None, len(memberships)]},
    )
    from .tasks import send_selection_notifications

    project_id = project.pk
    transaction.on_commit(lambda: send_selection_notifications.delay(project_id))
    return project


def selection_notices_send(*, project_id: int) -> int:
    """One French e-mail per contact of the collective of a project born from a selection decision.

    Deliberately not atomic as a whole: a notice row is claimed (unique per decision and address) in its
    own transaction before each mail, so a retried task never writes twice to the same person, and a mail
    that fails gives its row back for the retry. Returns the number of e-mails sent."""
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
        except (smtplib.SMTPException, OSError):
            notice.delete()  # let a retry send it
            raise
        sent += 1
    return sent
