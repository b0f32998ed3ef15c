"""The one definition of every programme figure, and the indicator arithmetic behind them.

- `FIGURES` names every figure the dashboard, the home panels, the PDF reports, the exports and the portal
  show, with its French label and its exact meaning (what is counted, as of which date, with which
  filters). Pages show the meaning next to the figure (`title=` and a footnote); no two figures share a
  label.
- The indicator arithmetic is pure functions on plain numbers: no database, easy to test by hand. An
  indicator is a **flow** (summed over periods: jobs created), a **stock** (the latest value: structures
  involved) or a **rate** (a mean, or Σ numerators / Σ denominators for percentages); a project
  indicator's target is **cumulative** (over the whole project) or **per period**. `indicator_figure`
  derives the value of a period, what is compared with the target, the progress and the change from the
  baseline — or says, in a sentence, why a figure would mean nothing.

Every function returns None when the figure cannot be computed (no value, zero denominator) rather than
inventing a zero: an empty period is "no data", not "0 %".
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, overload

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Number = Decimal | int | float
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


@overload
def to_decimal(value: Number) -> Decimal: ...
@overload
def to_decimal(value: None) -> None: ...
@overload
def to_decimal(value: Number | None) -> Decimal | None: ...
def to_decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@overload
def rounded(value: Decimal, places: Decimal = ...) -> Decimal: ...
@overload
def rounded(value: None, places: Decimal = ...) -> None: ...
@overload
def rounded(value: Decimal | None, places: Decimal = ...) -> Decimal | None: ...
def rounded(value: Decimal | None, places: Decimal = TWO_PLACES) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def percentage(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """numerator / denominator × 100, or None when either is missing or the denominator is zero."""
    num, den = to_decimal(numerator), to_decimal(denominator)
    if num is None or den is None or den == 0:
        return None
    return rounded(num / den * HUNDRED)


@dataclass(frozen=True)
class Point:
    """One validated measurement: the period it closes and its value (or numerator/denominator)."""

    period_end: date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def progress(value: Number | None, baseline: Number | None, target: Number | None) -> Decimal | None:
    """How far the value has gone from the baseline towards the target, in % (100 = target reached).

    Works for indicators meant to go down as well (target below the baseline). A missing baseline counts
    as 0; no target, no value or a target equal to the baseline give None.
    """
    val, base, tgt = to_decimal(value), to_decimal(baseline), to_decimal(target)
    if val is None or tgt is None:
        return None
    base = base if base is not None else Decimal(0)
    if tgt == base:
        return None
    return rounded((val - base) / (tgt - base) * HUNDRED, Decimal("0.1"))


def change_from_baseline(value: Number | None, baseline: Number | None) -> Decimal | None:
    """Relative change against the baseline in %, None when the baseline is missing or zero."""
    val, base = to_decimal(value), to_decimal(baseline)
    if val is None or base is None or base == 0:
        return None
    return rounded((val - base) / abs(base) * HUNDRED, Decimal("0.1"))


def target_for_period(
    *, period_end: date, intermediate: Iterable[tuple[date, Number]], final: Number | None
) -> Decimal | None:
    """The target that applies to a period: the earliest intermediate target due on or after the end of
    the period, otherwise the final target."""
    due = sorted((d, v) for d, v in intermediate if d >= period_end)
    if due:
        return to_decimal(due[0][1])
    return to_decimal(final)


# --- Indicator semantics ---------------------------------------------------------------------------------

FLOW, STOCK, RATE = "flow", "stock", "rate"
CUMULATIVE, PER_PERIOD = "cumulative", "per_period"
#: Types whose values are read as levels on a scale: across projects they are averaged, never added.
AVERAGED_TYPES = ("percentage", "scale", "boolean")


def nature_of(*, aggregation: str, kind: str) -> str:
    """Flow, stock or rate, from the indicator's aggregation ("sum", "latest", "average") and type: a
    percentage is always a rate (Σ numerators / Σ denominators, or the last period's ratio)."""
    if kind == "percentage" or aggregation == "average":
        return RATE
    return STOCK if aggregation == "latest" else FLOW


@dataclass(frozen=True)
class Totals:
    """Validated measurements of a span, added up (what the yearly roll-up stores)."""

    count: int = 0
    value_sum: Decimal = Decimal(0)
    value_count: int = 0
    numerator_sum: Decimal = Decimal(0)
    denominator_sum: Decimal = Decimal(0)

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(
            self.count + other.count,
            self.value_sum + other.value_sum,
            self.value_count + other.value_count,
            self.numerator_sum + other.numerator_sum,
            self.denominator_sum + other.denominator_sum,
        )

    @classmethod
    def of(cls, points: Iterable[Point]) -> "Totals":
        total = cls()
        for p in points:
            total += cls(
                1,
                to_decimal(p.value) if p.value is not None else Decimal(0),
                1 if p.value is not None else 0,
                to_decimal(p.numerator) if p.numerator is not None else Decimal(0),
                to_decimal(p.denominator) if p.denominator is not None else Decimal(0),
            )
        return total

    def value(self, *, nature: str, kind: str) -> Decimal | None:
        """Flows: the sum; rates: the mean, or Σ numerators / Σ denominators for percentages."""
        if not self.count:
            return None
        if kind == "percentage":
            return percentage(self.numerator_sum, self.denominator_sum)
        if nature == RATE:
            return rounded(self.value_sum / self.value_count) if self.value_count else None
        return self.value_sum if self.value_count else None


def point_value(point: Point | None, kind: str) -> Decimal | None:
    if point is None:
        return None
    if kind == "percentage":
        return percentage(point.numerator, point.denominator)
    return to_decimal(point.value)


@dataclass(frozen=True)
class History:
    """What the validated measurements of one project indicator (or of several, combined) say for a
    period: the totals within the period, the totals from the start up to the end of the period, and the
    last period measured up to that end (never a later one)."""

    period: Totals = field(default_factory=Totals)
    to_date: Totals = field(default_factory=Totals)
    latest: Point | None = None

    @classmethod
    def of(cls, points: Iterable[Point], *, start: date | None, end: date | None) -> "History":
        known = [p for p in points if end is None or p.period_end <= end]
        within = [p for p in known if start is None or p.period_end >= start]
        return cls(Totals.of(within), Totals.of(known), max(known, key=lambda p: p.period_end, default=None))


@dataclass(frozen=True)
class IndicatorFigure:
    """The figures of one indicator for a period (of a project, or of the programme once combined)."""

    value: Decimal | None  # the period's figure: flow Σ within the period, stock latest, rate over the period
    compared: Decimal | None  # what the target is compared with (cumulative flows: Σ since the start)
    compared_label: str  # what `compared` is, in words
    target: Decimal | None
    progress: Decimal | None
    progress_note: str  # how the progress reads, or why there is none
    change: Decimal | None
    change_note: str  # why there is no change from the baseline, when there is none


def indicator_figure(
    history: History,
    *,
    aggregation: str,
    kind: str,
    target_kind: str,
    baseline: Number | None,
    target: Number | None,
) -> IndicatorFigure:
    """Value, progress and change of one indicator, following its nature and its target's kind.

    - flow: the period's value is the sum of its periods; a cumulative target is compared with the sum
      since the start (progress = cumul / target: a cumul starts from zero, the baseline does not apply,
      nor a change from it); a per-period target with the last period measured, from the baseline;
    - stock: the last value measured by the end of the period, from the baseline towards the target;
    - rate: the mean (Σ numerators / Σ denominators for percentages) over the period; a cumulative
      target is compared with the rate since the start, a per-period target with the last period's.
    """
    nature = nature_of(aggregation=aggregation, kind=kind)
    last = point_value(history.latest, kind)
    if nature == STOCK or (kind == "percentage" and aggregation == "latest"):
        value, compared, compared_label = last, last, _("dernière valeur mesurée")
    elif target_kind == PER_PERIOD:
        value = history.period.value(nature=nature, kind=kind)
        compared, compared_label = last, _("valeur de la dernière période mesurée")
    else:
        value = history.period.value(nature=nature, kind=kind)
        compared = history.to_date.value(nature=nature, kind=kind)
        compared_label = _("cumul depuis le début") if nature == FLOW else _("depuis le début")
    tgt, base = to_decimal(target), to_decimal(baseline)
    cumulative_flow = nature == FLOW and target_kind == CUMULATIVE
    result, note = None, ""
    if compared is None:
        note = _("aucune mesure validée")
    elif tgt is None:
        note = _("pas de cible")
    elif cumulative_flow:
        result = progress(compared, 0, tgt)
        note = _("cumul rapporté à la cible cumulée") if result is not None else _("cible nulle")
    else:
        result = progress(compared, base, tgt)
        note = _("de la référence vers la cible") if result is not None else _("cible égale à la référence")
    change, change_note = None, ""
    if cumulative_flow:
        change_note = _("sans objet pour un cumul")
    elif compared is None:
        change_note = _("aucune mesure validée")
    elif base is None or base == 0:
        change_note = _("référence nulle ou absente")
    else:
        change = change_from_baseline(compared, base)
    return IndicatorFigure(
        value, compared, str(compared_label), tgt, result, str(note), change, str(change_note)
    )


@dataclass(frozen=True)
class Measured:
    """One project indicator, as a roll-up across projects reads it."""

    history: History
    baseline: Decimal | None
    target: Decimal | None
    target_kind: str


def combine(items: Sequence[Measured], *, aggregation: str, kind: str) -> tuple[Measured, str]:
    """Several projects' indicator as one, by the same rules as a single project's.

    Totals add up; the last values add up (flows, stocks of counts and amounts) or are averaged (scales,
    yes/no); percentages pool numerators and denominators; baselines and targets add up, or are
    averaged for percentages, scales, yes/no and rates. Targets of different kinds, or missing for
    some projects, give no combined target (the second value says why)."""
    nature = nature_of(aggregation=aggregation, kind=kind)
    averaged = kind in AVERAGED_TYPES or nature == RATE
    period, to_date = Totals(), Totals()
    lasts = [m.history.latest for m in items if m.history.latest is not None]
    for m in items:
        period += m.history.period
        to_date += m.history.to_date
    latest = None
    if lasts:
        values = [to_decimal(p.value) for p in lasts if p.value is not None]
        total = sum(values, Decimal(0)) if values else None
        if total is not None and averaged and kind != "percentage":
            total = rounded(total / len(values))
        latest = Point(
            max(p.period_end for p in lasts),
            total,
            sum((to_decimal(p.numerator) for p in lasts if p.numerator is not None), Decimal(0)),
            sum((to_decimal(p.denominator) for p in lasts if p.denominator is not None), Decimal(0)),
        )

    def pooled(values: list[Decimal | None]) -> Decimal | None:
        present = [v for v in values if v is not None]
        if not present:
            return None
        total = sum(present, Decimal(0))
        return rounded(total / len(present)) if averaged else total

    kinds = {m.target_kind for m in items if m.target is not None}
    missing = sum(1 for m in items if m.target is None)
    target, why = None, ""
    if len(kinds) > 1:
        why = _("cibles cumulées et par période mêlées")
    elif missing and kinds:
        why = ngettext("pas de cible pour %(n)s projet", "pas de cible pour %(n)s projets", missing) % {
            "n": missing
        }
    else:
        target = pooled([m.target for m in items])
    target_kind = kinds.pop() if len(kinds) == 1 else CUMULATIVE
    combined = Measured(
        History(period, to_date, latest), pooled([m.baseline for m in items]), target, target_kind
    )
    return combined, str(why)


# --- The registry ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A programme figure: its key, its label on every page, and what exactly it counts."""

    key: str
    label: "StrOrPromise"
    meaning: "StrOrPromise"


def _figures(*figures: Figure) -> dict[str, Figure]:
    return {f.key: f for f in figures}


#: Every programme figure, by name. The dashboard, the PDF reports, the exports and the portal read the
#: label and the meaning from here.
FIGURES: dict[str, Figure] = _figures(
    Figure(
        "funnel",
        gettext_lazy("Sourcing et sélection des prospects"),
        gettext_lazy(
            "Prospects identifiés dans la période (tous si aucune), puis, parmi eux, ceux qui ont atteint "
            "chaque étape à ce jour : un prospect compte dans chaque étape atteinte."
        ),
    ),
    Figure(
        "prospects_identified",
        gettext_lazy("Prospects identifiés"),
        gettext_lazy(
            "Prospects du programme identifiés dans la période (tous si aucune), filtrés par promotion, "
            "territoire et thématique."
        ),
    ),
    Figure(
        "prospects_contacted",
        gettext_lazy("Prospects contactés"),
        gettext_lazy("Parmi les prospects identifiés, ceux qui ont été contactés au moins une fois."),
    ),
    Figure(
        "interviews",
        gettext_lazy("Entretiens de pré-qualification"),
        gettext_lazy("Parmi les prospects identifiés, ceux qui ont eu un entretien de pré-qualification."),
    ),
    Figure(
        "prequalified",
        gettext_lazy("Pré-qualifiés"),
        gettext_lazy("Parmi les prospects identifiés, ceux qui ont atteint l’étape « pré-qualifié »."),
    ),
    Figure(
        "candidates",
        gettext_lazy("Candidats"),
        gettext_lazy("Parmi les prospects identifiés, ceux qui ont déposé une candidature."),
    ),
    Figure(
        "retained",
        gettext_lazy("Prospects retenus"),
        gettext_lazy(
            "Parmi les prospects identifiés, ceux que le comité de sélection a retenus. Un projet peut "
            "réunir plusieurs prospects retenus, et des projets existent sans prospect."
        ),
    ),
    Figure(
        "projects",
        gettext_lazy("Projets accompagnés"),
        gettext_lazy(
            "Projets du périmètre (promotion, territoire, thématique) commencés au plus tard à la fin de "
            "la période, quelle que soit leur phase, arrêtés et terminés compris."
        ),
    ),
    Figure(
        "projects_active",
        gettext_lazy("Projets en cours"),
        gettext_lazy("Projets accompagnés qui ne sont ni arrêtés ni terminés à la fin de la période."),
    ),
    Figure(
        "member_organisations",
        gettext_lazy("Structures membres des collectifs"),
        gettext_lazy(
            "Structures distinctes membres d’au moins un collectif à la fin de la période (adhésion "
            "commencée et pas encore terminée à cette date). Une structure de deux collectifs compte une fois."
        ),
    ),
    Figure(
        "workshops",
        gettext_lazy("Ateliers tenus"),
        gettext_lazy(
            "Ateliers des projets du périmètre qui ont eu lieu dans la période, jusqu’à aujourd’hui."
        ),
    ),
    Figure(
        "attendances",
        gettext_lazy("Présences en atelier"),
        gettext_lazy(
            "Présences cochées sur les feuilles d’émargement de ces ateliers : une personne venue à trois "
            "ateliers compte trois fois."
        ),
    ),
    Figure(
        "people",
        gettext_lazy("Personnes présentes en atelier"),
        gettext_lazy("Personnes distinctes présentes au moins une fois à l’un de ces ateliers."),
    ),
    Figure(
        "funding_raised",
        gettext_lazy("Fonds levés"),
        gettext_lazy(
            "Montants accordés par les conventions signées dans la période (date de signature), projets du "
            "périmètre : ce que les financeurs se sont engagés à verser. L’indicateur « Fonds levés » des "
            "protocoles reste suivi à part, dans le tableau des indicateurs."
        ),
    ),
    Figure(
        "funding_received",
        gettext_lazy("Versements reçus"),
        gettext_lazy(
            "Versements des financeurs reçus dans la période (date de réception) sur les conventions des "
            "projets du périmètre."
        ),
    ),
    Figure(
        "funding_remaining",
        gettext_lazy("Reste à percevoir"),
        gettext_lazy(
            "À la date du jour, quelle que soit la période : pour chaque projet du périmètre, l’acquis "
            "(montant de la convention signée, sinon montant accordé par la décision) moins les versements "
            "reçus, jamais négatif, additionné sur les projets."
        ),
    ),
    Figure(
        "cofunding_rate",
        gettext_lazy("Taux de cofinancement"),
        gettext_lazy(
            "À la date du jour : part du besoin des projets du périmètre (total des charges de leurs budgets "
            "prévisionnels, contributions en nature à part) couverte par l’acquis des financeurs, en %."
        ),
    ),
    Figure(
        "funding_by_kind",
        gettext_lazy("Financements par type de financeur"),
        gettext_lazy(
            "Par type de financeur : demandes en préparation ou déposées (montant demandé, à ce jour), "
            "conventions signées dans la période, versements reçus dans la période, et reste à percevoir à ce "
            "jour (acquis moins versements reçus, jamais négatif)."
        ),
    ),
    Figure(
        "cash_forecast",
        gettext_lazy("Prévision d’encaissements sur 12 mois"),
        gettext_lazy(
            "Pour chacun des 12 mois à partir du mois en cours : ce qui reste à recevoir des échéances de "
            "versement prévues ce mois-là, à partir d’aujourd’hui (les versements reçus soldent les échéances "
            "les plus anciennes d’abord). Ce qui est échu et non reçu est compté dans les échéances en retard."
        ),
    ),
    Figure(
        "overdue_instalments",
        gettext_lazy("Échéances de versement en retard"),
        gettext_lazy(
            "À la date du jour : échéances de versement dont la date est passée et qui ne sont pas "
            "entièrement reçues (les versements soldent les échéances les plus anciennes d’abord), avec le "
            "montant restant dû."
        ),
    ),
    Figure(
        "late_justifications",
        gettext_lazy("Justificatifs en retard"),
        gettext_lazy(
            "À la date du jour : comptes-rendus financiers, rapports d’activité et autres justificatifs "
            "demandés par les conventions, encore à produire et dont la date de remise est passée."
        ),
    ),
    Figure(
        "gate_decisions",
        gettext_lazy("Décisions d’étape prises"),
        gettext_lazy("Décisions d’étape (poursuite, arrêt, prolongation) datées dans la période."),
    ),
    Figure(
        "late_decisions",
        gettext_lazy("Décisions d’étape en retard"),
        gettext_lazy(
            "Phases en cours dont la fin prévue est passée aujourd’hui sans décision d’étape (toujours à "
            "la date du jour, quelle que soit la période)."
        ),
    ),
    Figure(
        "upcoming_gates",
        gettext_lazy("Prochaines décisions d’étape"),
        gettext_lazy("Phases en cours dont la fin prévue tombe dans les 90 prochains jours."),
    ),
    Figure(
        "phases",
        gettext_lazy("Projets par phase"),
        gettext_lazy(
            "Phase de chaque projet accompagné à la fin de la période (d’après les décisions d’étape), "
            "aujourd’hui si aucune période."
        ),
    ),
    Figure(
        "indicators",
        gettext_lazy("Indicateurs des projets"),
        gettext_lazy(
            "Mesures validées des indicateurs des protocoles d’évaluation, dont la période se termine dans "
            "la période choisie. Flux : additionnés ; stocks : dernière valeur à la fin de la période ; "
            "taux : moyenne (rapport des sommes pour les pourcentages). Entre projets, les valeurs, "
            "références et cibles s’additionnent (moyennes pour les taux, échelles et oui/non)."
        ),
    ),
    Figure(
        "maturity",
        gettext_lazy("Maturité coopérative"),
        gettext_lazy(
            "Note moyenne (1 à 4) des auto-évaluations faites dans la période, par phase et par dimension, "
            "au début et à la fin de la phase ; l’évolution ne compte que les projets évalués aux deux moments."
        ),
    ),
    Figure(
        "activity",
        gettext_lazy("Ateliers par trimestre"),
        gettext_lazy(
            "Par trimestre : ateliers tenus, présences et personnes distinctes présentes (une personne venue "
            "à plusieurs trimestres compte dans chacun)."
        ),
    ),
    Figure(
        "organisations_per_year",
        gettext_lazy("Structures membres par année"),
        gettext_lazy("Structures distinctes membres d’un collectif à un moment de l’année."),
    ),
    Figure(
        "partners",
        gettext_lazy("Structures membres par famille"),
        gettext_lazy(
            "Structures membres des collectifs à la fin de la période, par famille (ESS, entreprise, "
            "acteur public)."
        ),
    ),
    Figure(
        "lessons",
        gettext_lazy("Enseignements capitalisés"),
        gettext_lazy("Enseignements enregistrés dans la période, regroupés par thématique."),
    ),
    Figure(
        "events",
        gettext_lazy("Événements tenus"),
        gettext_lazy(
            "Événements du programme (journées, rencontres, formations, webinaires…) tenus dans la période, "
            "jusqu’à aujourd’hui, où au moins une personne a été notée présente ; filtrés par promotion, "
            "territoire et thématique de l’événement."
        ),
    ),
    Figure(
        "event_participants",
        gettext_lazy("Participants aux événements"),
        gettext_lazy(
            "Personnes distinctes notées présentes à au moins un de ces événements. Une personne venue à "
            "deux événements compte une fois."
        ),
    ),
    Figure(
        "event_structures",
        gettext_lazy("Structures mobilisées"),
        gettext_lazy(
            "Structures distinctes des personnes présentes à ces événements (la structure du contact, ou à "
            "défaut celle déclarée à l’inscription)."
        ),
    ),
    Figure(
        "event_satisfaction",
        gettext_lazy("Taux de satisfaction"),
        gettext_lazy(
            "Part des réponses au questionnaire de satisfaction de ces événements dont la note d’ensemble "
            "est 4 ou 5 sur 5. Aucun taux sans réponse."
        ),
    ),
    Figure(
        "training_hours",
        gettext_lazy("Heures de formation suivies"),
        gettext_lazy(
            "Somme, pour chaque participant des sessions de formation de la période, de la durée des "
            "séquences où il a été noté présent."
        ),
    ),
)


def figure(key: str) -> Figure:
    return FIGURES[key]


def mean(values: Iterable[Number | None]) -> Decimal | None:
    present = [to_decimal(v) for v in values if v is not None]
    if not present:
        return None
    return rounded(sum(present, Decimal(0)) / len(present))
