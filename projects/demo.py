"""Demo projects: the first two cohorts' collectives spread over the whole pipeline (one stopped at the
gate, one in deployment, one whose gate is due within a month, one late for its gate decision, one just
selected), with workshops and attendance, committees, decisions and actions, milestones and deliverables
(some owed by partner structures), upcoming and overdue deadlines.

A history that could have happened: each project is its selection decision's (prospects' demo), its
Sélection starts the day of that decision, its Émergence when its cohort starts, and every later phase
with the gate decision that opened it.

Idempotent: a project is looked up by title; its history is only written when it is first created.
Phase moves go through `project_move`, so gate decisions, periods and audit entries are the real ones."""

from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from programme.demo import DemoContext
from prospects.models import Decision, SelectionDecision

from . import services
from .dates import add_months
from .models import (
    Action,
    ActionStatus,
    AdvocacyAction,
    Attendance,
    Committee,
    CommitteeDecision,
    CommitteeKind,
    Deliverable,
    DeliverableStatus,
    DeploymentSite,
    DesignStep,
    Dissemination,
    Engagement,
    ItemKind,
    MemberRole,
    Membership,
    Milestone,
    MilestoneStatus,
    Outcome,
    Phase,
    Project,
    SiteStatus,
    Stakeholder,
    Workshop,
    WorkshopItem,
)

# title, lead organisation, other members, problem, cohort index, path: [(outcome, months after the
# cohort's start)]; the first decision (Sélection → Émergence) is taken the day the cohort starts.
PROJECTS = [
    (
        "Alimentation solidaire au Tonkin",
        "Épicerie Coopérative du Tonkin",
        [
            ("Ville de Villeurbanne", MemberRole.LOCAL_AUTHORITY),
            ("BioRhône Distribution", MemberRole.PARTNER),
        ],
        "Des familles du quartier du Tonkin renoncent aux produits frais faute de commerce accessible.",
        0,
        # A short Émergence: Expérimentation began 17 and a half months ago, its gate is due within a month.
        [(Outcome.CONTINUE, 0), (Outcome.CONTINUE, 6)],
    ),
    (
        "Réemploi des matériaux du BTP",
        "Recyclerie des Pentes",
        [
            ("SCOP Atelier Bois Vénissieux", MemberRole.PARTNER),
            ("Métropole de Lyon — Direction de l’ESS", MemberRole.FUNDER),
        ],
        "Les chantiers de la Métropole jettent des matériaux réemployables que les artisans achètent neufs.",
        0,
        [(Outcome.CONTINUE, 0), (Outcome.CONTINUE, 10)],
    ),
    (
        "Énergie citoyenne dans les copropriétés",
        "Coopérative Énergies Citoyennes Lyonnaises",
        [
            ("Bailleur Est Métropole Habitat", MemberRole.PARTNER),
            ("Rénov’Habitat Services", MemberRole.PARTNER),
            ("Métropole de Lyon — Direction de l’ESS", MemberRole.FUNDER),
        ],
        "Les copropriétés modestes n’accèdent pas aux installations solaires partagées.",
        0,
        [(Outcome.CONTINUE, 0), (Outcome.CONTINUE, 10), (Outcome.CONTINUE, 20)],
    ),
    (
        "Habitat partagé intergénérationnel",
        "Habitat Partagé du Rhône",
        [("Ville de Vaulx-en-Velin", MemberRole.LOCAL_AUTHORITY), ("CCAS de Vénissieux", MemberRole.PARTNER)],
        "Des seniors isolés vivent dans des logements trop grands tandis que des jeunes actifs ne trouvent pas à se loger.",
        0,
        [(Outcome.CONTINUE, 0), (Outcome.STOP, 10)],
    ),
    (
        "Vélos-cargos pour les commerces de quartier",
        "Vélo-Cité Rhône",
        [
            ("Transports Durables Lyonnais SAS", MemberRole.PARTNER),
            ("Ville de Villeurbanne", MemberRole.LOCAL_AUTHORITY),
        ],
        "Les livraisons du dernier kilomètre saturent les rues commerçantes.",
        1,
        # Émergence (10 months) began with the cohort a year ago: "en retard de décision" for 2 months.
        [(Outcome.CONTINUE, 0)],
    ),
    (
        "Répit pour les aidants de l’Ouest lyonnais",
        "Maison des Aidants de l’Ouest Lyonnais",
        [("Mutuelle Entraide Lyonnaise", MemberRole.FUNDER), ("Santé Commune Vaulx", MemberRole.PARTNER)],
        "Les aidants familiaux s’épuisent faute de solutions de répit de proximité.",
        1,
        [],  # retained from the waiting list a month ago: in Sélection
    ),
]

