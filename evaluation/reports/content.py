"""What the PDF reports say: every figure is read from the database here, then laid out by the templates
in templates/reports/.

The programme-wide figures come from the dashboard's selectors (`evaluation.selectors`) and its SVG
charts (`evaluation.charts`), so the PDF and the dashboard agree; the period-bound lists (workshops, gate
decisions, lessons of the period) and the per-project pages are read here. A section whose data cannot
be read says so (`Section.missing`) — it never shows invented figures.

A funder report has two editions. The team's (the default) reads every record of the project, as the team
does. Once shared with the project's collective it is rendered again with the collective's eyes: every
project record in it is read through `evaluation.portal.selectors.collective_scoped` — the same
`programme.access` rules as the portal pages, for every organisation of the collective. That edition holds
no milestone (the team's planning), no deliverable of the team, no indicator the team reports, no lesson
(team-only), only the workshops and committees shared with the collective, and no internal note; the
team's edition is never what a partner downloads (see `report_share`).
Its financial section is the project's own money (the figures of its Financement tab): the team's edition
always holds it, the collective's only while the project's money is shared with the collective (the tab's
own switch).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluation import charts, selectors
from evaluation.figures import (
    FIGURES,
    STOCK,
    History,
    indicator_figure,
    nature_of,
    percentage,
    target_for_period,
)
from evaluation.models import (
    WRITTEN_SECTIONS,
    EvaluationQuestion,
    Lesson,
    Measurement,
    MeasurementStatus,
    ProjectIndicator,
    Report,
    ReportStage,
)
from evaluation.portal import selectors as portal_selectors
from evaluation.selectors import Filters
from programme import access
from programme.formatting import fr_amount, fr_date, fr_number, fr_percent, indicator_value
from programme.models import Cohort, Territory, User
from projects.funding.models import ZERO, FundingSettings, LineSide
from projects.funding.selectors import budget_variance, project_funding
from projects.models import (
    Attendance,
    Committee,
    CommitteeDecision,
    Deliverable,
    GateDecision,
    Membership,
    Milestone,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)

Progress = Callable[[int], None]

__all__ = ["report_context"]


def _svg(markup: str) -> SafeString:
    return mark_safe(markup)  # noqa: S308 — evaluation.charts escapes every label and value it writes


@dataclass
class Section:
    id: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    #: What is missing to fill the section (shown in the PDF, never replaced by figures).
    missing: list[str] = field(default_factory=list)


# --- Scope ---------------------------------------------------------------------------------------------


@dataclass
class Scope:
    programme: Any
    start: date
    end: date
    cohort: Any = None
    territory: Any = None
    user: Any = None

    def projects(self):
        """The projects of the report: the dashboard's for the same filters (started by the end of the
        period), read with the eyes of the programme team (see team_user_for)."""
        if self.user is not None:
            qs = selectors.scoped_projects(user=self.user, filters=self.filters())
        else:
            qs = Project.objects.filter(programme=self.programme, pk__in=[])
        return qs.select_related("lead_organisation", "cohort", "territory").order_by("title")

    def filters(self) -> Filters:
        return Filters(
            programme_id=self.programme.pk,
            cohort_id=getattr(self.cohort, "pk", None),
            territory_id=getattr(self.territory, "pk", None),
            start=self.start,
            end=self.end,
            today=timezone.localdate(),
        )


def team_user_for(report):
    """Whose eyes the report is read with: the requester, or (scheduled reports) an active director."""
    if report.requested_by_id and access.is_team(report.requested_by):
        return report.requested_by
    return User.objects.filter(role="director", is_active=True).order_by("pk").first()


def scope_for(report) -> Scope:
    params = report.parameters or {}
    today = timezone.localdate()
    return Scope(
        programme=report.programme,
        start=date.fromisoformat(params["period_start"])
        if params.get("period_start")
        else date(today.year, 1, 1),
        end=date.fromisoformat(params["period_end"]) if params.get("period_end") else today,
        cohort=Cohort.objects.filter(pk=params["cohort"]).first() if params.get("cohort") else None,
        territory=Territory.objects.filter(pk=params["territory"]).first()
        if params.get("territory")
        else None,
        user=team_user_for(report),
    )


# --- Shared readers (one query each, whatever the number of projects) ----------------------------------


def _memberships(project_ids, at: date | None = None, *, readable=None) -> dict[int, list[dict]]:
    """Each project's collective; `active` says whether the membership was in force on `at` (today by
    default). `readable` narrows the rows (a queryset of memberships someone may read)."""
    rows = defaultdict(list)
    today = at or timezone.localdate()
    qs = (
        (Membership.objects.all() if readable is None else readable)
        .filter(project_id__in=project_ids)
        .select_related("organisation", "person")
        .order_by("project_id", "role", "organisation__name")
    )
    for m in qs:
        rows[m.project_id].append(
            {
                "organisation": m.organisation.name,
                "organisation_id": m.organisation_id,
                "kind": m.organisation.get_kind_display(),
                "role": m.get_role_display(),
                "person": str(m.person) if m.person is not None and not m.person.anonymised_at else "",
                "person_id": m.person_id,
                "joined_on": fr_date(m.joined_on),
                "left_on": fr_date(m.left_on) if m.left_on else "",
                "active": (m.joined_on is None or m.joined_on <= today)
                and (m.left_on is None or m.left_on > today),
            }
        )
    return rows


def _gate_decisions(
    project_ids, start: date | None = None, end: date | None = None, *, readable=None
) -> dict[int, list[dict]]:
    qs = (GateDecision.objects.all() if readable is None else readable).filter(project_id__in=project_ids)
    if start:
        qs = qs.filter(decided_on__gte=start)
    if end:
        qs = qs.filter(decided_on__lte=end)
    rows = defaultdict(list)
    for d in qs.select_related("decided_by", "project").order_by("decided_on", "pk"):
        rows[d.project_id].append(
            {
                "project": d.project.title,
                "from_phase": d.get_from_phase_display(),
                "to_phase": d.get_to_phase_display(),
                "outcome": d.get_outcome_display(),
                "outcome_code": d.outcome,
                "decided_on": fr_date(d.decided_on),
                "decided_by": str(d.decided_by),
                "committee": d.committee,
                "rationale": d.rationale,
                "conditions": d.conditions,
            }
        )
    return rows


def _workshops(project_ids, start=None, end=None, *, readable=None) -> dict[int, list[dict]]:
    """Workshops held (start in the past), with attendance counted from the presence sheet; `readable`
    narrows them (a queryset of workshops someone may read)."""
    qs = (Workshop.objects.all() if readable is None else readable).filter(
        project_id__in=project_ids, starts_at__lte=timezone.now()
    )
    if start and end:
        qs = qs.filter(starts_at__date__range=(start, end))
    workshops = list(qs.select_related("project").order_by("starts_at", "pk"))
    present: dict[int, list[int]] = defaultdict(list)
    for workshop_id, person_id in Attendance.objects.filter(
        workshop__in=[w.pk for w in workshops], present=True
    ).values_list("workshop_id", "person_id"):
        present[workshop_id].append(person_id)
    rows = defaultdict(list)
    for w in workshops:
        rows[w.project_id].append(
            {
                "project": w.project.title,
                "title": w.title,
                "step": w.get_step_display(),
                "date": fr_date(w.starts_at),
                "place": w.place,
                "present": len(present[w.pk]),
                "people": present[w.pk],
            }
        )
    return rows


TARGET_KINDS = {"cumulative": _("cible cumulée"), "per_period": _("cible par période")}


def progress_text(value, note: str) -> str:
    """A progress in %, or "—" with the reason it would mean nothing."""
    if value is not None:
        return fr_percent(value)
    return f"— ({note})" if note else "—"


def _indicators(
    project_ids,
    *,
    start: date | None,
    end: date,
    with_protocol: bool = False,
    with_charts: bool = False,
    readable=None,
) -> dict[int, list[dict]]:
    """Each project indicator for the period: the period's value, what is compared with the target
    (the cumul up to the end of the period for a flow with a cumulative target, the last period for a
    per-period target, the last value for a stock), the target due at the end, progress — by the
    rules of `evaluation.figures.indicator_figure`, from the same histories as the dashboard.

    Only the funder report lists and charts every measurement (one more query, tuples)."""
    pis = list(
        (ProjectIndicator.objects.all() if readable is None else readable)
        .filter(project_id__in=project_ids)
        .select_related("indicator", "project", "criterion__question")
        .prefetch_related("targets")
        .order_by("project__title", "indicator__name")
    )
    known = selectors.histories(pi_ids=[pi.pk for pi in pis], start=start, end=end)
    validated: dict[int, list[tuple]] = defaultdict(list)
    if with_charts:
        for pi_id, period_end, value, numerator, denominator in (
            Measurement.objects.filter(
                project_indicator__in=[pi.pk for pi in pis],
                status=MeasurementStatus.VALIDATED,
                period_end__lte=end,
            )
            .order_by("project_indicator_id", "period_end", "pk")
            .values_list("project_indicator_id", "period_end", "value", "numerator", "denominator")
        ):
            validated[pi_id].append((period_end, value, numerator, denominator))
    rows = defaultdict(list)
    for pi in pis:
        indicator = pi.indicator
        kind, unit, one = indicator.type, indicator.unit, indicator.unit_singular

        def show(value, kind=kind, unit=unit, one=one):
            return indicator_value(value, kind=kind, unit=unit, unit_one=one)

        history = known.get(pi.pk, History())
        target = target_for_period(
            period_end=end,
            intermediate=[(t.period_end, t.value) for t in pi.targets.all()],
            final=pi.target_value,
        )
        figure = indicator_figure(
            history,
            aggregation=indicator.aggregation,
            kind=kind,
            target_kind=pi.target_kind,
            baseline=pi.baseline_value,
            target=target,
        )
        nature = nature_of(aggregation=indicator.aggregation, kind=kind)
        latest = history.latest
        measures = [
            (when, _measure_value(value, numerator, denominator, kind))
            for when, value, numerator, denominator in validated.get(pi.pk, [])
        ]
        row = {
            "project": pi.project.title,
            "name": indicator.name,
            "nature": str(selectors.NATURE_LABELS[nature]),
            "baseline": show(pi.baseline_value),
            "baseline_date": fr_date(pi.baseline_date) if pi.baseline_date else "",
            "value": show(figure.value),
            "compared": show(figure.compared),
            "compared_label": figure.compared_label,
            "target": show(target),
            "target_kind": _("niveau à atteindre") if nature == STOCK else TARGET_KINDS[pi.target_kind],
            "target_date": fr_date(pi.target_date) if pi.target_date else "",
            "progress": progress_text(figure.progress, figure.progress_note),
            "latest": show(_measure_value(latest.value, latest.numerator, latest.denominator, kind))
            if latest and indicator.is_numeric
            else "—",
            "latest_date": fr_date(latest.period_end) if latest else "",
            "measures": [(fr_date(when), show(value)) for when, value in measures],
            "chart": "",
        }
        if with_charts and len(measures) >= 2 and kind != "text":
            row["chart"] = _svg(
                charts.column_chart(
                    title=indicator.name,
                    desc=_("Mesures validées par période, cible : %(target)s") % {"target": row["target"]},
                    labels=[fr_date(when) for when, _v in measures[-8:]],
                    series=[
                        charts.Series(
                            name=_("Mesure validée"),
                            values=[value for _w, value in measures[-8:]],
                            texts=[show(value) for _w, value in measures[-8:]],
                        )
                    ],
                    height=180,
                )
            )
        if with_protocol:
            row["verification"] = indicator.verification
            row["definition"] = indicator.description
            row["reporter"] = pi.get_reporter_display()
            if pi.criterion is not None:
                row["protocol"] = [{"question": pi.criterion.question.text, "criterion": pi.criterion.text}]
        rows[pi.project_id].append(row)
    return rows


def _measure_value(value, numerator, denominator, kind: str):
    if kind == "percentage":
        return percentage(numerator, denominator)
    return value


def _lessons(*, programme, project_ids=None, start=None, end=None, readable=None) -> list[dict]:
    qs = (Lesson.objects.all() if readable is None else readable).filter(programme=programme)
    if project_ids is not None:
        qs = qs.filter(projects__in=project_ids).distinct()
    if start and end:
        qs = qs.filter(created_at__date__range=(start, end))
    result = []
    for lesson in qs.prefetch_related("themes", "projects").order_by("-created_at", "-pk"):
        result.append(
            {
                "title": lesson.title,
                "text": lesson.body,
                "kind": lesson.get_kind_display(),
                "phase": lesson.get_phase_display() if lesson.phase else "",
                "themes": [t.name for t in lesson.themes.all()],
                "projects": ", ".join(p.title for p in lesson.projects.all()),
                "date": fr_date(lesson.created_at),
            }
        )
    return result


def _lessons_outside(*, programme, project_ids=None, start: date, end: date) -> int:
    """How many lessons were recorded outside the period (said when the period has none)."""
    qs = Lesson.objects.filter(programme=programme)
    if project_ids is not None:
        qs = qs.filter(projects__in=project_ids).distinct()
    return qs.exclude(created_at__date__range=(start, end)).count()


# --- Programme activity report --------------------------------------------------------------------------


def _figures(keys: Iterable[str], values: dict[str, str]) -> list[tuple[str, str, int]]:
    """(label, value, footnote number) of registry figures, and their footnotes (figures.FIGURES)."""
    return [(str(FIGURES[key].label), values[key], n) for n, key in enumerate(keys, start=1)]


def _footnotes(keys: Iterable[str]) -> list[tuple[int, str, str]]:
    return [(n, str(FIGURES[k].label), str(FIGURES[k].meaning)) for n, k in enumerate(keys, start=1)]


#: The figures of the "key figures" page, in order: the dashboard's headline.
KEY_FIGURES = (
    "projects",
    "projects_active",
    "member_organisations",
    "workshops",
    "attendances",
    "people",
    "gate_decisions",
    "funding_raised",
    "prospects_identified",
    "interviews",
    "retained",
)


#: The key figures that are amounts in euros.
AMOUNTS = ("funding_raised",)


def activity_sections(report, progress: Progress) -> dict:
    scope = scope_for(report)
    filters = scope.filters()
    projects = list(scope.projects())
    ids = [p.pk for p in projects]
    progress(10)
    sections: list[Section] = []
    figures: dict[str, Any] = {}
    if scope.user is not None:
        figures = selectors.programme_figures(user=scope.user, filters=filters)
    progress(20)

    memberships = _memberships(ids, at=scope.end)
    gates_in_period = _gate_decisions(ids, scope.start, scope.end)
    all_gates = _gate_decisions(ids, None, scope.end)
    workshops = _workshops(ids, scope.start, scope.end)
    indicator_rows = _indicators(ids, start=scope.start, end=scope.end)
    progress(30)

    key = Section("chiffres-cles", _("Chiffres clés"))
    if figures:
        headline = figures["headline"]
        values = {k: (fr_amount if k in AMOUNTS else fr_number)(headline[k]) for k in KEY_FIGURES}
        key.data["figures"] = _figures(KEY_FIGURES, values)
        key.data["footnotes"] = _footnotes(KEY_FIGURES)
    else:
        key.missing.append(_("aucun membre de l’équipe actif pour lire les chiffres"))
    sections.append(key)

    funnel = Section("entonnoir", str(FIGURES["funnel"].label))
    if figures and figures["funnel"]["available"]:
        steps = figures["funnel"]["steps"]
        funnel.data["rows"] = [(s["label"], fr_number(s["value"])) for s in steps]
        funnel.data["meaning"] = str(FIGURES["funnel"].meaning)
        funnel.data["chart"] = _svg(
            charts.bar_chart(
                title=str(FIGURES["funnel"].label),
                desc=str(FIGURES["funnel"].meaning),
                bars=[charts.Bar(label=s["label"], value=s["value"]) for s in steps],
            )
        )
    else:
        funnel.missing.append(_("chiffres de l’entonnoir (prospects.selectors.funnel_figures)"))
    sections.append(funnel)
    progress(35)

    phases = Section("phases", _("Projets par phase et décisions d’étape"))
    by_phase = [p for p in figures.get("phases", []) if p["count"]]
    phases.data["by_phase"] = [
        {"code": p["phase"], "label": p["label"], "count": fr_number(p["count"])} for p in by_phase
    ]
    phases.data["chart"] = _svg(
        charts.bar_chart(
            title=str(FIGURES["phases"].label),
            desc=str(FIGURES["phases"].meaning),
            bars=[charts.Bar(label=p["label"], value=p["count"], colour=p["colour"]) for p in by_phase],
        )
    )
    phases.data["outcomes"] = [
        (g["label"], fr_number(g["count"])) for g in figures.get("gates", []) if g["count"]
    ]
    phases.data["decisions"] = [d for rows in gates_in_period.values() for d in rows]
    phases.data["footnotes"] = _footnotes(("phases", "gate_decisions"))
    sections.append(phases)

    mobilised = Section("ateliers", _("Ateliers et personnes présentes"))
    workshop_items = [w for rows in workshops.values() for w in rows]
    by_step = Counter(w["step"] for w in workshop_items)
    headline = figures.get("headline", {})
    mobilised.data.update(
        held=bool(workshop_items),
        figures=_figures(
            ("workshops", "attendances", "people"),
            {k: fr_number(headline.get(k)) for k in ("workshops", "attendances", "people")},
        ),
        footnotes=_footnotes(("workshops", "attendances", "people")),
        by_step=[(label, fr_number(n)) for label, n in by_step.most_common()],
        items=workshop_items,
        chart=_svg(
            charts.bar_chart(
                title=_("Ateliers par étape"),
                desc=_("Ateliers tenus sur la période, par étape de conception"),
                bars=[charts.Bar(label=label, value=n) for label, n in by_step.most_common()],
            )
        )
        if by_step
        else "",
    )
    sections.append(mobilised)
    sections.append(_events_section(figures))
    progress(40)

    indicators = Section("indicateurs", _("Indicateurs : situation initiale, cible et valeur"))
    programme_rows = figures.get("indicators", [])
    if not figures:
        indicators.missing.append(_("aucun membre de l’équipe actif pour lire les indicateurs"))
    indicators.data["meaning"] = str(FIGURES["indicators"].meaning)
    indicators.data["programme"] = [
        {
            "name": row["name"],
            "nature": row["nature_label"],
            "projects": fr_number(row["projects"]),
            "reporting": fr_number(row["reporting"]),
            "baseline": _show(row, row["baseline"]),
            "target": _show(row, row["target"]),
            "value": _show(row, row["value"]),
            "compared": _show(row, row["compared"]),
            "compared_label": row["compared_label"],
            "progress": progress_text(row["progress"], row["progress_note"]),
        }
        for row in programme_rows
    ]
    indicators.data["chart"] = (
        _svg(
            charts.progress_chart(
                title=str(FIGURES["indicators"].label),
                desc=_("Valeur comparée à la cible, situation initiale et cible de chaque indicateur"),
                rows=[
                    {
                        "label": row["name"],
                        "value": row["compared"],
                        "baseline": row["baseline"],
                        "target": row["target"],
                        "text": _show(row, row["compared"]),
                    }
                    for row in programme_rows
                ],
                labels={"baseline": _("référence"), "target": _("cible")},
            )
        )
        if programme_rows
        else ""
    )
    sections.append(indicators)
    progress(45)

    maturity = Section("maturite", _("Évolution de la maturité coopérative"))
    by_phase_rows = figures.get("maturity", {}).get("by_phase", [])
    maturity.data["rows"] = [
        _maturity_row(r) | {"paired": fr_number(r["paired"]), "projects": fr_number(r["projects"])}
        for r in by_phase_rows
    ]
    maturity.data["charts"] = [_svg(svg) for _phase, svg in selectors.maturity_charts(by_phase_rows)]
    maturity.data["meaning"] = str(FIGURES["maturity"].meaning)
    sections.append(maturity)

    lessons = Section("enseignements", _("Enseignements par thème"))
    by_theme: dict[str, list] = defaultdict(list)
    # Programme-wide lessons count too, unless the report is narrowed to a cohort or a territory.
    narrowed = scope.cohort is not None or scope.territory is not None
    lesson_ids = ids if narrowed else None
    for lesson in _lessons(
        programme=scope.programme, project_ids=lesson_ids, start=scope.start, end=scope.end
    ):
        for theme in lesson["themes"] or [_("Sans thématique")]:
            by_theme[theme].append(lesson)
    lessons.data["themes"] = sorted(by_theme.items())
    lessons.data["meaning"] = str(FIGURES["lessons"].meaning)
    if not by_theme:
        elsewhere = _lessons_outside(
            programme=scope.programme, project_ids=lesson_ids, start=scope.start, end=scope.end
        )
        lessons.data["elsewhere"] = elsewhere
    sections.append(lessons)
    progress(50)

    # Each project's phase at the end of the period, as the phases section counts it.
    phase_then = selectors.project_phases(user=scope.user, filters=filters) if scope.user is not None else {}
    appendix = [
        {
            "id": f"projet-{p.pk}",
            "title": p.title,
            "phase": str(Phase(phase_then.get(p.pk, p.phase)).label),
            "phase_code": phase_then.get(p.pk, p.phase),
            "cohort": str(p.cohort) if p.cohort_id else "—",
            "territory": str(p.territory) if p.territory_id else "",
            "lead": p.lead_organisation.name,
            "start": fr_date(p.start_date) if p.start_date else "",
            "problem": p.problem,
            "members": [m for m in memberships.get(p.pk, []) if m["active"]],
            "gates": all_gates.get(p.pk, []),
            "workshops": len(workshops.get(p.pk, [])),
            "indicators": indicator_rows.get(p.pk, []),
        }
        for p in projects
    ]
    progress(55)
    return {
        "scope": scope,
        "period": f"{fr_date(scope.start)} – {fr_date(scope.end)}",
        "period_text": selectors.period_text(filters),
        "sections": sections,
        "projects": appendix,
        "project_count": len(projects),
        "missing": [m for s in sections for m in s.missing],
    }


#: The figures of the events section, in order (evaluation.selectors.event_figures).
EVENT_FIGURES = (
    ("events", "events"),
    ("event_participants", "participants"),
    ("event_structures", "structures"),
    ("event_satisfaction", "satisfaction_rate"),
    ("training_hours", "training_hours"),
)


def _events_section(figures: dict[str, Any]) -> Section:
    """« Événements et formations »: the programme's events of the report's period and scope (programme,
    promotion, territory), read only from `event_figures` — the dashboard's table for the same filters."""
    section = Section("evenements", _("Événements et formations"))  # its first figure: « Événements tenus »
    events = figures.get("events")
    if not events:
        section.missing.append(_("aucun membre de l’équipe actif pour lire les chiffres des événements"))
        return section
    keys = [key for key, _name in EVENT_FIGURES]
    values = {
        key: fr_percent(events[name]) if key == "event_satisfaction" else fr_number(events[name])
        for key, name in EVENT_FIGURES
    }
    section.data.update(
        held=bool(events["events"]),
        figures=_figures(keys, values),
        footnotes=_footnotes(keys),
        by_kind=[(row["label"], fr_number(row["count"])) for row in events["by_kind"]],
        answers=events["answers"],
    )
    return section


