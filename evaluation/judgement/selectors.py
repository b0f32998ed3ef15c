"""Reads of findings, recommendations, dossiers and kits, taking the acting user.

`dossier_snapshot` is the one builder of what a gate dossier shows: a JSON-ready dict of already
formatted figures, read from `evaluation.selectors` (indicators, maturity), `projects.funding.selectors`
(money) and the project's records — never recomputed here. The PDF and the « Ce que le comité a vu » page
are both drawn from the stored snapshot, so a later change of the data cannot change them; building it
again for the same day and comparing says whether the data changed since (`dossier_is_stale`).
"""

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from evaluation import selectors as evaluation_selectors
from evaluation.models import EvaluationQuestion, Lesson, Measurement, MeasurementStatus
from programme import access
from programme.formatting import fr_amount, fr_date, fr_percent, indicator_value
from programme.models import User
from projects.funding.selectors import Money, money_by_project
from projects.models import NEXT_PHASE, Deliverable, DeploymentSite, Phase, Project, Workshop, WorkshopItem

from .models import (
    CollectiveReading,
    CriterionLevel,
    DecisionDossier,
    EssaimageKit,
    Evidence,
    EvidenceKind,
    Finding,
    GateDossier,
    Recommendation,
    RenderStatus,
    Verdict,
)


def questions_with_findings(*, user: User, project: Project) -> list[EvaluationQuestion]:
    """The project's evaluative questions, each with its criteria (and their level) and its finding (with
    its evidence and the collective's readings) as `user` may read them — five queries whatever their
    number. `question.found` is the finding or None."""
    findings = access.scoped(user, Finding).prefetch_related(
        Prefetch(
            "evidence",
            queryset=access.scoped(user, Evidence).select_related(
                "measurement__project_indicator__indicator", "deliverable", "workshop_item"
            ),
        ),
        Prefetch(
            "readings",
            queryset=access.scoped(user, CollectiveReading).select_related("organisation", "author"),
        ),
    )
    questions = list(
        access.scoped(user, EvaluationQuestion)
        .filter(project=project)
        .prefetch_related("criteria__level", Prefetch("finding", queryset=findings))
    )
    for question in questions:
        try:
            question.found = question.finding  # type: ignore[attr-defined]
        except Finding.DoesNotExist:
            question.found = None  # type: ignore[attr-defined]
    return questions


def evidence_text(evidence: Evidence) -> str:
    """One line saying what an evidence record is."""
    if evidence.kind == EvidenceKind.MEASUREMENT and evidence.measurement:
        m = evidence.measurement
        indicator = m.project_indicator.indicator
        return _("%(indicator)s : %(value)s (%(start)s – %(end)s)") % {
            "indicator": indicator.name,
            "value": indicator_value(
                m.value, kind=indicator.type, unit=indicator.unit, unit_one=indicator.unit_singular
            )
            if m.value is not None
            else (m.text_value or "—"),
            "start": fr_date(m.period_start),
            "end": fr_date(m.period_end),
        }
    if evidence.kind == EvidenceKind.DELIVERABLE and evidence.deliverable:
        d = evidence.deliverable
        return _("%(title)s (%(status)s)") % {"title": d.title, "status": d.get_status_display()}
    if evidence.kind == EvidenceKind.WORKSHOP_ITEM and evidence.workshop_item:
        return str(evidence.workshop_item)
    return evidence.observation


def recommendations_for(*, user: User, project: Project) -> list[Recommendation]:
    return list(access.scoped(user, Recommendation).filter(project=project).order_by("-updated_at"))


def lessons_for(*, user: User, project: Project) -> QuerySet[Lesson]:
    """The project's lessons `user` may read: every one for the team, the shared ones for its collective."""
    return access.scoped(user, Lesson).filter(projects=project).order_by("created_at", "pk")


def recommendation_for_phase(*, user: User, project: Project, phase: str) -> Recommendation | None:
    return access.scoped(user, Recommendation).filter(project=project, phase=phase).first()


