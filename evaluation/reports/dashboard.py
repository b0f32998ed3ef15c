"""The director dashboard's tables and charts, built from the selectors' plain data.

Each table is defined once (title, meaning, columns, rows) and serves the page, the CSV and the XLSX
export, so what is downloaded is exactly what is shown. Titles and meanings come from
`evaluation.figures.FIGURES`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation import charts, selectors
from evaluation.figures import FIGURES, Figure
from evaluation.selectors import Filters
from programme.formatting import (
    fr_amount,
    fr_date,
    fr_number,
    fr_percent,
    fr_signed_percent,
    indicator_value,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]  # raw values (numbers, dates, text): what the exports write
    display: list[list[tuple[str, bool]]] = field(default_factory=list)  # (text, numeric) per cell
    empty: str = ""
    limit: int | None = None  # rows shown on the page (exports always carry every row)
    meaning: str = ""  # what the table counts (figures.FIGURES), shown under it and in the exports
    notes: list[str] = field(default_factory=list)  # one footnote per row, when rows need one
    extra_headers: list[str] = field(default_factory=list)  # columns of the exports only, after `headers`
    # The format of each column ("num", "amount", "date"…): when given, cells are formatted only for the
    # rows the page shows (a long list — overdue instalments — is exported whole, shown in part).
    formats: list[str] = field(default_factory=list)
    # How many rows there are in all, when `rows` holds only the first ones (the selector counted them).
    total: int | None = None

    @property
    def shown_with_notes(self) -> list[tuple[list[tuple[str, bool]], str]]:
        """The rows shown, each with its footnote ("" when none)."""
        shown = self.shown
        notes = self.notes or [""] * len(shown)
        return list(zip(shown, notes, strict=False))

    @property
    def row_notes(self) -> list[tuple[str, str]]:
        """(first cell, footnote) of the rows that have one."""
        return [(str(row[0]), note) for row, note in zip(self.rows, self.notes, strict=False) if note]

    @property
    def export_headers(self) -> list[str]:
        return self.headers + self.extra_headers

    @property
    def shown(self) -> list[list[tuple[str, bool]]]:
        if self.formats:
            return [
                _cells(row, self.formats) for row in (self.rows[: self.limit] if self.limit else self.rows)
            ]
        return self.display[: self.limit] if self.limit else self.display

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def truncated(self) -> bool:
        return bool(self.limit and self.row_count > self.limit)


def _cells(row: list, formats: list[str]) -> list[tuple[str, bool]]:
    out = []
    for value, fmt in zip(row, formats, strict=True):
        if fmt == "num":
            out.append((fr_number(value), True))
        elif fmt == "amount":
            out.append((fr_amount(value), True))
        elif fmt == "pct":
            out.append((fr_percent(value), True))
        elif fmt == "date":
            out.append((fr_date(value), True))
        elif fmt == "delta":
            out.append(("—" if value is None else ("+" if value > 0 else "") + fr_number(value), True))
        else:
            out.append(("—" if value in (None, "") else str(value), False))
    return out


def _table(key: str, defined: Figure, headers, rows, formats, empty, *, title: "StrOrPromise" = "") -> Table:
    return Table(
        key,
        str(title or defined.label),
        [str(h) for h in headers],
        rows,
        [],
        str(empty),
        meaning=str(defined.meaning),
        formats=list(formats),
    )


def _columns_table(
    key: str,
    figure_key: str,
    columns: list[tuple["StrOrPromise", str, str]],
    empty: "StrOrPromise",
    *,
    within: str | None = None,
) -> Callable[[Any], Table]:
    """The builder of a table whose cells are fields of the selector's rows: `columns` are (header, field,
    format) and `within` names the list of rows when the selector returns a dict. Its title and meaning
    are the figure's (`figure_key` in FIGURES)."""

    def build(data: Any) -> Table:
        rows = [[r[name] for _h, name, _f in columns] for r in (data[within] if within else data)]
        return _table(
            key, FIGURES[figure_key], [h for h, _n, _f in columns], rows, [f for _h, _n, f in columns], empty
        )

    return build