def _maturity_row(r: dict) -> dict:
    """A maturity row (of `maturity_evolution` or `project_maturity`) as the PDF writes it."""
    return {
        "phase": r["phase_label"],
        "label": r["label"],
        "start": fr_number(r["start"]),
        "end": fr_number(r["end"]),
        "delta": (("+" if r["delta"] > 0 else "") + fr_number(r["delta"])) if r["delta"] is not None else "—",
    }


def _show(row: dict, value) -> str:
    return indicator_value(value, kind=row["type"], unit=row["unit"], unit_one=row["unit_one"])


# --- Funder report ---------------------------------------------------------------------------------------


def funder_sections(report, progress: Progress) -> dict:
    """The funder report: the team's edition, or — once shared — the collective's, which shows nothing the
    portal hides (see the module's docstring)."""
    project = (
        Project.objects.select_related("lead_organisation", "cohort", "territory")
        .prefetch_related("themes", "staff_leads")
        .get(pk=report.project_id)
    )

    def shared[M: Model](model: type[M], *, portal: bool = False, always: bool = False) -> QuerySet[M]:
        """What the edition may show of `model`; `always` for records the team shares one by one with the
        collective (workshops, committees), which a funder report shows only once shared, in both editions."""
        if report.shared_with_partners or always:
            return portal_selectors.collective_scoped(project, model, portal=portal)
        return model._default_manager.all()  # the team's edition: the queries below filter by project

    ids = [project.pk]
    sections: list[Section] = []
    today = timezone.localdate()
    progress(10)

    summary = Section("synthese", _("Synthèse du projet"))
    summary.data["rows"] = [
        (_("Structure porteuse"), project.lead_organisation.name),
        (_("Phase actuelle"), project.get_phase_display()),
        (_("Promotion"), str(project.cohort) if project.cohort_id else "—"),
        (_("Début de l’accompagnement"), fr_date(project.start_date)),
        (_("Territoire"), str(project.territory) if project.territory_id else "—"),
        (_("Thématiques"), ", ".join(t.name for t in project.themes.all()) or "—"),
        (
            _("Chargé·es de projet"),
            ", ".join(str(u) for u in project.staff_leads.all() if u.is_active) or "—",
        ),
    ]
    summary.data["problem"] = project.problem
    sections.append(summary)

    collective = Section("collectif", _("Le collectif"))
    collective.data["members"] = _memberships(ids, readable=shared(Membership)).get(project.pk, [])
    sections.append(collective)
    progress(20)

    history = Section("parcours", _("Historique des phases et décisions d’étape"))
    history.data["periods"] = [
        {
            "phase": pp.get_phase_display(),
            "phase_code": pp.phase,
            "planned": f"{fr_date(pp.planned_start)} – {fr_date(pp.planned_end)}",
            "actual": f"{fr_date(pp.actual_start)} – {fr_date(pp.actual_end)}" if pp.actual_start else "—",
        }
        for pp in shared(PhasePeriod).filter(project=project).order_by("planned_start", "pk")
    ]
    history.data["decisions"] = _gate_decisions(ids, readable=shared(GateDecision)).get(project.pk, [])
    sections.append(history)
    progress(30)

    meetings = Section("ateliers-comites", _("Ateliers et comités"))
    meetings.data["workshops"] = _workshops(ids, readable=shared(Workshop, always=True)).get(project.pk, [])
    meetings.data["committees"] = [
        {
            "kind": c.get_kind_display(),
            "date": fr_date(c.date),
            "place": c.place,
            "decisions": [d.text for d in c.decisions.all()],
        }
        for c in shared(Committee, always=True)
        .filter(project=project)
        .prefetch_related(
            Prefetch("decisions", queryset=shared(CommitteeDecision, portal=True, always=True).order_by("pk"))
        )
        .order_by("date", "pk")
    ]
    sections.append(meetings)
    progress(40)

    # Milestones are the team's planning: the portal shows none, neither does the collective's edition.
    # Its deliverables are those every member organisation handles in the portal (all of the lead's when it
    # is the only member; none assigned to one organisation when several may read the report).
    team_edition = not report.shared_with_partners
    deliverables = Section("livrables", _("Jalons et livrables") if team_edition else _("Livrables"))
    if team_edition:
        deliverables.data["milestones"] = [
            {"title": m.title, "due": fr_date(m.due_date), "status": m.get_status_display()}
            for m in Milestone.objects.filter(project=project).order_by("due_date", "pk")
        ]
    deliverables.data["deliverables"] = [
        {
            "title": d.title,
            "due": fr_date(d.due_date),
            "status": d.get_status_display(),
            "owner": str(d.owner_organisation or ""),
        }
        for d in shared(Deliverable, portal=True)
        .filter(project=project)
        .select_related("owner_organisation")
        .order_by("due_date", "pk")
    ]
    sections.append(deliverables)
    progress(45)

    # The indicators the collective reports (for every member: the portal's), with their validated
    # measurements.
    indicators = Section("indicateurs", _("Indicateurs et protocole d’évaluation"))
    indicators.data["items"] = _indicators(
        ids,
        start=None,
        end=today,
        with_protocol=True,
        with_charts=True,
        readable=shared(ProjectIndicator, portal=True),
    ).get(project.pk, [])
    indicators.data["questions"] = [
        {"text": q.text, "criteria": [c.text for c in q.criteria.all()]}
        for q in shared(EvaluationQuestion).filter(project=project).prefetch_related("criteria")
    ]
    sections.append(indicators)

    maturity = Section("maturite", _("Maturité coopérative"))
    readers = portal_selectors.collective_readers(project)
    rows = selectors.project_maturity(user=readers[0], project_id=project.pk, until=today) if readers else []
    maturity.data["rows"] = [_maturity_row(r) for r in rows]
    sections.append(maturity)

    # Lessons are the team's (TeamOnly): shown only once some are readable by the collective.
    lesson_items = _lessons(programme=report.programme, project_ids=ids, readable=shared(Lesson))
    if lesson_items:
        lessons = Section("enseignements", _("Enseignements"))
        lessons.data["items"] = lesson_items
        sections.append(lessons)
    if edition_holds_money(report):
        sections.append(_financial_section(team_user_for(report), project.pk, today))
    progress(55)
    return {
        "project": project,
        "period_text": _("Données au %(date)s") % {"date": fr_date(today)},
        "sections": sections,
        "missing": [m for s in sections for m in s.missing],
    }


