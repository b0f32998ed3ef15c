"""Demo data for evaluation (idempotent): starter library, a protocol per demo project with baselines
and targets, quarterly measurements of every finished quarter since the project started (the last ones
submitted by the collective and awaiting validation, one returned), yearly values of every finished year,
a locked year, maturity self-assessments inside their phases (one end-of-phase still owed, one waived)
and lessons learned.

A project that already has a protocol is left as it is, so running `seed_demo` twice changes nothing.
"""

import contextlib
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from programme.demo import DemoContext
from projects.models import Phase

from . import services
from .library import ensure_starter_library
from .models import (
    ASSESSED_PHASES,
    Dimension,
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorTarget,
    Lesson,
    LessonKind,
    MaturityAssessment,
    Measurement,
    MeasurementStatus,
    Moment,
    ProjectIndicator,
    Reporter,
)

#: (indicator code, baseline, target, reporter, quarterly base, growth)
Line = tuple[str, int, int, Reporter, float | None, float | None]

# Protocols: (question, [(criterion, [lines])])
PROTOCOL: list[tuple[str, list[tuple[str, list[Line]]]]] = [
    (
        "Le projet atteint-il les publics visés ?",
        [
            (
                "Nombre et diversité des bénéficiaires",
                [
                    ("personnes-touchees", 40, 600, Reporter.PARTNER, 45, 6),
                    ("taux-satisfaction", 70, 85, Reporter.PARTNER, None, None),
                ],
            ),
        ],
    ),
    (
        "Le collectif construit-il un modèle durable ?",
        [
            (
                "Ressources et emplois",
                [
                    ("fonds-leves", 0, 150000, Reporter.STAFF, 9000, 1500),
                    ("emplois-crees", 0, 6, Reporter.STAFF, None, None),
                    ("structures-impliquees", 3, 8, Reporter.STAFF, None, None),
                ],
            ),
        ],
    ),
]
EXTRA_BY_PHASE: dict[str, list[Line]] = {
    Phase.EXPERIMENTATION: [("dechets-detournes", 0, 120, Reporter.PARTNER, 6, 1.5)],
    Phase.EMERGENCE: [("participants-ateliers", 0, 300, Reporter.STAFF, 18, 3)],
}

LESSONS = [
    (
        "Associer la collectivité dès l’Émergence",
        LessonKind.GOOD_PRACTICE,
        Phase.EMERGENCE,
        ["Alimentation durable", "Culture et lien social"],
        "Inviter le service ESS de la collectivité au premier atelier d’analyse des besoins a évité de "
        "reprendre le diagnostic six mois plus tard ; l’élu référent a porté le projet en conseil.",
    ),
    (
        "Le temps bénévole s’épuise en fin d’Émergence",
        LessonKind.DIFFICULTY,
        Phase.EMERGENCE,
        ["Alimentation durable"],
        "Après huit mois, les bénévoles des structures porteuses ont moins de disponibilité : prévoir dès "
        "l’idéation un temps salarié partagé, même partiel.",
    ),
    (
        "Un COPIL trimestriel avec un ordre du jour tenu",
        LessonKind.RECOMMENDATION,
        Phase.EXPERIMENTATION,
        ["Économie circulaire", "Insertion par l’activité économique"],
        "Les COPIL trimestriels avec décisions écrites et actions datées ont rendu le suivi lisible pour les "
        "financeurs et accéléré la prise de décision sur le modèle économique.",
    ),
    (
        "Mesurer les tonnages dès le premier mois",
        LessonKind.GOOD_PRACTICE,
        Phase.EXPERIMENTATION,
        ["Économie circulaire"],
        "Peser chaque apport dès le lancement a fourni une référence solide ; reconstituer les chiffres a "
        "posteriori est toujours contesté par les financeurs.",
    ),
    (
        "Les entreprises s’engagent sur des actions concrètes",
        LessonKind.RECOMMENDATION,
        Phase.SELECTION,
        ["Mobilité solidaire", "Économie circulaire"],
        "Proposer aux entreprises un engagement précis (mise à disposition de matériel, mécénat de "
        "compétences) plutôt qu’une adhésion de principe au collectif.",
    ),
    (
        "Des indicateurs trop nombreux découragent la saisie",
        LessonKind.DIFFICULTY,
        Phase.EXPERIMENTATION,
        [],
        "Au-delà de six indicateurs par projet, les partenaires ne renseignent plus leurs valeurs à temps. "
        "Garder un socle commun et deux indicateurs propres au projet.",
    ),
]


