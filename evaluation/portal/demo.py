"""Demo data for the partner portal (idempotent; runs after evaluation.demo.build).

Makes sure `partner-a@demo.parcours.fr` and `partner-b@demo.parcours.fr` each find, in a live project:
deliverables their structure must hand in (one due soon, one sent back), an action of their own, a shared
workshop with minutes to read, a committee decision, indicators to report (one value sent back with a
reason) and an end-of-phase cooperative-maturity self-assessment the team opened for them. Everything is looked up before it is created.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from programme.demo import DemoContext
from programme.models import Person, User
from projects.models import (
    ACTIVE_PHASES,
    Action,
    Committee,
    CommitteeDecision,
    CommitteeKind,
    Deliverable,
    DeliverableStatus,
    DesignStep,
    MemberRole,
    Membership,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)

from .. import services
from ..models import ASSESSED_PHASES, Indicator, Measurement, Moment, ProjectIndicator

MINUTES = (
    "Présent·es : les membres du collectif et l’équipe du programme.\n\n"
    "1. Retour sur les entretiens avec les habitant·es : trois besoins prioritaires ressortent "
    "(horaires, prix, accompagnement).\n"
    "2. Travail en sous-groupes sur les pistes de réponse ; chaque structure porte une piste.\n"
    "3. Prochaines étapes : chaque structure envoie sa note d’une page avant le prochain atelier."
)


def _aware(d: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _live_project(user: User) -> Project | None:
    """The partner's live project (one whose collective includes their structure), preferring Émergence
    and Expérimentation."""
    assert user.organisation_id is not None  # build() skips partners without a structure
    ids = Membership.objects.filter(organisation_id=user.organisation_id, left_on__isnull=True).values(
        "project_id"
    )
    projects = list(Project.objects.filter(pk__in=ids, phase__in=ACTIVE_PHASES).order_by("title"))
    preferred = [p for p in projects if p.phase in (Phase.EMERGENCE, Phase.EXPERIMENTATION)]
    candidates = preferred or projects
    return candidates[0] if candidates else None


def _ensure_member(user: User, ctx: DemoContext) -> Project | None:
    project = _live_project(user)
    if project is not None:
        return project
    # No live project yet for this structure: join the first live project of the demo as a partner.
    project = (
        Project.objects.filter(phase__in=(Phase.EMERGENCE, Phase.EXPERIMENTATION)).order_by("title").first()
    )
    if project is not None:
        assert user.organisation_id is not None  # build() skips partners without a structure
        Membership.objects.get_or_create(
            project=project,
            organisation_id=user.organisation_id,
            defaults={
                "role": MemberRole.PARTNER,
                "joined_on": ctx.today - timedelta(days=90),
                "person": user.person,
            },
        )
    return project


def _person(user: User) -> Person | None:
    """The partner's contact record: the one linked to the account, or the structure's first contact."""
    if user.person_id:
        return user.person
    assert user.organisation_id is not None  # build() skips partners without a structure
    person = Person.objects.filter(organisation_id=user.organisation_id, anonymised_at__isnull=True).first()
    if person is not None:
        user.person = person
        user.save(update_fields=["person"])
    return person


def build(ctx: DemoContext) -> None:
    staff = ctx.users.get("staff")
    for key in ("partner_a", "partner_b"):
        user = ctx.users.get(key)
        if user is None or not user.organisation_id:
            continue
        project = _ensure_member(user, ctx)
        if project is None:
            continue
        _project_part(ctx, project, user, staff)
        _evaluation_part(ctx, project, user, staff)


def _project_part(ctx: DemoContext, project: Project, user: User, staff: User | None) -> None:
    today = ctx.today
    org_id = user.organisation_id
    if project.phase_periods.filter(phase=project.phase).first() is None:
        PhasePeriod.objects.get_or_create(
            project=project,
            phase=project.phase,
            defaults={
                "planned_start": today - timedelta(days=120),
                "actual_start": today - timedelta(days=120),
            },
        )
    Deliverable.objects.get_or_create(
        project=project,
        title="Note d’une page sur votre piste",
        defaults={
            "description": "Une page : le besoin visé, la réponse envisagée, les moyens que votre structure engage.",
            "due_date": today + timedelta(days=10),
            "owner_organisation_id": org_id,
        },
    )
    Deliverable.objects.get_or_create(
        project=project,
        title="Budget prévisionnel de votre structure",
        defaults={
            "description": "Renvoyé par l’équipe : la ligne « personnel » manque. Déposez une version corrigée.",
            "due_date": today + timedelta(days=3),
            "status": DeliverableStatus.RETURNED,
            "owner_organisation_id": org_id,
        },
    )
    person = _person(user)
    if person is not None:
        Action.objects.get_or_create(
            project=project,
            title="Partager la liste des bénévoles mobilisables",
            defaults={"owner_person": person, "due_date": today + timedelta(days=7)},
        )
    last_week = today - timedelta(days=8)
    Workshop.objects.get_or_create(
        project=project,
        title="Atelier de priorisation des besoins",
        defaults={
            "step": DesignStep.NEEDS,
            "starts_at": _aware(last_week, 14),
            "place": project.lead_organisation.town,
            "facilitator": staff,
            "agenda": "Retour des entretiens, priorisation, répartition des pistes.",
            "minutes": MINUTES,
            "outputs": "Trois besoins prioritaires et une piste par structure.",
            "shared_with_collective": True,
        },
    )
    committee, created = Committee.objects.get_or_create(
        project=project,
        kind=CommitteeKind.OPERATIONAL,
        date=today - timedelta(days=15),
        defaults={
            "agenda": "Point d’étape du collectif.",
            "minutes": "Relevé de décisions partagé.",
            "shared_with_collective": True,
        },
    )
    if created:
        CommitteeDecision.objects.create(
            committee=committee, text="Chaque structure désigne un·e référent·e pour la suite du projet."
        )


def _evaluation_part(ctx: DemoContext, project: Project, user: User, staff: User | None) -> None:
    """Indicators to report and an open self-assessment."""
    today = ctx.today
    reported = ProjectIndicator.objects.filter(project=project, reporter="partner").filter(
        reporter_organisation__isnull=True
    ) | ProjectIndicator.objects.filter(
        project=project, reporter="partner", reporter_organisation_id=user.organisation_id
    )
    if not reported.exists():
        indicator, _ = Indicator.objects.get_or_create(
            code="portail-benevoles",
            defaults={
                "name": "Bénévoles mobilisés par le collectif",
                "description": "Nombre de bénévoles ayant participé à au moins une action du projet dans la période.",
                "unit": "personnes",
                "type": "count",
                "aggregation": "latest",
                "periodicity": "quarterly",
                "verification": "Liste d’émargement ou registre des bénévoles",
            },
        )
        ProjectIndicator.objects.get_or_create(
            project=project,
            indicator=indicator,
            defaults={
                "reporter": "partner",
                "reporter_organisation_id": user.organisation_id,
                "baseline_value": 4,
                "target_value": 20,
            },
        )
    # One value sent back with a reason, so the "corriger et renvoyer" path shows.
    if not Measurement.objects.filter(project_indicator__in=reported, status="returned").exists():
        pi = reported.order_by("pk").first()
        assert pi is not None  # `reported` was filled above when empty
        quarter_start = today.replace(day=1, month=((today.month - 1) // 3) * 3 + 1)
        end = quarter_start - timedelta(days=1)
        start = end.replace(day=1, month=((end.month - 1) // 3) * 3 + 1)
        measurement = Measurement.objects.filter(
            project_indicator=pi, period_start=start, period_end=end
        ).first()
        if measurement is None:
            Measurement.objects.create(
                project_indicator=pi,
                period_start=start,
                period_end=end,
                value=6,
                source="Registre des bénévoles",
                status="returned",
                return_comment="Joignez la liste d’émargement de l’atelier de septembre.",
                entered_by=user,
                submitted_at=timezone.now(),
            )
    if project.phase in ASSESSED_PHASES and staff is not None:
        # The team opens the end-of-phase self-assessment ahead of the gate, for the collective to fill.
        services.maturity_assessment_open(actor=staff, project=project, moment=Moment.END)