funnel_table = _columns_table(
    "funnel",
    "funnel",
    [
        (gettext_lazy("Étape"), "label", "text"),
        (gettext_lazy("Nombre"), "value", "num"),
    ],
    gettext_lazy("Aucune donnée."),
    within="steps",
)
phases_table = _columns_table(
    "phases",
    "phases",
    [
        (gettext_lazy("Phase"), "label", "text"),
        (gettext_lazy("Projets"), "count", "num"),
    ],
    gettext_lazy("Aucun projet."),
)
gates_table = _columns_table(
    "gates",
    "gate_decisions",
    [
        (gettext_lazy("Décision"), "label", "text"),
        (gettext_lazy("Nombre"), "count", "num"),
    ],
    gettext_lazy("Aucune décision."),
)
late_table = _columns_table(
    "late",
    "late_decisions",
    [
        (gettext_lazy("Projet"), "project", "text"),
        (gettext_lazy("Phase"), "phase_label", "text"),
        (gettext_lazy("Fin prévue"), "planned_end", "date"),
        (gettext_lazy("Jours de retard"), "days", "num"),
    ],
    gettext_lazy("Aucune décision en retard."),
)
upcoming_table = _columns_table(
    "upcoming",
    "upcoming_gates",
    [
        (gettext_lazy("Projet"), "project", "text"),
        (gettext_lazy("Phase"), "phase_label", "text"),
        (gettext_lazy("Fin prévue"), "planned_end", "date"),
        (gettext_lazy("Dans (jours)"), "days", "num"),
    ],
    gettext_lazy("Aucune décision d’étape dans les 90 jours."),
)


def _with_note(text: str, note: str) -> str:
    """A figure, or "—" with the reason it means nothing here."""
    return text if text != "—" or not note else f"— ({note})"


def indicators_table(data: list[dict]) -> Table:
    """Each indicator followed in scope. The page shows the figures; the exports add the unit, the
    target's kind and the remark (why a progress or a change is missing) as their own columns."""
    headers = [
        _("Indicateur"),
        _("Nature"),
        _("Projets (mesurés / suivant)"),
        _("Valeur sur la période"),
        _("Comparé à la cible"),
        _("Référence"),
        _("Cible"),
        _("Avancement vers la cible (%)"),
        _("Évolution depuis la référence (%)"),
    ]
    extra = [_("Unité"), _("Nature de la cible"), _("Remarque")]
    kinds = {"cumulative": _("cumulée"), "per_period": _("par période"), "": ""}
    rows, display, notes = [], [], []
    for r in data:
        note = " · ".join(n for n in (r["progress_note"], r["change_note"]) if n)
        # A stock's target is a level and a rate's is reached over the whole span: "cumulée" would say neither.
        if r["nature"] == "stock" and r["target_kind"]:
            kind = _("niveau")
        elif r["nature"] == "rate" and r["target_kind"] == "cumulative":
            kind = _("sur la durée")
        else:
            kind = kinds[r["target_kind"]]
        rows.append(
            [
                r["name"],
                r["nature_label"],
                r["reporting"],
                r["value"],
                r["compared"],
                r["baseline"],
                r["target"],
                r["progress"],
                r["change"],
                r["unit"],
                kind,
                note,
            ]
        )
        fmt = {"kind": r["type"], "unit": r["unit"], "unit_one": r["unit_one"]}
        compared = indicator_value(r["compared"], **fmt)
        target = indicator_value(r["target"], **fmt)
        display.append(
            [
                (r["name"], False),
                (r["nature_label"], False),
                (f"{fr_number(r['reporting'])} / {fr_number(r['projects'])}", True),
                (indicator_value(r["value"], **fmt), True),
                (f"{compared} ({r['compared_label']})" if r["compared"] is not None else "—", True),
                (indicator_value(r["baseline"], **fmt), True),
                (f"{target} ({kind})" if r["target"] is not None and kind else target, True),
                (
                    _with_note(
                        fr_percent(r["progress"]), r["progress_note"] if r["progress"] is None else ""
                    ),
                    True,
                ),
                (_with_note(fr_signed_percent(r["change"]), r["change_note"]), True),
            ]
        )
        notes.append(r["definition"])
    defined = FIGURES["indicators"]
    return Table(
        "indicators",
        str(defined.label),
        [str(h) for h in headers],
        rows,
        display,
        _("Aucun indicateur suivi — ajoutez des indicateurs aux protocoles des projets."),
        meaning=str(defined.meaning),
        notes=notes,
        extra_headers=[str(h) for h in extra],
    )