def evidence_choices(*, user: User, project: Project) -> dict[str, list[tuple[int, str]]]:
    """What a finding may link, per kind: the project's validated measurements, deliverables and workshop
    outputs (three queries)."""
    measurements = (
        access.scoped(user, Measurement)
        .filter(project_indicator__project=project, status=MeasurementStatus.VALIDATED)
        .select_related("project_indicator__indicator")
        .order_by("project_indicator__indicator__name", "-period_end")
    )
    return {
        "measurement": [
            (
                m.pk,
                f"{m.project_indicator.indicator.name} — {fr_date(m.period_start)} – {fr_date(m.period_end)}",
            )
            for m in measurements
        ],
        "deliverable": [
            (d.pk, d.title)
            for d in access.scoped(user, Deliverable).filter(project=project).order_by("due_date")
        ],
        "workshop_item": [
            (i.pk, str(i))
            for i in access.scoped(user, WorkshopItem).filter(project=project).order_by("kind", "title")
        ],
    }


# --- The gate dossier --------------------------------------------------------------------------------------


def _phase_start(project: Project, phase: str) -> date | None:
    period = project.phase_periods.filter(phase=phase).order_by("-planned_start").first()
    return period.actual_start if period else None


def _criterion_row(criterion: Any) -> dict[str, str]:
    level: CriterionLevel | None = getattr(criterion, "level", None)
    return {
        "text": criterion.text,
        "level": level.level if level else "",
        "level_label": level.get_level_display() if level else _("Non évalué"),
        "justification": level.justification if level else "",
    }


def _findings_rows(user: User, project: Project, *, shared_only: bool = False) -> list[dict[str, Any]]:
    rows = []
    for q in questions_with_findings(user=user, project=project):
        finding = q.found  # type: ignore[attr-defined]
        if shared_only and not (finding and finding.shared_with_collective):
            continue
        rows.append(
            {
                "question": q.text,
                "answer": finding.answer if finding else "",
                "criteria": [_criterion_row(c) for c in q.criteria.all()],
                "evidence": [
                    {"kind": e.get_kind_display(), "text": evidence_text(e)}
                    for e in (finding.evidence.all() if finding else [])
                ],
            }
        )
    return rows


def dossier_snapshot(
    *, user: User, project: Project, as_of: date, phase: str | None = None
) -> dict[str, Any]:
    """Everything a gate dossier shows for the end of `phase` (default: the project's), as of `as_of`,
    formatted (see the module docstring). Nothing team-only beyond the team's judgement reaches it: no
    internal note, no lesson, no other project, and the workshops and deliverables the team kept to itself
    are counted, never named."""
    from evaluation.portal.selectors import collective_scoped

    phase = phase or project.phase
    since = _phase_start(project, phase)
    recommendation = recommendation_for_phase(user=user, project=project, phase=phase)
    indicators = []
    for pi in evaluation_selectors.project_indicators_with_summary(user=user, project=project, today=as_of):
        ind, s = pi.indicator, pi.summary

        def show(value: Any, ind: Any = ind) -> str:
            return indicator_value(value, kind=ind.type, unit=ind.unit, unit_one=ind.unit_singular)

        indicators.append(
            {
                "name": ind.name,
                "baseline": show(pi.baseline_value),
                "value": show(s["value"]),
                "last": fr_date(s["last"]) if s["last"] else "",
                "target_now": show(s["target_now"]),
                "target": show(pi.target_value),
                "progress": fr_percent(s["progress"]) if s["progress"] is not None else "—",
                "progress_note": s["progress_note"] if s["progress"] is None else "",
            }
        )
    maturity = [
        {
            "phase": r["phase_label"],
            "dimension": r["label"],
            "start": "—" if r["start"] is None else str(r["start"]),
            "end": "—" if r["end"] is None else str(r["end"]),
            "delta": "—" if r["delta"] is None else (f"+{r['delta']}" if r["delta"] > 0 else str(r["delta"])),
        }
        for r in evaluation_selectors.project_maturity(user=user, project_id=project.pk, until=as_of)
    ]
    workshops = access.scoped(user, Workshop).filter(project=project, starts_at__date__lte=as_of)
    if since:
        workshops = workshops.filter(starts_at__date__gte=since)
    shown = (
        workshops.filter(shared_with_collective=True)
        .annotate(present=Count("attendances", filter=Q(attendances__present=True)))
        .prefetch_related(Prefetch("items", queryset=WorkshopItem.objects.order_by("kind", "title")))
        .order_by("starts_at", "pk")
    )
    # Deliverables as the collective handles them in its portal are named; those the team follows alone
    # are counted, like its internal workshops (a dossier may be shared with the collective).
    deliverables = access.scoped(user, Deliverable).filter(project=project)
    collective_deliverables = deliverables.filter(
        pk__in=collective_scoped(project, Deliverable, portal=True).values("pk")
    )
    money = money_by_project(user=user, projects=Project.objects.filter(pk=project.pk), today=as_of).get(
        project.pk
    )
    # The budget secured for the phase a « poursuite » leads to, when the project has money records.
    following = NEXT_PHASE.get(phase)
    money_next = None
    if money is not None and following in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
        money_next = money_by_project(
            user=user, projects=Project.objects.filter(pk=project.pk), today=as_of, phase=following
        ).get(project.pk, Money())
    return {
        "project": {
            "title": project.title,
            "lead": str(project.lead_organisation),
            "phase": phase,
            "phase_label": str(Phase(phase).label),
            "problem": project.problem,
            "since": fr_date(since) if since else "",
        },
        "findings": _findings_rows(user, project),
        "recommendation": {
            "verdict": recommendation.verdict,
            "verdict_label": recommendation.get_verdict_display(),
            "argument": recommendation.argument,
        }
        if recommendation
        else None,
        "indicators": indicators,
        "maturity": maturity,
        "workshops": [
            {
                "date": fr_date(w.starts_at),
                "title": w.title,
                "step": w.get_step_display(),
                "present": w.present,
                "items": [{"kind": i.get_kind_display(), "title": i.title} for i in w.items.all()],
            }
            for w in shown
        ],
        "internal_workshops": workshops.filter(shared_with_collective=False).count(),
        "deliverables": [
            {"title": d.title, "due": fr_date(d.due_date), "status": d.get_status_display()}
            for d in collective_deliverables.order_by("due_date", "pk")
        ],
        "internal_deliverables": deliverables.exclude(pk__in=collective_deliverables.values("pk")).count(),
        "money": {
            "need": fr_amount(money.need),
            "secured": fr_amount(money.secured),
            "requested": fr_amount(money.requested),
            "to_find": fr_amount(money.to_find),
        }
        if money is not None
        else None,
        "money_next": {
            "phase_label": str(Phase(following).label),
            "need": fr_amount(money_next.need),
            "secured": fr_amount(money_next.secured),
            "requested": fr_amount(money_next.requested),
            "to_find": fr_amount(money_next.to_find),
        }
        if money_next is not None and following
        else None,
    }


