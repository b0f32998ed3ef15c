"""The columns of the project list export; programme.exports writes them as CSV or XLSX (and escapes what a
spreadsheet could take for a formula). The rows are the list's, filters included: what the page shows, and
each project's money — the figures of its Financement tab, by their one definition (`funding.selectors.Money`)."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from programme.exports import choice_labels

from .funding.selectors import Money, money_by_project
from .models import Project
from .selectors import ProjectWithStatus

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from programme.models import User


def headers() -> list[str]:
    return [
        _("Projet"),
        _("Phase"),
        _("Structure porteuse"),
        _("SIREN de la structure porteuse"),
        _("Promotion"),
        _("Territoire"),
        _("Chargé·es de projet"),
        _("Début de l’accompagnement"),
        _("Fin de phase prévue"),
        _("En retard de décision"),
        _("Besoin (€)"),
        _("Acquis (€)"),
        _("Demandé (€)"),
        _("À trouver (€)"),
        _("Reçu (€)"),
        _("Reste à percevoir (€)"),
        _("Échu non reçu (€)"),
    ]


#: What a row reads: plain values, no model instance per project (docs/benchmarks.md, the exports).
COLUMNS = (
    "pk",
    "title",
    "phase",
    "lead_organisation__name",
    "lead_organisation__siren",
    "cohort__name",
    "territory__name",
    "start_date",
    "phase_planned_end",
    "decision_late",
)


def _leads_of(projects: "QuerySet[ProjectWithStatus]") -> dict[int, list[str]]:
    """Each project's staff leads by first name, as the list shows them: one query for all the projects."""
    leads: dict[int, list[str]] = {}
    for project_id, first_name, last_name, email in (
        Project.staff_leads.through.objects.filter(project_id__in=projects.order_by().values("pk"))
        .order_by("user__first_name", "user_id")
        .values_list("project_id", "user__first_name", "user__last_name", "user__email")
    ):
        leads.setdefault(project_id, []).append(f"{first_name} {last_name}".strip() or email)
    return leads


def rows(projects: "QuerySet[ProjectWithStatus]", *, user: "User") -> Iterable[list[Any]]:
    """One row per project, with its money (`funding.selectors.money_by_project`, four queries for all of
    them; a project without any money record reads zeros). A generator: nothing is read before the export
    writes its first row, after its format is checked."""
    money = money_by_project(user=user, projects=projects)
    leads = _leads_of(projects)
    phases = choice_labels(Project, "phase")
    for pk, title, phase, lead, siren, cohort, territory, start, planned_end, late in (
        projects.prefetch_related(None).values_list(*COLUMNS).iterator(chunk_size=2000)
    ):
        m = money.get(pk) or Money()
        yield [
            title,
            phases.get(phase, phase),
            lead,
            siren,
            cohort or "",
            territory or "",
            ", ".join(leads.get(pk, ())),
            start,
            planned_end,
            bool(late),
            m.need,
            m.secured,
            m.requested,
            m.to_find,
            m.received,
            m.remaining,
            m.overdue,
        ]


def file_name() -> str:
    return f"projets-{timezone.localdate():%Y-%m-%d}"