maturity_table = _columns_table(
    "maturity",
    "maturity",
    [
        (gettext_lazy("Phase"), "phase_label", "text"),
        (gettext_lazy("Dimension"), "label", "text"),
        (gettext_lazy("Début de phase"), "start", "num"),
        (gettext_lazy("Fin de phase"), "end", "num"),
        (gettext_lazy("Évolution (projets évalués aux deux moments)"), "delta", "delta"),
        (gettext_lazy("Projets évalués aux deux moments"), "paired", "num"),
        (gettext_lazy("Projets évalués"), "projects", "num"),
    ],
    gettext_lazy("Aucune auto-évaluation de maturité."),
    within="by_phase",
)
activity_table = _columns_table(
    "activity",
    "activity",
    [
        (gettext_lazy("Trimestre"), "label", "text"),
        (gettext_lazy("Ateliers tenus"), "workshops", "num"),
        (gettext_lazy("Présences en atelier"), "participants", "num"),
        (gettext_lazy("Personnes présentes (distinctes dans le trimestre)"), "people", "num"),
    ],
    gettext_lazy("Aucun atelier tenu."),
)
organisations_table = _columns_table(
    "organisations",
    "organisations_per_year",
    [
        (gettext_lazy("Année"), "year", "text"),
        (gettext_lazy("Structures"), "organisations", "num"),
    ],
    gettext_lazy("Aucune structure dans les collectifs."),
)
partners_table = _columns_table(
    "partners",
    "partners",
    [
        (gettext_lazy("Famille"), "label", "text"),
        (gettext_lazy("Structures"), "count", "num"),
    ],
    gettext_lazy("Aucune structure dans les collectifs."),
)
funding_kinds_table = _columns_table(
    "funding_kinds",
    "funding_by_kind",
    [
        (gettext_lazy("Type de financeur"), "label", "text"),
        (gettext_lazy("Demandé, sans décision"), "requested", "amount"),
        (gettext_lazy("Conventionné dans la période"), "granted", "amount"),
        (gettext_lazy("Reçu dans la période"), "received", "amount"),
        (gettext_lazy("Reste à percevoir"), "remaining", "amount"),
    ],
    gettext_lazy("Aucun financement enregistré."),
    within="by_kind",
)
cash_forecast_table = _columns_table(
    "cash_forecast",
    "cash_forecast",
    [
        (gettext_lazy("Mois"), "label", "text"),
        (gettext_lazy("À recevoir"), "due", "amount"),
        (gettext_lazy("Échéances"), "instalments", "num"),
    ],
    gettext_lazy("Aucune échéance de versement à venir."),
    within="forecast",
)
overdue_instalments_table = _columns_table(
    "overdue_instalments",
    "overdue_instalments",
    [
        (gettext_lazy("Projet"), "project", "text"),
        (gettext_lazy("Financeur"), "funder", "text"),
        (gettext_lazy("Convention"), "reference", "text"),
        (gettext_lazy("Échéance"), "instalment", "text"),
        (gettext_lazy("Date prévue"), "due_on", "date"),
        (gettext_lazy("Montant"), "amount", "amount"),
        (gettext_lazy("Restant dû"), "outstanding", "amount"),
        (gettext_lazy("Jours de retard"), "days", "num"),
    ],
    gettext_lazy("Aucune échéance de versement en retard."),
    within="overdue_instalments",
)
late_justifications_table = _columns_table(
    "late_justifications",
    "late_justifications",
    [
        (gettext_lazy("Projet"), "project", "text"),
        (gettext_lazy("Financeur"), "funder", "text"),
        (gettext_lazy("Convention"), "reference", "text"),
        (gettext_lazy("Justificatif"), "kind", "text"),
        (gettext_lazy("À remettre le"), "due_on", "date"),
        (gettext_lazy("Jours de retard"), "days", "num"),
    ],
    gettext_lazy("Aucun justificatif en retard."),
    within="late_justifications",
)


def events_table(data: dict[str, Any]) -> Table:
    """Events and trainings: one row, each figure a column (its label from FIGURES)."""
    columns = [(FIGURES[r["key"]].label, r["value"], r["format"]) for r in data["rows"]]
    return _table(
        "events",
        FIGURES["events"],
        [label for label, _v, _f in columns],
        [[value for _l, value, _f in columns]] if data["events"] else [],
        [fmt for _l, _v, fmt in columns],
        gettext_lazy("Aucun événement avec des présents dans la période."),
        title=gettext_lazy("Événements et formations"),  # its first column is the figure « Événements tenus »
    )


#: key → (selector returning the data, builder of the table). The export of one table runs one selector.
TABLES: dict[str, tuple[Callable, Callable]] = {
    "funnel": (selectors.funnel, funnel_table),
    "phases": (selectors.projects_by_phase, phases_table),
    "gates": (selectors.gate_outcomes, gates_table),
    "late": (selectors.late_decisions, late_table),
    "upcoming": (selectors.upcoming_gates, upcoming_table),
    "indicators": (selectors.indicator_progress, indicators_table),
    "maturity": (selectors.maturity_evolution, maturity_table),
    "activity": (selectors.activity_over_time, activity_table),
    "organisations": (selectors.organisations_per_year, organisations_table),
    "partners": (selectors.partners_by_kind, partners_table),
    "funding_kinds": (selectors.funding, funding_kinds_table),
    "cash_forecast": (selectors.funding, cash_forecast_table),
    "overdue_instalments": (selectors.funding, overdue_instalments_table),
    "late_justifications": (selectors.funding, late_justifications_table),
    "events": (selectors.event_figures, events_table),
}
#: the key of each table in `selectors.programme_figures`
FIGURE_KEYS = {
    "organisations": "organisations_per_year",
    "funding_kinds": "funding",
    "cash_forecast": "funding",
    "overdue_instalments": "funding",
    "late_justifications": "funding",
}


