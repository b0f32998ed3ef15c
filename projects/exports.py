"""The columns of the project list export; programme.exports writes them as CSV or XLSX (and escapes what a
spreadsheet could take for a formula). The rows are the list's, filters included: what the page shows, and
each project's money — the figures of its Financement tab, by their one definition (`funding.selectors.Money`)."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .funding.selectors import Money, money_by_project
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


def rows(projects: "QuerySet[ProjectWithStatus]", *, user: "User") -> Iterable[list[Any]]:
    """One row per project, with its money (`funding.selectors.money_by_project`, four queries for all of
    them; a project without any money record reads zeros). A generator: nothing is read before the export
    writes its first row, after its format is checked."""
    money = money_by_project(user=user, projects=projects)
    for p in projects.iterator(chunk_size=2000):
        m = money.get(p.pk) or Money()
        yield [
            p.title,
            p.get_phase_display(),
            p.lead_organisation.name,
            p.lead_organisation.siren,
            p.cohort.name if p.cohort else "",
            p.territory.name if p.territory else "",
            ", ".join(u.get_full_name() or u.email for u in p.staff_leads.all()),
            p.start_date,
            p.phase_planned_end,
            bool(p.decision_late),
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