def dossier_is_stale(*, user: User, dossier: GateDossier) -> bool:
    """Whether the data changed since the dossier was prepared: its figures built again for the same day
    differ from the ones it froze."""
    if dossier.status != RenderStatus.DONE:
        return False
    live = dossier_snapshot(user=user, project=dossier.project, as_of=dossier.as_of, phase=dossier.phase)
    return bool(live != dossier.snapshot)


def share_refusal(*, document: GateDossier | EssaimageKit) -> str:
    """Why a finished dossier or kit cannot be shared with the collective ('' when it can): it holds what
    the team keeps to itself — a finding or the recommendation it has not shared (a dossier: a kit holds
    only the shared ones), the project's money while the Financement tab is not shared. A frozen document
    cannot leave them out, so the team shares them first (their text, as the document froze it, is then
    the collective's to read anyway)."""
    from projects.funding.models import FundingSettings

    parts = []
    if isinstance(document, GateDossier) and document.finished_at:
        parts += [
            _("le constat « %(question)s »") % {"question": f.question.text}
            for f in Finding.objects.filter(
                project_id=document.project_id,
                shared_with_collective=False,
                created_at__lte=document.finished_at,
            ).select_related("question")
        ]
        if document.snapshot.get("recommendation") and not (
            Recommendation.objects.filter(
                project_id=document.project_id, phase=document.phase, shared_with_collective=True
            ).exists()
        ):
            parts.append(_("la recommandation de fin de phase"))
    if document.snapshot.get("money") and not (
        FundingSettings.objects.filter(project_id=document.project_id, shared_with_collective=True).exists()
    ):
        parts.append(_("le financement du projet (il se partage depuis l’onglet Financement)"))
    if not parts:
        return ""
    return _(
        "Ce document contient ce que l’équipe n’a pas partagé avec le collectif : %(parts)s. "
        "Partagez-les d’abord, ou gardez-le pour l’équipe."
    ) % {"parts": ", ".join(parts)}


def dossiers_for(*, user: User, project: Project) -> QuerySet[GateDossier]:
    return access.scoped(user, GateDossier).filter(project=project).select_related("requested_by")