def table_for(key: str, *, user, filters: Filters) -> Table:
    selector, builder = TABLES[key]
    return builder(selector(user=user, filters=filters))


#: long lists shown in part on the page
PAGE_LIMITS = {
    "late": selectors.SHOWN_DECISIONS,
    "upcoming": selectors.SHOWN_DECISIONS,
    "overdue_instalments": 20,
    "late_justifications": 20,
}
#: tables whose rows `programme_figures` lists only in part, and the key of their whole count
COUNTED = {"late": "late_count", "upcoming": "upcoming_count"}


def tables_from(figures: dict) -> dict[str, Table]:
    tables = {key: builder(figures[FIGURE_KEYS.get(key, key)]) for key, (_s, builder) in TABLES.items()}
    for key, limit in PAGE_LIMITS.items():
        tables[key].limit = limit
    for key, count_key in COUNTED.items():
        tables[key].total = figures[count_key]
    return tables


NO_DATA = gettext_lazy("Aucune donnée")


def charts_from(figures: dict) -> dict[str, str]:
    """The SVG charts of the dashboard (the same functions render them in the PDF reports). Each chart
    draws the rows of the table beside it, nothing else."""
    empty = str(NO_DATA)
    steps = figures["funnel"]["steps"]
    phases = figures["phases"]
    activity = figures["activity"]
    indicators = [r for r in figures["indicators"] if r["compared"] is not None or r["target"] is not None]
    maturity = selectors.maturity_charts(figures["maturity"]["by_phase"])
    forecast = figures["funding"]["forecast"]
    return {
        "funnel": charts.bar_chart(
            title=str(FIGURES["funnel"].label),
            desc=str(FIGURES["funnel"].meaning),
            bars=[charts.Bar(s["label"], s["value"], charts.PALETTE[0]) for s in steps],
            empty=empty,
        ),
        "phases": charts.bar_chart(
            title=str(FIGURES["phases"].label),
            desc=str(FIGURES["phases"].meaning),
            bars=[charts.Bar(p["label"], p["count"], p["colour"]) for p in phases],
            empty=empty,
        ),
        "indicators": charts.progress_chart(
            title=str(FIGURES["indicators"].label),
            desc=_(
                "Pour chaque indicateur, la valeur comparée à la cible (barre : cumul depuis le début pour "
                "un flux à cible cumulée, dernière valeur pour un stock), la référence (trait pointillé) "
                "et la cible (trait plein)."
            ),
            rows=[
                {
                    "label": r["name"],
                    "value": r["compared"],
                    "baseline": r["baseline"],
                    "target": r["target"],
                    "text": _("%(value)s / cible %(target)s")
                    % {
                        "value": indicator_value(r["compared"], kind=r["type"], unit=""),
                        "target": indicator_value(r["target"], kind=r["type"], unit=""),
                    },
                }
                for r in indicators
            ],
            labels={"value": _("valeur"), "baseline": _("référence"), "target": _("cible")},
            empty=empty,
        ),
        # Each phase's chart under its name: the SVG's own <title> is read by screen readers, not shown.
        "maturity": "".join(
            format_html('<figure class="chart-figure"><figcaption>{}</figcaption>', phase) + svg + "</figure>"
            for phase, svg in maturity
        )
        or charts.grouped_bar_chart(
            title=str(FIGURES["maturity"].label),
            desc=str(FIGURES["maturity"].meaning),
            categories=[],
            series=[],
            max_value=4,
            empty=empty,
        ),
        "cash_forecast": charts.column_chart(
            title=str(FIGURES["cash_forecast"].label),
            desc=str(FIGURES["cash_forecast"].meaning),
            labels=[m["short"] for m in forecast] if any(m["due"] for m in forecast) else [],
            series=[charts.Series(_("À recevoir (€)"), [m["due"] for m in forecast], charts.PALETTE[0])],
            empty=empty,
        ),
        "activity": charts.column_chart(
            title=str(FIGURES["activity"].label),
            desc=str(FIGURES["activity"].meaning),
            labels=[a["label"] for a in activity],
            series=[
                charts.Series(_("Ateliers tenus"), [a["workshops"] for a in activity], charts.PALETTE[1]),
                charts.Series(_("Personnes présentes"), [a["people"] for a in activity], charts.PALETTE[0]),
            ],
            empty=empty,
        ),
    }