def edition_holds_money(report: Report) -> bool:
    """Whether a funder report's edition holds its financial section: the team's always, the
    collective's only while the project's money is shared with the collective (its Financement switch)."""
    if not report.shared_with_partners:
        return True
    shared = FundingSettings.objects.filter(project_id=report.project_id or 0, shared_with_collective=True)
    return shared.exists()


def _financial_section(user, project_id: int, today: date) -> Section:
    """Budget vs actual by phase and nature, the funding by funder (secured, received, still to come) and
    the contributions in kind — the project's funding page's figures (projects.funding.selectors)."""
    section = Section("financement", _("Budget et financements"))
    if user is None:
        section.missing.append(_("aucun membre de l’équipe actif pour lire les financements"))
        return section
    funding = project_funding(user=user, project_id=project_id, today=today)
    totals = funding["totals"]
    section.data["totals"] = [
        (_("Besoin (charges prévisionnelles)"), fr_amount(totals.need)),
        (_("Acquis"), fr_amount(totals.secured)),
        (_("Demandé, sans décision"), fr_amount(totals.requested)),
        (_("Reste à trouver"), fr_amount(totals.to_find)),
        (_("Versements reçus"), fr_amount(totals.received)),
        (_("Reste à percevoir"), fr_amount(totals.remaining)),
        (_("Contributions en nature valorisées"), fr_amount(totals.in_kind)),
    ]
    section.data["budgets"] = [
        {
            "label": b["label"],
            "has_actual": b["actual"].budget is not None,
            "rows": [
                {
                    "side": str(LineSide(r["side"]).label),
                    "in_kind": r["side"] == LineSide.IN_KIND,
                    "label": r["label"],
                    "planned": fr_amount(r["planned"]),
                    "actual": fr_amount(r["actual"]) if b["actual"].budget is not None else "—",
                    "variance": fr_amount(r["variance"]) if b["actual"].budget is not None else "—",
                }
                for r in budget_variance(b["planned"].lines, b["actual"].lines)
            ],
        }
        for b in funding["budgets"]
    ]
    section.data["funders"] = [
        {
            "funder": f["funder"],
            "kind": f["kind"],
            "secured": fr_amount(f["secured"]),
            "received": fr_amount(f["received"]),
            "remaining": fr_amount(max(f["secured"] - f["received"], ZERO)),
        }
        for f in funding["by_funder"]
        if f["secured"] or f["received"]
    ]
    return section


