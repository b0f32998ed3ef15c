"""What the PDF reports say: every figure is read from the database here, then laid out by the templates
in templates/reports/.

The programme-wide figures come from the dashboard's selectors (`evaluation.selectors`) and its SVG
charts (`evaluation.charts`), so the PDF and the dashboard agree; the period-bound lists (workshops, gate
decisions, lessons of the period) and the per-project pages are read here. A section whose data cannot
be read says so (`Section.missing`) — it never shows invented figures.

Everything shown in a funder report may be read by the project's collective once staff share it: it
holds no internal notes, no interview scores, and only the workshops and committees shared with the
collective.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluation import charts, selectors
from evaluation.figures import percentage
from evaluation.models import (
    EvaluationQuestion,
    Lesson,
    MaturityAssessment,
    Measurement,
    MeasurementStatus,
    ProjectIndicator,
)
from evaluation.selectors import Filters
from programme import access
from programme.formatting import fr_date, fr_number, indicator_value
from programme.models import Cohort, Territory, User
from projects.models import (
    Attendance,
    Committee,
    Deliverable,
    GateDecision,
    Membership,
    Milestone,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)
from prospects.selectors import funnel_figures

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
        # Read with the eyes of the programme team (see team_user_for).
        base = access.scoped(self.user, Project) if self.user is not None else Project.objects.all()
        qs = base.filter(programme=self.programme)
        if self.cohort is not None:
            qs = qs.filter(cohort=self.cohort)
        if self.territory is not None:
            qs = qs.filter(territory=self.territory)
        # Projects that had started by the end of the period (or whose start is not recorded).
        qs = qs.filter(Q(start_date__isnull=True) | Q(start_date__lte=self.end))
        return qs.select_related("lead_organisation", "cohort", "territory").order_by("title")

    def filters(self) -> Filters:
        return Filters(
            programme_id=self.programme.pk,
            cohort_id=getattr(self.cohort, "pk", None),
            territory_id=getattr(self.territory, "pk", None),
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


def _memberships(project_ids) -> dict[int, list[dict]]:
    rows = defaultdict(list)
    today = timezone.localdate()
    qs = (
        Membership.objects.filter(project_id__in=project_ids)
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
                "active": m.left_on is None or m.left_on > today,
            }
        )
    return rows


def _gate_decisions(project_ids, start: date | None = None, end: date | None = None) -> dict[int, list[dict]]:
    qs = GateDecision.objects.filter(project_id__in=project_ids)
    if start and end:
        qs = qs.filter(decided_on__range=(start, end))
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


def _workshops(project_ids, start=None, end=None, *, shared_only=False) -> dict[int, list[dict]]:
    """Workshops held (start in the past), with attendance counted from the presence sheet."""
    qs = Workshop.objects.filter(project_id__in=project_ids, starts_at__lte=timezone.now())
    if start and end:
        qs = qs.filter(starts_at__date__range=(start, end))
    if shared_only:
        qs = qs.filter(shared_with_collective=True)
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


def _indicators(
    project_ids, *, until: date, with_protocol: bool = False, with_charts: bool = False
) -> dict[int, list[dict]]:
    """Each project indicator: baseline, target, validated measurements up to `until` (and their chart).

    Measurements are read as plain tuples in one query (a project indicator may have hundreds); only the
    funder report lists and charts them all, the activity report keeps the latest."""
    pis = list(
        ProjectIndicator.objects.filter(project_id__in=project_ids)
        .select_related("indicator", "project", "criterion__question")
        .order_by("project__title", "indicator__name")
    )
    validated: dict[int, list[tuple]] = defaultdict(list)
    for pi_id, period_end, value, numerator, denominator in (
        Measurement.objects.filter(
            project_indicator__in=[pi.pk for pi in pis],
            status=MeasurementStatus.VALIDATED,
            period_end__lte=until,
        )
        .order_by("project_indicator_id", "period_end", "pk")
        .values_list("project_indicator_id", "period_end", "value", "numerator", "denominator")
    ):
        validated[pi_id].append((period_end, value, numerator, denominator))
    rows = defaultdict(list)
    for pi in pis:
        indicator = pi.indicator
        kind, unit = indicator.type, indicator.unit

        def show(value, kind=kind, unit=unit):
            return indicator_value(value, kind=kind, unit=unit)

        points = validated.get(pi.pk, []) if with_charts else validated.get(pi.pk, [])[-1:]
        measures = [
            (end, _measure_value(value, numerator, denominator, kind))
            for end, value, numerator, denominator in points
        ]
        latest = measures[-1] if measures else None
        row = {
            "project": pi.project.title,
            "name": indicator.name,
            "baseline": show(pi.baseline_value),
            "baseline_date": fr_date(pi.baseline_date) if pi.baseline_date else "",
            "target": show(pi.target_value),
            "target_date": fr_date(pi.target_date) if pi.target_date else "",
            "latest": show(latest[1]) if latest else "—",
            "latest_date": fr_date(latest[0]) if latest else "",
            "measures": [(fr_date(when), show(value)) for when, value in measures],
            "chart": "",
        }
        if with_charts and len(measures) >= 2 and kind != "text":
            row["chart"] = _svg(
                charts.column_chart(
                    title=indicator.name,
                    desc=_("Mesures validées par période, cible : %(target)s") % {"target": row["target"]},
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


def _lessons(*, programme, project_ids=None, start=None, end=None) -> list[dict]:
    qs = Lesson.objects.filter(programme=programme)
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


# --- Programme activity report --------------------------------------------------------------------------


def activity_sections(report, progress: Progress) -> dict:
    scope = scope_for(report)
    filters = scope.filters()
    projects = list(scope.projects())
    ids = [p.pk for p in projects]
    progress(10)

    memberships = _memberships(ids)
    gates_in_period = _gate_decisions(ids, scope.start, scope.end)
    all_gates = _gate_decisions(ids)
    workshops = _workshops(ids, scope.start, scope.end)
    progress(20)
    indicator_rows = _indicators(ids, until=scope.end)
    progress(30)

    sections: list[Section] = []
    workshop_items = [w for rows in workshops.values() for w in rows]
    workshop_people = {pid for w in workshop_items for pid in w["people"]}
    organisations = {m["organisation_id"] for rows in memberships.values() for m in rows if m["active"]}
    member_people = {
        m["person_id"] for rows in memberships.values() for m in rows if m["person_id"] and m["active"]
    }
    phase_counts = Counter(p.phase for p in projects)

    key = Section("chiffres-cles", _("Chiffres clés"))
    key.data["figures"] = [
        (_("Projets accompagnés"), fr_number(len(projects))),
        (
            _("Projets en cours"),
            fr_number(sum(n for ph, n in phase_counts.items() if ph not in (Phase.STOPPED, Phase.COMPLETED))),
        ),
        (_("Structures dans les collectifs"), fr_number(len(organisations))),
        (_("Ateliers sur la période"), fr_number(len(workshop_items))),
        (_("Présences en atelier"), fr_number(sum(w["present"] for w in workshop_items))),
        (_("Personnes mobilisées en atelier"), fr_number(len(workshop_people))),
        (_("Décisions d'étape sur la période"), fr_number(sum(len(r) for r in gates_in_period.values()))),
    ]
    sections.append(key)

    funnel = Section("entonnoir", _("Sourcing et sélection"))
    if scope.user is None:
        funnel.missing.append(_("chiffres de l'entonnoir (prospects.selectors.funnel_figures)"))
    else:
        figures = funnel_figures(user=scope.user, programme=scope.programme, cohort=scope.cohort)
        stages = [
            ("identified", _("Identifiés")),
            ("contacted", _("Contactés")),
            ("interviewed", _("Rencontrés en entretien")),
            ("prequalified", _("Pré-qualifiés")),
            ("candidates", _("Candidats")),
            ("retained", _("Retenus")),
        ]
        funnel.data["rows"] = [(label, fr_number(figures.get(code) or 0)) for code, label in stages]
        funnel.data["chart"] = _svg(
            charts.bar_chart(
                title=_("Entonnoir de sélection"),
                desc=_("Structures ayant atteint chaque étape (cumulé)"),
                bars=[charts.Bar(label=label, value=figures.get(code) or 0) for code, label in stages],
            )
        )
    sections.append(funnel)
    progress(35)

    phases = Section("phases", _("Projets par phase et décisions d'étape"))
    phases.data["by_phase"] = [
        {"code": ph.value, "label": str(ph.label), "count": fr_number(phase_counts[ph.value])}
        for ph in Phase
        if phase_counts[ph.value]
    ]
    phases.data["chart"] = _svg(
        charts.bar_chart(
            title=_("Projets par phase"),
            desc=_("Phase actuelle des projets du périmètre"),
            bars=[
                charts.Bar(
                    label=str(ph.label), value=phase_counts[ph.value], colour=charts.PHASE_COLOURS[ph.value]
                )
                for ph in Phase
                if phase_counts[ph.value]
            ],
        )
    )
    decisions = [d for rows in gates_in_period.values() for d in rows]
    phases.data["outcomes"] = [
        (label, fr_number(n)) for label, n in Counter(d["outcome"] for d in decisions).most_common()
    ]
    phases.data["decisions"] = decisions
    sections.append(phases)

    mobilised = Section("ateliers", _("Ateliers et personnes mobilisées"))
    by_step = Counter(w["step"] for w in workshop_items)
    mobilised.data.update(
        held=bool(workshop_items),
        count=fr_number(len(workshop_items)),
        present=fr_number(sum(w["present"] for w in workshop_items)),
        people=fr_number(len(workshop_people)),
        members=fr_number(len(member_people)),
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
    progress(40)

    indicators = Section("indicateurs", _("Indicateurs : situation initiale, cible et valeur"))
    if scope.user is not None:
        programme_rows = selectors.indicator_progress(user=scope.user, filters=filters)
    else:
        programme_rows = []
        indicators.missing.append(_("aucun membre de l'équipe actif pour lire les indicateurs"))
    indicators.data["programme"] = [
        {
            "name": row["name"],
            "projects": fr_number(row["projects"]),
            "reporting": fr_number(row["reporting"]),
            "baseline": indicator_value(row["baseline"], kind=row["type"], unit=row["unit"]),
            "target": indicator_value(row["target"], kind=row["type"], unit=row["unit"]),
            "value": indicator_value(row["value"], kind=row["type"], unit=row["unit"]),
            "progress": f"{fr_number(row['progress'], 1)} %" if row["progress"] is not None else "—",
        }
        for row in programme_rows
    ]
    indicators.data["chart"] = (
        _svg(
            charts.progress_chart(
                title=_("Indicateurs du programme"),
                desc=_("Valeur mesurée, situation initiale et cible de chaque indicateur"),
                rows=[
                    {
                        "label": row["name"],
                        "value": row["value"],
                        "baseline": row["baseline"],
                        "target": row["target"],
                        "text": indicator_value(row["value"], kind=row["type"], unit=row["unit"]),
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
    evolution = (
        selectors.maturity_evolution(user=scope.user, filters=filters) if scope.user else {"dimensions": []}
    )
    maturity.data["dimensions"] = [
        {
            "label": d["label"],
            "start": fr_number(d["start"]),
            "end": fr_number(d["end"]),
            "delta": (("+" if d["delta"] > 0 else "") + fr_number(d["delta"]))
            if d["delta"] is not None
            else "—",
        }
        for d in evolution["dimensions"]
    ]
    maturity.data["chart"] = (
        _svg(
            charts.grouped_bar_chart(
                title=_("Maturité coopérative par dimension"),
                desc=_("Score moyen (1 à 4) en début et en fin de phase"),
                categories=[d["label"] for d in evolution["dimensions"]],
                series=[
                    charts.Series(
                        name=_("Début de phase"), values=[d["start"] for d in evolution["dimensions"]]
                    ),
                    charts.Series(name=_("Fin de phase"), values=[d["end"] for d in evolution["dimensions"]]),
                ],
                max_value=4,
            )
        )
        if evolution["dimensions"]
        else ""
    )
    maturity.data["assessed"] = fr_number(
        MaturityAssessment.objects.filter(project_id__in=ids).values("project").distinct().count()
    )
    sections.append(maturity)

    lessons = Section("enseignements", _("Enseignements par thème"))
    by_theme: dict[str, list] = defaultdict(list)
    # Programme-wide lessons count too, unless the report is narrowed to a cohort or a territory.
    narrowed = scope.cohort is not None or scope.territory is not None
    for lesson in _lessons(
        programme=scope.programme, project_ids=ids if narrowed else None, start=scope.start, end=scope.end
    ):
        for theme in lesson["themes"] or [_("Sans thématique")]:
            by_theme[theme].append(lesson)
    lessons.data["themes"] = sorted(by_theme.items())
    sections.append(lessons)
    progress(50)

    appendix = [
        {
            "id": f"projet-{p.pk}",
            "title": p.title,
            "phase": p.get_phase_display(),
            "phase_code": p.phase,
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
        "sections": sections,
        "projects": appendix,
        "project_count": len(projects),
        "missing": [m for s in sections for m in s.missing],
    }


# --- Funder report ---------------------------------------------------------------------------------------


def funder_sections(report, progress: Progress) -> dict:
    project = (
        Project.objects.select_related("lead_organisation", "cohort", "territory")
        .prefetch_related("themes", "staff_leads")
        .get(pk=report.project_id)
    )
    ids = [project.pk]
    sections: list[Section] = []
    progress(10)

    summary = Section("synthese", _("Synthèse du projet"))
    summary.data["rows"] = [
        (_("Structure porteuse"), project.lead_organisation.name),
        (_("Phase actuelle"), project.get_phase_display()),
        (_("Promotion"), str(project.cohort) if project.cohort_id else "—"),
        (_("Début de l'accompagnement"), fr_date(project.start_date)),
        (_("Territoire"), str(project.territory) if project.territory_id else "—"),
        (_("Thématiques"), ", ".join(t.name for t in project.themes.all()) or "—"),
        (_("Chargé·es de projet"), ", ".join(str(u) for u in project.staff_leads.all()) or "—"),
    ]
    summary.data["problem"] = project.problem
    sections.append(summary)

    collective = Section("collectif", _("Le collectif"))
    collective.data["members"] = _memberships(ids).get(project.pk, [])
    sections.append(collective)
    progress(20)

    history = Section("parcours", _("Historique des phases et décisions d'étape"))
    history.data["periods"] = [
        {
            "phase": pp.get_phase_display(),
            "phase_code": pp.phase,
            "planned": f"{fr_date(pp.planned_start)} – {fr_date(pp.planned_end)}",
            "actual": f"{fr_date(pp.actual_start)} – {fr_date(pp.actual_end)}" if pp.actual_start else "—",
        }
        for pp in PhasePeriod.objects.filter(project=project).order_by("planned_start", "pk")
    ]
    history.data["decisions"] = _gate_decisions(ids).get(project.pk, [])
    sections.append(history)
    progress(30)

    meetings = Section("ateliers-comites", _("Ateliers et comités"))
    meetings.data["workshops"] = _workshops(ids, shared_only=True).get(project.pk, [])
    meetings.data["committees"] = [
        {
            "kind": c.get_kind_display(),
            "date": fr_date(c.date),
            "place": c.place,
            "decisions": [d.text for d in c.decisions.all()],
        }
        for c in Committee.objects.filter(project=project, shared_with_collective=True)
        .prefetch_related("decisions")
        .order_by("date", "pk")
    ]
    sections.append(meetings)
    progress(40)

    deliverables = Section("livrables", _("Jalons et livrables"))
    deliverables.data["milestones"] = [
        {"title": m.title, "due": fr_date(m.due_date), "status": m.get_status_display()}
        for m in Milestone.objects.filter(project=project).order_by("due_date", "pk")
    ]
    deliverables.data["deliverables"] = [
        {
            "title": d.title,
            "due": fr_date(d.due_date),
            "status": d.get_status_display(),
            "owner": str(d.owner_organisation or d.owner_user or ""),
        }
        for d in Deliverable.objects.filter(project=project)
        .select_related("owner_organisation", "owner_user")
        .order_by("due_date", "pk")
    ]
    sections.append(deliverables)
    progress(45)

    indicators = Section("indicateurs", _("Indicateurs et protocole d'évaluation"))
    indicators.data["items"] = _indicators(
        ids, until=timezone.localdate(), with_protocol=True, with_charts=True
    ).get(project.pk, [])
    indicators.data["questions"] = [
        {"text": q.text, "criteria": [c.text for c in q.criteria.all()]}
        for q in EvaluationQuestion.objects.filter(project=project).prefetch_related("criteria")
    ]
    sections.append(indicators)

    maturity = Section("maturite", _("Maturité coopérative"))
    user = team_user_for(report)
    rows = selectors.project_maturity(user=user, project_id=project.pk) if user else []
    maturity.data["rows"] = [
        {
            "phase": r["phase_label"],
            "label": r["label"],
            "start": fr_number(r["start"]),
            "end": fr_number(r["end"]),
            "delta": (("+" if r["delta"] > 0 else "") + fr_number(r["delta"]))
            if r["delta"] is not None
            else "—",
        }
        for r in rows
    ]
    sections.append(maturity)

    lessons = Section("enseignements", _("Enseignements"))
    lessons.data["items"] = _lessons(programme=report.programme, project_ids=ids)
    sections.append(lessons)
    progress(55)
    return {
        "project": project,
        "sections": sections,
        "missing": [m for s in sections for m in s.missing],
    }


def report_context(report, progress: Progress) -> dict:
    data = (
        funder_sections(report, progress) if report.kind == "funder" else activity_sections(report, progress)
    )
    return {
        "report": report,
        "generated_at": fr_date(timezone.now()),
        "requested_by": str(report.requested_by) if report.requested_by_id else _("Planification mensuelle"),
        **data,
    }
