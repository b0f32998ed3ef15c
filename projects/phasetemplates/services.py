"""Writes of phase templates: a new version (directors), and its application to a project entering a phase
(called by the gate service, in its transaction)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from programme import access
from programme.audit import audit_log
from programme.models import Programme, User
from projects.models import Committee, Deliverable, Milestone, PhasePeriod, Project

from .models import (
    TEMPLATE_PHASES,
    AppliedTemplate,
    ItemKind,
    OffsetUnit,
    PhaseTemplate,
    Provider,
    TemplateItem,
)

#: Days counted in a month when a day offset is compared with a phase's duration in months.
DAYS_PER_MONTH = 30


def phase_duration_months(programme: Programme, phase: str) -> int | None:
    """The phase's planned duration from the programme (None: open-ended)."""
    return {
        "emergence": programme.emergence_months,
        "experimentation": programme.experimentation_months,
    }.get(phase)


def item_errors(item: dict[str, Any], months: int | None) -> dict[str, str]:
    """Why an item cannot be in a template of a phase lasting `months` ({} when it can)."""
    errors: dict[str, str] = {}
    offset, unit = item["offset"], item["offset_unit"]
    if months is not None:
        limit = months if unit == OffsetUnit.MONTHS else months * DAYS_PER_MONTH
        if offset > limit:
            errors["offset"] = _(
                "Ce décalage dépasse la durée de la phase (%(months)s mois, soit %(limit)s %(unit)s)."
            ) % {"months": months, "limit": limit, "unit": OffsetUnit(unit).label}
    if item["kind"] == ItemKind.COMMITTEE and not item.get("committee_kind"):
        errors["committee_kind"] = _("Choisissez l’instance du comité.")
    if item["kind"] == ItemKind.DELIVERABLE and not item.get("provider"):
        errors["provider"] = _("Indiquez qui fournit le livrable.")
    if item.get("every_months") and item["kind"] != ItemKind.COMMITTEE:
        errors["every_months"] = _("Une cadence ne s’applique qu’aux comités.")
    return errors


@transaction.atomic
def template_new_version(
    *, actor: User, programme: Programme, phase: str, items: list[dict[str, Any]]
) -> PhaseTemplate:
    """Save the template of a programme's phase as a new version. Projects keep what they got."""
    if not access.is_director(actor):
        raise PermissionDenied
    if phase not in TEMPLATE_PHASES:
        raise ValidationError(_("Cette phase n’a pas de modèle."))
    months = phase_duration_months(programme, phase)
    for index, item in enumerate(items, start=1):
        errors = item_errors(item, months)
        if errors:
            raise ValidationError(
                _("Ligne %(line)s : %(errors)s") % {"line": index, "errors": " ".join(errors.values())}
            )
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = (
        PhaseTemplate.objects.filter(programme=programme, phase=phase).aggregate(v=Max("version"))["v"] or 0
    )
    template = PhaseTemplate.objects.create(
        programme=programme, phase=phase, version=last + 1, created_by=actor
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(
            template=template,
            position=index,
            kind=item["kind"],
            title=item["title"],
            offset=item["offset"],
            offset_unit=item["offset_unit"],
            provider=item.get("provider") or "",
            committee_kind=item.get("committee_kind") or "",
            every_months=item.get("every_months") or None,
        )
        for index, item in enumerate(items)
    )
    audit_log(
        actor=actor,
        obj=template,
        action="phase_template.created",
        changes={"éléments": [None, [item["title"] for item in items]]},
    )
    return template


def current_template(programme_id: int, phase: str) -> PhaseTemplate | None:
    return PhaseTemplate.objects.filter(programme_id=programme_id, phase=phase).order_by("-version").first()


def template_apply(*, actor: User | None, project: Project, period: PhasePeriod) -> AppliedTemplate | None:
    """Create the milestones, deliverables and committees of the current template of the project's
    programme for the phase `period` opens, dated from its start. Once per project and phase (a phase
    opened again keeps what it got); None when the programme has no template for the phase.

    Runs inside the gate service's transaction: the project is already locked."""
    if period.phase not in TEMPLATE_PHASES:
        return None
    if AppliedTemplate.objects.filter(project=project, phase=period.phase).exists():
        return None
    template = current_template(project.programme_id, period.phase)
    if template is None:
        return None
    start, end = period.actual_start or period.planned_start, period.planned_end
    owner = project.programme.default_lead
    milestones, deliverables, committees = [], [], []
    for item in template.items.all():
        if item.kind in (ItemKind.MILESTONE, ItemKind.MATURITY):
            milestones.append(Milestone(project=project, title=item.title, due_date=item.date_from(start)))
        elif item.kind == ItemKind.DELIVERABLE:
            collective = item.provider == Provider.COLLECTIVE
            deliverables.append(
                Deliverable(
                    project=project,
                    title=item.title,
                    due_date=item.date_from(start),
                    owner_organisation_id=project.lead_organisation_id if collective else None,
                    owner_user=None if collective else owner,
                )
            )
        elif item.kind == ItemKind.COMMITTEE:
            committees += [
                Committee(project=project, kind=item.committee_kind, date=when, agenda=item.title)
                for when in item.dates(start, end)
            ]
    Milestone.objects.bulk_create(milestones)
    Deliverable.objects.bulk_create(deliverables)
    Committee.objects.bulk_create(committees)
    applied = AppliedTemplate.objects.create(
        project=project, template=template, phase=period.phase, phase_start=start
    )
    audit_log(
        actor=actor,
        obj=project,
        action="project.template_applied",
        changes={
            "modèle": [None, str(template)],
            "jalons": [None, len(milestones)],
            "livrables": [None, len(deliverables)],
            "comités": [None, len(committees)],
        },
    )
    return applied
