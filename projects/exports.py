"""The columns of the project list export; programme.exports writes them as CSV or XLSX (and escapes what a
spreadsheet could take for a formula). The rows are the list's, filters included: what the page shows."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import ProjectWithStatus


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
    ]


def rows(projects: Iterable[ProjectWithStatus]) -> Iterable[list[Any]]:
    for p in projects:
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
        ]


def file_name() -> str:
    return f"projets-{timezone.localdate():%Y-%m-%d}"
