"""Turning a retained candidate into a project (the selection flow belongs to the higher app: projects
imports prospects, never the other way round)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.audit import audit_log
from programme.models import Person, User
from prospects.models import Decision, SelectionDecision

from .models import MemberRole, Membership, Phase, Project
from .services import project_start_phase


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


@transaction.atomic
def project_create_from_selection(*, actor: User, decision: SelectionDecision) -> Project:
    """A retained candidate becomes a project in phase Sélection, carried by its structure, with a
    collective seeded from the prospect's contacts. The contacts are e-mailed after commit."""
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
        title=(prospect.project_idea or _("Projet — %(name)s") % {"name": organisation.name})[:200],
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
    from .selection_tasks import send_selection_notifications

    project_id = project.pk
    transaction.on_commit(lambda: send_selection_notifications.delay(project_id))
    return project


def demo_projects_from_selection(ctx) -> None:
    """Demo step (after prospects.demo and projects.demo): every retained decision of the demo gets its
    project, and the two demo collectives are linked to their selection decisions. Idempotent."""
    director = ctx.users["director"]
    for decision in SelectionDecision.objects.filter(
        cohort__programme=ctx.programme, decision=Decision.RETAINED, project__isnull=True
    ).select_related("prospect__organisation"):
        existing = (
            Project.objects.filter(
                lead_organisation=decision.prospect.organisation,
                cohort=decision.cohort,
                selection_decision=None,
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            existing.selection_decision = decision
            existing.save(update_fields=["selection_decision"])
        else:
            project_create_from_selection(actor=director, decision=decision)