def _quarters(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar quarters starting at or after `first` and ending on or before `last`."""
    periods = []
    start = date(first.year, ((first.month - 1) // 3) * 3 + 1, 1)
    while True:
        month = start.month + 3
        end = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - timedelta(days=1)
        if end > last:
            break
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


def _value(code: str, index: int, base, growth) -> dict:
    if code == "taux-satisfaction":
        answered = 30 + index * 2
        return {"numerator": Decimal(int(answered * (0.7 + index * 0.01))), "denominator": Decimal(answered)}
    return {"value": Decimal(str(round(base + growth * index, 1)))}


def _finished_quarters(project, today: date) -> list[tuple[date, date]]:
    """The calendar quarters that started on or after the project's start and ended before today."""
    if project.start_date is None:
        return []  # still in Sélection: nothing measured yet
    last_quarter_end = date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
    return [q for q in _quarters(project.start_date, last_quarter_end) if q[0] >= project.start_date]


def build(ctx: DemoContext) -> None:
    ensure_starter_library(Indicator)
    staff = ctx.users["staff"]
    partners = {
        ctx.users[k].organisation_id: ctx.users[k] for k in ("partner_a", "partner_b") if k in ctx.users
    }
    projects = list(ctx.extra.get("projects", {}).values())
    returned_done = False
    for index, project in enumerate(projects):
        partner = partners.get(project.lead_organisation_id)
        if not ProjectIndicator.objects.filter(project=project).exists():
            quarters = _finished_quarters(project, ctx.today)
            returned_done = _protocol(ctx, project, staff, partner, quarters, returned_done) or returned_done
        _maturity(ctx, project, staff, index)
    _lessons(ctx, staff, projects, partner_organisations={o for o in partners if o is not None})
    _date_like_a_real_programme()


def _date_like_a_real_programme() -> None:
    """The services stamp a measurement as submitted and validated « now », i.e. the day the demo was
    built: a structure's timeline would then show two years of quarters all submitted that day. Give each
    the moment a collective would have sent it — a week after its period ended — and its validation three
    days later (never in the future). Idempotent: only rows stamped after that moment move."""
    now = timezone.now()
    moved = []
    for m in Measurement.objects.filter(submitted_at__isnull=False).only(
        "period_end", "submitted_at", "validated_at"
    ):
        sent = timezone.make_aware(datetime.combine(m.period_end + timedelta(days=7), time(10, 0)))
        if sent >= now or m.submitted_at is None or m.submitted_at <= sent:
            continue
        m.submitted_at = sent
        if m.validated_at is not None:
            m.validated_at = min(sent + timedelta(days=3), now)
        moved.append(m)
    Measurement.objects.bulk_update(moved, ["submitted_at", "validated_at"], batch_size=500)


def _protocol(ctx, project, staff, partner, quarters, returned_done: bool) -> bool:
    indicators = {i.code: i for i in Indicator.objects.all()}
    plan: list[tuple[str | None, str | None, list[Line]]] = [
        (q, c, items) for q, criteria in PROTOCOL for c, items in criteria
    ]
    plan.append((None, None, EXTRA_BY_PHASE.get(project.phase, [])))
    made_return = False
    for q_index, (question_text, criterion_text, items) in enumerate(plan, start=1):
        criterion = None
        if question_text:
            question, _ = EvaluationQuestion.objects.get_or_create(
                project=project, text=question_text, defaults={"order": q_index}
            )
            criterion, _ = EvaluationCriterion.objects.get_or_create(question=question, text=criterion_text)
        for code, baseline, target, reporter, base, growth in items:
            if reporter == Reporter.PARTNER and partner is None:
                reporter = Reporter.STAFF
            pi = ProjectIndicator.objects.create(
                project=project,
                indicator=indicators[code],
                criterion=criterion,
                baseline_value=baseline,
                baseline_date=project.start_date or ctx.today,
                target_value=target,
                target_date=date(ctx.today.year + 1, 12, 31),
                reporter=reporter,
                reporter_organisation=project.lead_organisation if reporter == Reporter.PARTNER else None,
            )
            # Intermediate targets: a third of the way by the end of each year.
            for step, year in enumerate((ctx.today.year - 1, ctx.today.year), start=1):
                IndicatorTarget.objects.create(
                    project_indicator=pi,
                    period_end=date(year, 12, 31),
                    value=(Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * step / 3).quantize(
                        Decimal(1)
                    ),
                )
            made_return = (
                _measurements(ctx, pi, code, staff, partner, quarters, base, growth, returned_done)
                or made_return
            )
            returned_done = returned_done or made_return
    # The first year measured in full is closed: lock it.
    full_years = sorted(y for y, n in Counter(start.year for start, _end in quarters).items() if n == 4)
    if full_years:
        year = full_years[0]
        if (
            not Measurement.objects.filter(project_indicator__project=project, period_end__year=year)
            .exclude(status=MeasurementStatus.VALIDATED)
            .exists()
        ):
            with contextlib.suppress(services.WorkflowError):
                services.measurement_lock_period(
                    actor=staff, project=project, period_start=date(year, 1, 1), period_end=date(year, 12, 31)
                )
    return made_return


def _measurements(ctx, pi, code, staff, partner, quarters, base, growth, returned_done: bool) -> bool:
    indicator = pi.indicator
    made_return = False
    if indicator.periodicity == "yearly" or base is None and code not in ("taux-satisfaction",):
        # Yearly or stock indicators: one value per finished year the project lived in full.
        start = pi.project.start_date
        years = [y for y in (ctx.today.year - 2, ctx.today.year - 1) if start and date(y, 1, 1) >= start]
        for y_index, year in enumerate(years):
            value = {
                "emplois-crees": Decimal(1 + y_index * 2),
                "structures-impliquees": Decimal(4 + y_index * 2),
            }.get(code, Decimal(1 + y_index))
            services.measurement_record(
                actor=staff,
                project_indicator=pi,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                value=value,
                source="Bilan annuel du collectif",
            )
        return False
    for q_index, (start, end) in enumerate(quarters):
        values = _value(code, q_index, base, growth)
        last = q_index == len(quarters) - 1
        if pi.reporter == Reporter.PARTNER and partner is not None and last:
            # The last quarter was reported by the collective and awaits the team's validation.
            measurement = services.measurement_record(
                actor=partner,
                project_indicator=pi,
                period_start=start,
                period_end=end,
                source="Saisie du collectif",
                **values,
            )
            if not returned_done and not made_return:
                services.measurement_return(
                    actor=staff,
                    measurement=measurement,
                    comment="Le total ne correspond pas aux feuilles d’émargement jointes : merci de vérifier.",
                )
                made_return = True
            continue
        services.measurement_record(
            actor=staff,
            project_indicator=pi,
            period_start=start,
            period_end=end,
            source="Tableau de suivi trimestriel",
            **values,
        )
    return made_return


#: The project whose Expérimentation end-of-phase self-assessment is still owed after its gate, and the
#: one whose Émergence end was waived when it stopped.
END_OWED = "Énergie citoyenne dans les copropriétés"
END_WAIVED = "Habitat partagé intergénérationnel"


def _maturity(ctx, project, staff, index: int) -> None:
    """A start-of-phase self-assessment three weeks into every assessed phase entered, an end-of-phase
    one ten days before every phase left — each inside its phase — with scores improving over time. One
    end stays owed after the gate (shown to the team), one is waived with its reason."""
    periods = [p for p in project.phase_periods.order_by("actual_start") if p.phase in ASSESSED_PHASES]
    for shift, period in enumerate(periods):
        start, end = period.actual_start, period.actual_end
        moments = [(Moment.START, min(start + timedelta(days=21), end or ctx.today, ctx.today), shift)]
        if end is not None:
            moments.append((Moment.END, max(start, end - timedelta(days=10)), shift + 1))
        for moment, when, level in moments:
            if MaturityAssessment.objects.filter(project=project, phase=period.phase, moment=moment).exists():
                continue
            if moment == Moment.END and project.title == END_OWED and period.phase == Phase.EXPERIMENTATION:
                continue
            if moment == Moment.END and project.title == END_WAIVED:
                services.maturity_moment_waive(
                    actor=staff,
                    project=project,
                    phase=period.phase,
                    moment=moment,
                    reason="Le collectif s’est séparé à l’arrêt du projet : pas d’atelier de clôture possible.",
                )
                continue
            scores = {
                d.value: min(4, 1 + (i + index) % 2 + level + (i % 3 == 0 and level))
                for i, d in enumerate(Dimension)
            }
            services.maturity_assessment_save(
                actor=staff,
                project=project,
                phase=period.phase,
                moment=moment,
                assessed_on=when,
                scores=scores,
                participants="Membres du collectif présents à l’atelier",
            )


def _lessons(ctx, staff, projects, *, partner_organisations: set[int]) -> None:
    """The lessons, each drawn from one project; the first lesson of each partner's project is shared with its
    collective (the portal's « Enseignements partagés »), the others stay the team's."""
    from programme.models import Theme

    themes = {t.name: t for t in Theme.objects.all()}
    for index, (title, kind, phase, theme_names, body) in enumerate(LESSONS):
        lesson, created = Lesson.objects.get_or_create(
            title=title,
            defaults={
                "programme": ctx.programme,
                "kind": kind,
                "phase": phase,
                "body": body,
                "author": staff,
            },
        )
        if created:
            lesson.themes.set([themes[n] for n in theme_names if n in themes])
            if projects:
                project = projects[index % len(projects)]
                lesson.projects.set([project])
                if index < len(projects) and project.lead_organisation_id in partner_organisations:
                    lesson.shared_with_collective = True
                    lesson.save(update_fields=["shared_with_collective"])