WORKSHOPS = [
    (
        "Atelier d’analyse des besoins",
        DesignStep.NEEDS,
        "Cartographie des besoins ; 12 verbatims d’habitants.",
    ),
    ("Atelier d’idéation", DesignStep.IDEATION, "30 idées, 5 retenues après vote pondéré."),
    ("Atelier de conception", DesignStep.DESIGN, "Parcours usager et modèle économique esquissés."),
    ("Atelier prototypage", DesignStep.PROTOTYPING, "Maquette testée auprès de 8 usagers."),
]


def _at(d: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _selection_decision(cohort, lead) -> SelectionDecision | None:
    return SelectionDecision.objects.filter(
        cohort=cohort, prospect__organisation=lead, decision=Decision.RETAINED
    ).first()


def build(ctx: DemoContext) -> None:
    director, staff, staff2 = ctx.users["director"], ctx.users["staff"], ctx.users["staff2"]
    today = ctx.today
    assert ctx.programme is not None  # the programme's own demo step runs first
    projects = ctx.extra.setdefault("projects", {})
    for index, (title, lead_name, members, problem, cohort_index, path) in enumerate(PROJECTS):
        lead = ctx.organisations[lead_name]
        cohort = ctx.cohorts[cohort_index]
        decision = _selection_decision(cohort, lead)
        project, created = Project.objects.get_or_create(
            title=title,
            defaults={
                "programme": ctx.programme,
                "cohort": cohort,
                "lead_organisation": lead,
                "phase": Phase.SELECTION,
                "problem": problem,
                "territory": lead.territory,
                "selection_decision": decision,
            },
        )
        projects[title] = project
        if not created:
            continue
        project.themes.set(lead.themes.all())
        project.staff_leads.set([staff if index % 2 == 0 else staff2])
        # Sélection starts the day the committee retained the collective.
        selected = timezone.localtime(decision.decided_at).date() if decision else cohort.start_date
        Membership.objects.create(
            project=project,
            organisation=lead,
            role=MemberRole.LEAD,
            joined_on=selected,
            person=lead.people.first(),
        )
        for name, role in members:
            org = ctx.organisations[name]
            Membership.objects.create(
                project=project, organisation=org, role=role, joined_on=selected, person=org.people.first()
            )
        services.project_start_phase(actor=director, project=project, phase=Phase.SELECTION, start=selected)
        for outcome, after in path:
            decided_on = min(add_months(cohort.start_date, after) + timedelta(days=14 if after else 0), today)
            project.refresh_from_db()
            to_phase = services.target_phase(project.phase, outcome)
            assert to_phase is not None  # each path is a valid sequence of gate decisions
            services.project_move(
                actor=director,
                project=project,
                outcome=outcome,
                to_phase=to_phase,
                decided_on=decided_on,
                committee="Comité d’engagement du programme",
                rationale=(
                    "Le collectif est constitué, les engagements sont pris."
                    if outcome == Outcome.CONTINUE
                    else "Le foncier envisagé n’est plus disponible et le collectif ne s’est pas stabilisé."
                ),
                conditions="Désigner un·e référent·e par structure." if outcome == Outcome.CONTINUE else "",
            )
        project.refresh_from_db()
        _populate(ctx, project, start=selected, index=index)


def _populate(ctx: DemoContext, project: Project, *, start: date, index: int) -> None:
    today = ctx.today
    staff = ctx.users["staff"] if index % 2 == 0 else ctx.users["staff2"]
    people = [m.person for m in project.memberships.select_related("person") if m.person]
    members = [m.organisation for m in project.memberships.select_related("organisation")]
    emergence = project.phase_periods.filter(phase=Phase.EMERGENCE).first()

    # Émergence: workshops with attendance, and the needs → ideas → prototypes they produced.
    if emergence:
        assert emergence.actual_start is not None  # opened by a gate decision
        end = emergence.actual_end or today
        span = max((end - emergence.actual_start).days, 40)
        previous = None
        for n, (title, step, outputs) in enumerate(WORKSHOPS):
            day = emergence.actual_start + timedelta(days=span * (n + 1) // (len(WORKSHOPS) + 1))
            if day > today:
                break
            workshop = Workshop.objects.create(
                project=project,
                title=title,
                step=step,
                starts_at=_at(day),
                place="Maison de l’ESS, Lyon 7e" if n % 2 else project.lead_organisation.town,
                facilitator=staff,
                agenda="Accueil, inclusion, travail en sous-groupes, restitution.",
                minutes="Compte-rendu rédigé par l’équipe et validé par le collectif.",
                outputs=outputs,
                shared_with_collective=n != 2,
            )
            Attendance.objects.bulk_create(
                Attendance(workshop=workshop, person=p, invited=True, present=(i + n) % 3 != 0)
                for i, p in enumerate(people)
            )
            kind = [ItemKind.NEED, ItemKind.IDEA, ItemKind.IDEA, ItemKind.PROTOTYPE][n]
            item = WorkshopItem.objects.create(
                project=project,
                workshop=workshop,
                kind=kind,
                title=f"{kind.label} issu·e de « {title} »",
                answers=previous if kind != ItemKind.NEED and previous and previous.kind != kind else None,
            )
            if kind != ItemKind.IDEA or previous is None or previous.kind == ItemKind.NEED:
                previous = item
        # An upcoming workshop for the live projects.
        if project.phase == Phase.EMERGENCE:
            Workshop.objects.create(
                project=project,
                title="Atelier de test avec les usagers",
                step=DesignStep.TEST,
                starts_at=_at(today + timedelta(days=9), 9),
                place=project.lead_organisation.town,
                facilitator=staff,
                agenda="Test du prototype, retours des usagers.",
            )

    # Expérimentation and beyond: governance.
    if project.phase in (Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
        experimentation = project.phase_periods.get(phase=Phase.EXPERIMENTATION)
        assert experimentation.actual_start is not None  # opened by a gate decision
        for n, committee_kind in enumerate(
            [CommitteeKind.COPIL, CommitteeKind.COTECH, CommitteeKind.OPERATIONAL, CommitteeKind.COPIL]
        ):
            day = experimentation.actual_start + timedelta(days=45 * (n + 1))
            if day > today + timedelta(days=20):
                break
            committee = Committee.objects.create(
                project=project,
                kind=committee_kind,
                date=day,
                place="Hôtel de la Métropole"
                if committee_kind == CommitteeKind.COPIL
                else project.lead_organisation.town,
                agenda="Point d’avancement, budget, prochaines étapes.",
                minutes="Relevé de décisions diffusé au collectif." if day <= today else "",
            )
            committee.attendees.set(people[:3])
            committee.staff_attendees.set([staff])
            if day <= today:
                CommitteeDecision.objects.create(
                    committee=committee, text="Valider le calendrier du trimestre."
                )
                if committee_kind == CommitteeKind.COPIL:
                    CommitteeDecision.objects.create(
                        committee=committee, text="Ouvrir un second site pilote."
                    )
                Action.objects.create(
                    project=project,
                    committee=committee,
                    title="Envoyer le relevé de décisions aux financeurs",
                    owner_user=staff,
                    due_date=day + timedelta(days=7),
                    status=ActionStatus.DONE,
                )
        Action.objects.create(
            project=project,
            title="Consolider le budget prévisionnel de l’année 2",
            owner_person=people[0] if people else None,
            owner_user=None if people else staff,
            due_date=today + timedelta(days=7),
        )
        Action.objects.create(
            project=project,
            title="Relancer la collectivité sur la convention d’occupation",
            owner_user=staff,
            due_date=today - timedelta(days=1),
        )

    # Milestones and deliverables, with due dates around today (upcoming and overdue).
    current = project.phase_periods.filter(actual_end__isnull=True).first()
    if project.phase != Phase.STOPPED and current:
        assert current.actual_start is not None  # an open period has started
        done = Milestone.objects.create(
            project=project,
            title="Collectif constitué et charte signée",
            due_date=current.actual_start + timedelta(days=30),
            status=MilestoneStatus.DONE,
            done_on=current.actual_start + timedelta(days=28),
            owner=staff,
        )
        upcoming = Milestone.objects.create(
            project=project,
            title="Modèle économique validé",
            due_date=today + timedelta(days=14),
            owner=staff,
        )
        Milestone.objects.create(
            project=project,
            title="Premier bilan d’activité",
            due_date=today - timedelta(days=6) if index % 2 else today + timedelta(days=45),
            owner=staff,
        )
        partner = project.lead_organisation
        Deliverable.objects.create(
            project=project,
            milestone=done,
            title="Charte de coopération signée",
            due_date=current.actual_start + timedelta(days=30),
            status=DeliverableStatus.ACCEPTED,
            owner_organisation=partner,
        )
        Deliverable.objects.create(
            project=project,
            milestone=upcoming,
            title="Budget prévisionnel",
            due_date=today + timedelta(days=7),
            owner_organisation=partner,
        )
        Deliverable.objects.create(
            project=project,
            title="Note de synthèse des entretiens usagers",
            due_date=today - timedelta(days=1),
            owner_organisation=members[-1],
        )
        Deliverable.objects.create(
            project=project,
            title="Compte-rendu du dernier comité",
            due_date=today + timedelta(days=1),
            owner_user=staff,
        )
    if current and current.planned_end and project.phase == Phase.EXPERIMENTATION:
        # Keep one gate deadline inside the reminders' 30-day window for the demo.
        pass

    # Déploiement: essaimage, diffusion, plaidoyer.
    if project.phase == Phase.DEPLOYMENT:
        for n, territory in enumerate(ctx.territories[1:4]):
            DeploymentSite.objects.create(
                project=project,
                territory=territory,
                partner=members[(n + 1) % len(members)],
                status=[SiteStatus.RUNNING, SiteStatus.STARTING, SiteStatus.EXPLORING][n],
                started_on=today - timedelta(days=60 - 20 * n) if n < 2 else None,
            )
        Dissemination.objects.create(
            project=project,
            date=today - timedelta(days=20),
            what="Guide méthodologique de l’autoconsommation collective",
            audience="Réseau des bailleurs sociaux",
            channel="Webinaire",
        )
        AdvocacyAction.objects.create(
            project=project,
            target="Métropole de Lyon — vice-présidence à la transition énergétique",
            date=today - timedelta(days=12),
            description="Présentation des résultats de l’expérimentation.",
            outcome="Inscription au plan climat en cours d’étude.",
        )

    # Stakeholder map and one shared document.
    for n, org in enumerate(members):
        Stakeholder.objects.create(
            project=project,
            name=org.name,
            organisation=org,
            influence=3 - n % 3,
            interest=1 + (n + 1) % 3,
            engagement=[Engagement.LEADING, Engagement.SUPPORTIVE, Engagement.NEUTRAL, Engagement.RESISTANT][
                n % 4
            ],
        )
    services.document_upload(
        actor=ctx.users["director"],
        project=project,
        title="Convention d’accompagnement",
        description="Convention signée entre le programme et le collectif.",
        shared_with_collective=True,
        file=ContentFile(
            f"Convention d’accompagnement — {project.title}\nSignée par les membres du collectif.\n".encode(),
            name="convention.txt",
        ),
    )
