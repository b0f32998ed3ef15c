"""Demo phase templates: the demo programme's phases have templates (Émergence in two versions) before the demo
projects pass their gates, so every demo project shows the milestones and committees it got and « Créé depuis
le modèle Émergence v2 ». `build` runs before the projects' step; `settle` after it marks the template
milestones whose date has passed as reached (as a team keeping its project up to date would have).
Idempotent: a programme that already has templates is left alone."""

from typing import Any

from programme.demo import DemoContext, selection_committee_date

from ..models import Milestone, MilestoneStatus
from .models import AppliedTemplate, PhaseTemplate
from .services import template_new_version


def _item(kind: str, title: str, offset: int, unit: str = "months", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "title": title, "offset": offset, "offset_unit": unit, **extra}


EMERGENCE_V1 = [
    _item("milestone", "Diagnostic partagé des besoins", 2),
    _item("milestone", "Prototype prêt à tester", 8),
]
EMERGENCE_V2 = [
    _item("maturity", "Maturité coopérative : point de départ", 15, "days"),
    _item("milestone", "Diagnostic partagé des besoins", 2),
    _item("committee", "Point d’étape avec le collectif", 1, committee_kind="cotech", every_months=3),
    _item("milestone", "Prototype prêt à tester", 8),
]
EXPERIMENTATION = [
    _item("committee", "Comité de pilotage", 1, committee_kind="copil", every_months=6),
    _item("milestone", "Protocole d’évaluation validé", 3),
    _item("milestone", "Bilan à mi-parcours", 9),
]
DEPLOYMENT = [_item("milestone", "Premier site d’essaimage ouvert", 6)]


def build(ctx: DemoContext) -> None:
    programme, director = ctx.programme, ctx.users["director"]
    assert programme is not None  # the programme's own demo step runs first
    for cohort in ctx.cohorts:  # the promotions' settings page shows when their committee sat
        if cohort.selection_committee_on is None:
            cohort.selection_committee_on = selection_committee_date(cohort)
            cohort.save(update_fields=["selection_committee_on"])
    if PhaseTemplate.objects.filter(programme=programme).exists():
        return
    for phase, versions in (
        ("emergence", [EMERGENCE_V1, EMERGENCE_V2]),
        ("experimentation", [EXPERIMENTATION]),
        ("deployment", [DEPLOYMENT]),
    ):
        for items in versions:
            template_new_version(actor=director, programme=programme, phase=phase, items=items)


def settle(ctx: DemoContext) -> None:
    """The template milestones already past are reached (on their date)."""
    titles = {item["title"] for items in (EMERGENCE_V2, EXPERIMENTATION, DEPLOYMENT) for item in items}
    projects = AppliedTemplate.objects.values("project_id")
    for milestone in Milestone.objects.filter(
        project_id__in=projects,
        title__in=titles,
        status=MilestoneStatus.PLANNED,
        due_date__lt=ctx.today,
    ):
        milestone.status, milestone.done_on = MilestoneStatus.DONE, milestone.due_date
        milestone.save(update_fields=["status", "done_on"])
