"""The columns of the prospect list export; programme.exports writes them as CSV or XLSX (and escapes
what a spreadsheet could take for a formula)."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Prospect


def headers() -> list[str]:
    return [
        _("Structure"),
        _("SIREN"),
        _("Commune"),
        _("Étape"),
        _("Source"),
        _("Public"),
        _("Promotion visée"),
        _("Suivi par"),
        _("Prochaine action"),
        _("Date de la prochaine action"),
        _("Motif de l’écart"),
        _("Notes"),
    ]


def rows(prospects: Iterable[Prospect]) -> Iterable[list[str]]:
    for p in prospects:
        yield [
            p.organisation.name,
            p.organisation.siren,
            p.organisation.town,
            p.get_stage_display(),
            p.get_source_display(),
            p.get_audience_display(),
            p.cohort.name if p.cohort else "",
            (p.owner.get_full_name() or p.owner.email) if p.owner else "",
            p.next_action,
            p.next_action_date.strftime("%d/%m/%Y") if p.next_action_date else "",
            p.discard_reason,
            p.notes,
        ]


def file_name() -> str:
    return f"prospects-{timezone.localdate():%Y-%m-%d}"