def usable_dossiers(*, project: Project) -> QuerySet[GateDossier]:
    """The finished dossiers of the project's current phase a decision may use, newest first."""
    return GateDossier.objects.filter(
        project=project, phase=project.phase, status=RenderStatus.DONE
    ).order_by("-created_at", "-pk")


def decisions_seen(*, user: User, project: Project) -> list[DecisionDossier]:
    return list(
        access.scoped(user, DecisionDossier)
        .filter(decision__project=project)
        .select_related("decision", "dossier")
        .order_by("-decision__decided_on", "-decision__pk")
    )


# --- The essaimage kit -------------------------------------------------------------------------------------


def kit_refusal(*, user: User, project: Project) -> str:
    """Why a kit cannot be generated for the project now ('' when it can)."""
    if not access.scoped(user, Finding).filter(project=project).exists():
        return _("Pas de kit sans constats : rédigez d’abord les constats du protocole d’évaluation.")
    spread = access.scoped(user, Recommendation).filter(
        project=project, phase=Phase.EXPERIMENTATION, verdict=Verdict.SPREAD
    )
    if not spread.exists():
        return _(
            "Le kit se génère pour un projet dont la recommandation de fin d’Expérimentation est « Essaimer »."
        )
    return ""


def kits_for(*, user: User, project: Project) -> QuerySet[EssaimageKit]:
    return access.scoped(user, EssaimageKit).filter(project=project)


def sites_for(*, user: User, project: Project) -> QuerySet[DeploymentSite]:
    return (
        access.scoped(user, DeploymentSite)
        .filter(project=project)
        .select_related("territory", "partner", "kit_used__kit")
        .order_by("territory__name")
    )


def kit_snapshot(*, user: User, project: Project, as_of: date) -> dict[str, Any]:
    """What the essaimage kit says: the dossier's indicators and maturity, the findings and the
    end-of-Expérimentation recommendation the team shared with the collective, plus what the collective
    may read of the project — its prototypes, the lessons and deliverables shared with it — and the budget
    model when the project has money records. Lessons and deliverables come from
    `evaluation.portal.selectors.collective_scoped`: the kit goes to other territories, so it holds nothing
    the collective itself could not read."""
    from evaluation.portal.selectors import collective_scoped

    base = dossier_snapshot(user=user, project=project, as_of=as_of)
    prototypes = (
        access.scoped(user, WorkshopItem).filter(project=project, kind="prototype").select_related("workshop")
    )
    spread = recommendation_for_phase(user=user, project=project, phase=Phase.EXPERIMENTATION)
    return {
        **base,
        # The team's judgement as far as it shared it with the collective.
        "findings": _findings_rows(user, project, shared_only=True),
        "recommendation": {
            "verdict": spread.verdict,
            "verdict_label": spread.get_verdict_display(),
            "argument": spread.argument,
        }
        if spread and spread.shared_with_collective
        else None,
        "prototypes": [
            {
                "title": p.title,
                "description": p.description,
                "workshop": p.workshop.title if p.workshop and p.workshop.shared_with_collective else "",
            }
            for p in prototypes.order_by("created_at", "pk")
        ],
        "lessons": [
            {"title": lesson.title, "body": lesson.body, "kind": lesson.get_kind_display()}
            for lesson in collective_scoped(project, Lesson)
            .filter(projects=project)
            .order_by("created_at", "pk")
        ],
        "deliverables": [
            {"title": d.title, "due": fr_date(d.due_date), "status": d.get_status_display()}
            for d in collective_scoped(project, Deliverable, portal=True)
            .filter(project=project)
            .order_by("due_date", "pk")
        ],
    }


def kit_files(project: Project) -> list[tuple[str, bytes]]:
    """The latest file of each deliverable the collective may read, for the kit's ZIP."""
    from evaluation.portal.selectors import collective_scoped

    files = []
    for d in (
        collective_scoped(project, Deliverable, portal=True)
        .filter(project=project)
        .prefetch_related("versions")
    ):
        versions = sorted(d.versions.all(), key=lambda v: v.number)
        if versions and versions[-1].file:
            latest = versions[-1]
            with latest.file.open("rb") as handle:
                files.append((f"{d.pk}-{(latest.file.name or '').rsplit('/', 1)[-1]}", handle.read()))
    return files
