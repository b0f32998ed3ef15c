"""The columns of the prospect list export; programme.exports writes them as CSV or XLSX (and escapes
what a spreadsheet could take for a formula)."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from programme.exports import choice_labels

from .models import Prospect

if TYPE_CHECKING:
    from django.db.models import QuerySet


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


#: What a row reads: plain values, no model instance per prospect (a 10,000-row export built instances of
#: four models with every column for a dozen cells: two thirds of its time — docs/benchmarks.md).
COLUMNS = (
    "organisation__name",
    "organisation__siren",
    "organisation__town",
    "stage",
    "source",
    "audience",
    "cohort__name",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
    "next_action",
    "next_action_date",
    "discard_reason",
    "notes",
)


def rows(prospects: "QuerySet[Prospect]") -> Iterable[list[Any]]:
    """One row per prospect of the (filtered, ordered) list; the next action's date a real date (a date cell
    in XLSX, dd/mm/yyyy in CSV). A generator: nothing is read before the export writes its first row."""
    stages, sources, audiences = (choice_labels(Prospect, name) for name in ("stage", "source", "audience"))
    for (
        name,
        siren,
        town,
        stage,
        source,
        audience,
        cohort,
        first_name,
        last_name,
        email,
        next_action,
        next_action_date,
        discard_reason,
        notes,
    ) in prospects.values_list(*COLUMNS).iterator(chunk_size=2000):
        yield [
            name,
            siren,
            town,
            stages.get(stage, stage),
            sources.get(source, source),
            audiences.get(audience, audience),
            cohort or "",
            f"{first_name or ''} {last_name or ''}".strip() or email or "",  # the owner, as get_full_name
            next_action,
            next_action_date,
            discard_reason,
            notes,
        ]


def file_name() -> str:
    return f"prospects-{timezone.localdate():%Y-%m-%d}"