def written_sections(report: Report) -> tuple[list[Section], list[Section], int | None]:
    """A draft's or final's written sections, from its latest text version: (opening, closing, version).
    The introduction opens the report, the others close it. A draft shows an empty section as « à
    rédiger »; a final report leaves it out."""
    if report.stage == ReportStage.GENERATED:
        return [], [], None
    latest = report.texts.order_by("-version").first()
    opening: list[Section] = []
    closing: list[Section] = []
    for name, title in WRITTEN_SECTIONS:
        text = getattr(latest, name) if latest is not None else ""
        if not text and report.stage == ReportStage.FINAL:
            continue
        section = Section(f"redige-{name}", str(title), data={"text": text, "written": True})
        (opening if name == "introduction" else closing).append(section)
    return opening, closing, latest.version if latest is not None else None


def report_context(report, progress: Progress) -> dict:
    data = (
        funder_sections(report, progress) if report.kind == "funder" else activity_sections(report, progress)
    )
    opening, closing, version = written_sections(report)
    data["sections"] = [*opening, *data["sections"], *closing]
    return {
        "report": report,
        "generated_at": fr_date(timezone.now()),
        "requested_by": str(report.requested_by) if report.requested_by_id else _("Planification mensuelle"),
        "draft": report.stage == ReportStage.DRAFT,
        "text_version": version,
        **data,
    }
