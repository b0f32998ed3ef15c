"""The director dashboard's tables and charts, built from the selectors' plain data.

Each table is defined once (title, columns, rows) and serves the page, the CSV and the XLSX export, so
what is downloaded is exactly what is shown."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation import charts, selectors
from evaluation.selectors import Filters
from programme.formatting import fr_date, fr_number, fr_percent, indicator_value

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

    @property
    def shown(self) -> list[list[tuple[str, bool]]]:
        return self.display[: self.limit] if self.limit else self.display

    @property
    def truncated(self) -> bool:
        return bool(self.limit and len(self.rows) > self.limit)


def _cells(row: list, formats: list[str]) -> list[tuple[str, bool]]:
    out = []
    for value, fmt in zip(row, formats, strict=True):
        if fmt == "num":
            out.append((fr_number(value), True))
        elif fmt == "pct":
            out.append((fr_percent(value), True))
        elif fmt == "date":
            out.append((fr_date(value), True))
        elif fmt == "delta":
            out.append(("—" if value is None else ("+" if value > 0 else "") + fr_number(value), True))
        else:
            out.append(("—" if value in (None, "") else str(value), False))
    return out


def _table(key, title, headers, rows, formats, empty) -> Table:
    return Table(
        key, str(title), [str(h) for h in headers], rows, [_cells(r, formats) for r in rows], str(empty)
    )


def _columns_table(
    key: str,
    title: "StrOrPromise",
    columns: list[tuple["StrOrPromise", str, str]],
    empty: "StrOrPromise",
    *,
    within: str | None = None,
) -> Callable[[Any], Table]:
    """The builder of a table whose cells are fields of the selector's rows: `columns` are (header, field,
    format) and `within` names the list of rows when the selector returns a dict."""

    def build(data: Any) -> Table:
        rows = [[r[name] for _h, name, _f in columns] for r in (data[within] if within else data)]
        return _table(key, title, [h for h, _n, _f in columns], rows, [f for _h, _n, f in columns], empty)

    return build


funnel_table = _columns_table(
    "funnel",
    gettext_lazy("Du prospect au projet"),
    [
        (gettext_lazy("Étape"), "label", "text"),
        (gettext_lazy("Nombre"), "value", "num"),
    ],
    gettext_lazy("Aucune donnée."),
    within="steps",
)
phases_table = _columns_table(
    "phases",
    gettext_lazy("Projets par phase"),
    [
        (gettext_lazy("Phase"), "label", "text"),
        (gettext_lazy("Projets"), "count", "num"),
    ],
    gettext_lazy("Aucun projet."),
)
gates_table = _columns_table(
    "gates",
    gettext_lazy("Décisions d'étape"),
    [
        (gettext_lazy("Décision"), "label", "text"),
        (gettext_lazy("Nombre"), "count", "num"),
    ],
    gettext_lazy("Aucune décision."),
)
late_table = _columns_table(
    "late",
    gettext_lazy("Décisions en retard"),
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
    gettext_lazy("Prochaines décisions d'étape (90 jours)"),
    [
        (gettext_lazy("Projet"), "project", "text"),
        (gettext_lazy("Phase"), "phase_label", "text"),
        (gettext_lazy("Fin prévue"), "planned_end", "date"),
        (gettext_lazy("Dans (jours)"), "days", "num"),
    ],
    gettext_lazy("Aucune décision d'étape dans les 90 jours."),
)


def _signed_percent(value) -> str:
    return "—" if value is None else ("+" if value > 0 else "") + fr_percent(value)


def indicators_table(data: list[dict]) -> Table:
    headers = [
        _("Indicateur"),
        _("Unité"),
        _("Projets"),
        _("Valeur"),
        _("Référence"),
        _("Cible"),
        _("Avancement vers la cible (%)"),
        _("Évolution depuis la référence (%)"),
    ]
    rows, display = [], []
    for r in data:
        rows.append(
            [
                r["name"],
                r["unit"],
                r["projects"],
                r["value"],
                r["baseline"],
                r["target"],
                r["progress"],
                r["change"],
            ]
        )
        fmt = {"kind": r["type"], "unit": r["unit"]}
        display.append(
            [
                (r["name"], False),
                (r["unit"] or "—", False),
                (fr_number(r["projects"]), True),
                (indicator_value(r["value"], **fmt), True),
                (indicator_value(r["baseline"], **fmt), True),
                (indicator_value(r["target"], **fmt), True),
                (fr_percent(r["progress"]), True),
                (_signed_percent(r["change"]), True),
            ]
        )
    return Table(
        "indicators",
        _("Indicateurs : valeur, référence et cible"),
        [str(h) for h in headers],
        rows,
        display,
        _("Aucun indicateur mesuré — ajoutez des indicateurs aux protocoles des projets."),
    )


maturity_table = _columns_table(
    "maturity",
    gettext_lazy("Maturité coopérative (moyenne de 1 à 4)"),
    [
        (gettext_lazy("Phase"), "phase_label", "text"),
        (gettext_lazy("Dimension"), "label", "text"),
        (gettext_lazy("Début de phase"), "start", "num"),
        (gettext_lazy("Fin de phase"), "end", "num"),
        (gettext_lazy("Évolution"), "delta", "delta"),
        (gettext_lazy("Projets"), "projects", "num"),
    ],
    gettext_lazy("Aucune auto-évaluation de maturité."),
    within="by_phase",
)
activity_table = _columns_table(
    "activity",
    gettext_lazy("Ateliers et personnes mobilisées par trimestre"),
    [
        (gettext_lazy("Trimestre"), "label", "text"),
        (gettext_lazy("Ateliers"), "workshops", "num"),
        (gettext_lazy("Participations"), "participants", "num"),
        (gettext_lazy("Personnes distinctes"), "people", "num"),
    ],
    gettext_lazy("Aucun atelier tenu."),
)
organisations_table = _columns_table(
    "organisations",
    gettext_lazy("Structures mobilisées par année"),
    [
        (gettext_lazy("Année"), "year", "text"),
        (gettext_lazy("Structures"), "organisations", "num"),
    ],
    gettext_lazy("Aucune structure dans les collectifs."),
)
partners_table = _columns_table(
    "partners",
    gettext_lazy("Partenaires des collectifs par famille"),
    [
        (gettext_lazy("Famille"), "label", "text"),
        (gettext_lazy("Structures"), "count", "num"),
    ],
    gettext_lazy("Aucune structure dans les collectifs."),
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
}
#: the key of each table in `selectors.programme_figures`
FIGURE_KEYS = {"organisations": "organisations_per_year"}


def table_for(key: str, *, user, filters: Filters) -> Table:
    selector, builder = TABLES[key]
    return builder(selector(user=user, filters=filters))


#: long lists shown in part on the page
PAGE_LIMITS = {"late": 20, "upcoming": 20}


def tables_from(figures: dict) -> dict[str, Table]:
    tables = {key: builder(figures[FIGURE_KEYS.get(key, key)]) for key, (_s, builder) in TABLES.items()}
    for key, limit in PAGE_LIMITS.items():
        tables[key].limit = limit
    return tables


NO_DATA = gettext_lazy("Aucune donnée")


def charts_from(figures: dict) -> dict[str, str]:
    """The SVG charts of the dashboard (the same functions render them in the PDF reports)."""
    empty = str(NO_DATA)
    steps = figures["funnel"]["steps"]
    phases = figures["phases"]
    maturity = figures["maturity"]["dimensions"]
    activity = figures["activity"]
    indicators = [r for r in figures["indicators"] if r["value"] is not None or r["target"] is not None]
    return {
        "funnel": charts.bar_chart(
            title=_("Du prospect au projet"),
            desc=_("Nombre de structures atteignant chaque étape, du repérage au projet accompagné."),
            bars=[charts.Bar(s["label"], s["value"], charts.PALETTE[0]) for s in steps],
            empty=empty,
        ),
        "phases": charts.bar_chart(
            title=_("Projets par phase"),
            desc=_("Nombre de projets dans chaque phase aujourd'hui."),
            bars=[charts.Bar(p["label"], p["count"], p["colour"]) for p in phases],
            empty=empty,
        ),
        "indicators": charts.progress_chart(
            title=_("Indicateurs : valeur, référence et cible"),
            desc=_(
                "Pour chaque indicateur, la valeur mesurée (barre), la référence (trait pointillé) et la cible (trait plein)."
            ),
            rows=[
                {
                    "label": r["name"],
                    "value": r["value"],
                    "baseline": r["baseline"],
                    "target": r["target"],
                    "text": _("%(value)s / cible %(target)s")
                    % {
                        "value": indicator_value(r["value"], kind=r["type"], unit=""),
                        "target": indicator_value(r["target"], kind=r["type"], unit=""),
                    },
                }
                for r in indicators
            ],
            labels={"value": _("valeur"), "baseline": _("référence"), "target": _("cible")},
            empty=empty,
        ),
        "maturity": charts.grouped_bar_chart(
            title=_("Maturité coopérative : début et fin de phase"),
            desc=_("Note moyenne (1 à 4) de chaque dimension au début et à la fin des phases évaluées."),
            categories=[d["label"] for d in maturity],
            series=[
                charts.Series(_("Début de phase"), [d["start"] for d in maturity], charts.PALETTE[2]),
                charts.Series(_("Fin de phase"), [d["end"] for d in maturity], charts.PALETTE[0]),
            ],
            max_value=4,
            empty=empty,
        ),
        "activity": charts.column_chart(
            title=_("Ateliers et personnes mobilisées"),
            desc=_("Par trimestre : nombre d'ateliers tenus et de personnes distinctes présentes."),
            labels=[a["label"] for a in activity],
            series=[
                charts.Series(_("Ateliers"), [a["workshops"] for a in activity], charts.PALETTE[1]),
                charts.Series(_("Personnes"), [a["people"] for a in activity], charts.PALETTE[0]),
            ],
            empty=empty,
        ),
    }
