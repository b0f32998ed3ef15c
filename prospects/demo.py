"""Demo data for prospects: ~60 prospects across every stage and source, their exchanges, two events,
interviews scored by two interviewers, and the selection committees of the first two cohorts (each
candidate's exchanges and interview before its committee; the next cohort's candidates are being
interviewed now). Idempotent: a prospect that already exists is left as it is, events and structures are
looked up by name.

Everything goes through the services, so stage history, scores and audit entries are the real ones.
The retained candidates become projects in `projects.selection.demo.build`
(a later demo step: prospects never imports projects)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from programme.demo import DemoContext, demo_organisation, demo_siren, selection_committee_date
from programme.models import Organisation, Person

from . import services
from .models import (
    Decision,
    Event,
    EventKind,
    ExchangeKind,
    Prospect,
    Recommendation,
    SelectionDecision,
    Source,
    Stage,
    StageChange,
)

# Extra structures met by the watch (name, kind, town, territory index, theme indexes).
EXTRA_ORGANISATIONS = [
    ("Régie de Quartier Mermoz", "association", "Lyon", 0, [2, 6]),
    ("Atelier Vélo Gerland", "association", "Lyon", 0, [1]),
    ("Coopérative Cycl’Pro", "scop", "Villeurbanne", 1, [1, 4]),
    ("Café Associatif Les Tilleuls", "association", "Vaulx-en-Velin", 2, [6]),
    ("Ferme Urbaine des Minguettes", "association", "Vénissieux", 3, [0]),
    ("Couveuse d’Activités Rhône", "association", "Lyon", 0, [2]),
    ("Mutuelle Solidaire du Rhône", "mutuelle", "Lyon", 0, [5]),
    ("SCIC Habitat Coopératif Villeurbanne", "scic", "Villeurbanne", 1, [3]),
    ("Repair Café Croix-Rousse", "association", "Lyon", 0, [4]),
    ("Légumerie Solidaire de l’Est", "esus", "Vaulx-en-Velin", 2, [0, 2]),
    ("Conciergerie Solidaire Part-Dieu", "esus", "Lyon", 0, [2]),
    ("Auto-école Sociale Vénissieux", "association", "Vénissieux", 3, [1, 2]),
    ("Maison de Santé Pluriprofessionnelle Vaulx Sud", "association", "Vaulx-en-Velin", 2, [5]),
    ("Énergie Partagée Beaujolais", "cooperative", "Villefranche-sur-Saône", 5, [7]),
    ("Logistique Urbaine Durable SAS", "company", "Lyon", 0, [1, 7]),
    ("Restaurant d’Insertion Le Comptoir", "esus", "Lyon", 0, [0, 2]),
    ("Fablab des Pentes", "association", "Lyon", 0, [6]),
    ("Centre Social Gérland", "association", "Lyon", 0, [6, 5]),
    ("Bureau d’Études Bas Carbone Rhône", "company", "Villeurbanne", 1, [7, 3]),
    ("Ville de Vénissieux — Mission Insertion", "collectivite", "Vénissieux", 3, [2]),
    ("Office Public de l’Habitat Ouest", "public_body", "Écully", 4, [3]),
    ("Entreprise Adaptée Lumière", "esus", "Lyon", 0, [2]),
    ("Recyclerie Sportive Villeurbannaise", "association", "Villeurbanne", 1, [4, 6]),
    ("Compost Collectif Lyonnais", "association", "Lyon", 0, [4, 0]),
    ("Tiers-Lieu Nourricier Beaujolais", "association", "Villefranche-sur-Saône", 5, [0, 6]),
    ("Plateforme Mobilité Emploi Ouest", "association", "Tassin-la-Demi-Lune", 4, [1, 2]),
    ("Crèche Parentale Les Lucioles", "association", "Lyon", 0, [5, 6]),
    ("Imprimerie Numérique Responsable SAS", "company", "Vénissieux", 3, [4]),
]

SOURCES = [
    Source.WATCH,
    Source.EVENT,
    Source.NETWORK,
    Source.RECOMMENDATION,
    Source.SPONTANEOUS,
    Source.IMPORT,
]

# Target pipeline for the prospects in order (the selection ones are handled separately below).
PLAN = (
    [Stage.IDENTIFIED] * 12
    + [Stage.CONTACTED] * 11
    + [Stage.INTERESTED] * 8
    + [Stage.INTERVIEW_PLANNED] * 6
    + [Stage.PREQUALIFIED] * 6
    + [Stage.CANDIDATE] * 5
    + [Stage.DISCARDED] * 5
)
# The committees of the first two cohorts: (structure, cohort index, decision, score profile 0–3 per
# interviewer). The second cohort had two places: its waiting-list candidate is retained a month ago
# (`LATE_RETAINED`), when the second place was funded.
SELECTION = [
    ("Épicerie Coopérative du Tonkin", 0, Decision.RETAINED, (3, 3)),
    ("Recyclerie des Pentes", 0, Decision.RETAINED, (3, 2)),
    ("Coopérative Énergies Citoyennes Lyonnaises", 0, Decision.RETAINED, (2, 3)),
    ("Habitat Partagé du Rhône", 0, Decision.RETAINED, (2, 2)),
    ("Mobil’Emploi 69", 0, Decision.WAITING_LIST, (2, 1)),
    ("Compagnie Théâtre des Quartiers", 0, Decision.NOT_RETAINED, (1, 1)),
    ("Transports Durables Lyonnais SAS", 0, Decision.NOT_RETAINED, (1, 0)),
    ("Vélo-Cité Rhône", 1, Decision.RETAINED, (3, 2)),
    ("Maison des Aidants de l’Ouest Lyonnais", 1, Decision.WAITING_LIST, (2, 2)),
    ("Groupe Numérique Inclusif Lyon", 1, Decision.NOT_RETAINED, (1, 1)),
]
LATE_RETAINED = "Maison des Aidants de l’Ouest Lyonnais"
LATE_RETAINED_DAYS_AGO = 30
PROJECT_IDEAS = {
    "Épicerie Coopérative du Tonkin": "Alimentation solidaire au Tonkin",
    "Recyclerie des Pentes": "Réemploi des matériaux du BTP",
    "Coopérative Énergies Citoyennes Lyonnaises": "Énergie citoyenne dans les copropriétés",
    "Habitat Partagé du Rhône": "Habitat partagé intergénérationnel",
    "Vélo-Cité Rhône": "Vélos-cargos pour les commerces de quartier",
    "Maison des Aidants de l’Ouest Lyonnais": "Répit pour les aidants de l’Ouest lyonnais",
}
RATIONALES: dict[str, str] = {
    Decision.RETAINED: "Collectif solide et besoin avéré : retenu par le comité.",
    Decision.WAITING_LIST: "Projet intéressant, à reprendre si une place se libère.",
    Decision.NOT_RETAINED: "Coopération encore trop peu construite pour cette promotion.",
}
DISCARD_REASONS = [
    "Pas de projet coopératif à court terme",
    "Structure en redressement judiciaire",
    "Hors du territoire du programme",
    "Déjà accompagnée par un autre dispositif",
]


def _aware(day, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _interview(
    ctx: DemoContext, prospect: Prospect, *, day, profile: tuple[int, int], recommendation: str
) -> None:
    staff, staff2 = ctx.users["staff"], ctx.users["staff2"]
    contacts = list(Person.objects.filter(organisation=prospect.organisation)[:2])
    interview = services.interview_schedule(
        actor=staff,
        prospect=prospect,
        scheduled_at=_aware(day),
        interviewers=[staff, staff2],
        place="Locaux de la structure" if profile[0] % 2 else "",
        remote=not profile[0] % 2,
        contacts=contacts,
    )
    criteria = list(interview.grid.criteria.all())
    for user, base in ((staff, profile[0]), (staff2, profile[1])):
        values = {
            c.pk: (max(0, min(3, base + (1 if i == 0 else 0) - (1 if i == len(criteria) - 1 else 0))), "")
            for i, c in enumerate(criteria)
        }
        services.interview_score(actor=user, interview=interview, values=values)
    services.interview_complete(
        actor=staff,
        interview=interview,
        recommendation=recommendation,
        rationale="Collectif motivé, besoin social bien identifié sur le territoire."
        if recommendation == Recommendation.PROPOSE
        else "Projet encore flou : à revoir après un second échange.",
    )


def _exchanges(
    ctx: DemoContext, prospect: Prospect, index: int, count: int, *, until: date, follow_up: bool = True
) -> None:
    """`count` exchanges, 20 days apart, the last one a few days before `until`. With `follow_up`, the
    last one plans the next action (around today); without, the prospect has nothing left to chase."""
    users = [ctx.users["staff"], ctx.users["staff2"]]
    kinds = [ExchangeKind.CALL, ExchangeKind.EMAIL, ExchangeKind.MEETING]
    next_action, next_date = (
        "Envoyer la plaquette et proposer un entretien",
        ctx.today + timedelta(days=(index % 21) - 7),
    )
    for n in range(count):
        day = until - timedelta(days=20 * (count - 1 - n) + 3 + index % 10)
        last = n == count - 1
        prospect.exchanges.create(
            organisation_id=prospect.organisation_id,
            kind=kinds[(index + n) % 3],
            date=day,
            user=users[(index + n) % 2],
            summary=[
                "Premier contact : présentation du programme d’accompagnement.",
                "Échange sur le besoin social identifié et les partenaires possibles.",
                "Rendez-vous dans leurs locaux avec la direction.",
            ][n % 3],
            outcome="Intéressé, souhaite en parler en conseil d’administration" if n else "À recontacter",
            next_action=next_action if last and follow_up else "",
            next_action_date=next_date if last and follow_up else None,
        )
    if count and follow_up:
        prospect.next_action = next_action
        prospect.next_action_date = next_date
        prospect.save(update_fields=["next_action", "next_action_date"])


def _decide(ctx: DemoContext, cohort, prospect: Prospect, decision: str, *, on: date) -> None:
    """The director's decision through the service, dated the day the committee sat (the service stamps
    it now)."""
    record = services.selection_decide(
        actor=ctx.users["director"],
        cohort=cohort,
        prospect=prospect,
        decision=decision,
        rationale=RATIONALES[decision],
    )
    SelectionDecision.objects.filter(pk=record.pk).update(decided_at=_aware(on, 18))


def _advance(ctx: DemoContext, prospect: Prospect, target: str, index: int) -> None:
    staff = ctx.users["staff"]
    path = [Stage.CONTACTED, Stage.INTERESTED]
    if target == Stage.DISCARDED:
        if index % 2:
            services.prospect_move(actor=staff, prospect=prospect, to_stage=Stage.CONTACTED)
        services.prospect_move(
            actor=staff,
            prospect=prospect,
            to_stage=Stage.DISCARDED,
            reason=DISCARD_REASONS[index % len(DISCARD_REASONS)],
        )
        return
    order: list[str] = [
        Stage.IDENTIFIED,
        Stage.CONTACTED,
        Stage.INTERESTED,
        Stage.INTERVIEW_PLANNED,
        Stage.PREQUALIFIED,
        Stage.CANDIDATE,
    ]
    reach = order.index(target)
    for stage in path[: min(reach, 2)]:
        services.prospect_move(actor=staff, prospect=prospect, to_stage=stage)
    if reach >= 3:
        day = (
            ctx.today + timedelta(days=5 + index % 10)
            if reach == 3
            else ctx.today - timedelta(days=30 + index)
        )
        if reach == 3:
            services.interview_schedule(
                actor=staff,
                prospect=prospect,
                scheduled_at=_aware(day, 14),
                interviewers=[staff, ctx.users["staff2"]],
                remote=True,
            )
        else:
            _interview(
                ctx,
                prospect,
                day=day,
                profile=(1 + index % 3, 2 if index % 2 else 1),
                recommendation=Recommendation.PROPOSE if index % 3 else Recommendation.REVIEW,
            )
    if reach >= 5:
        services.prospect_move(actor=staff, prospect=prospect, to_stage=Stage.CANDIDATE)


def _organisation(
    ctx: DemoContext, index: int, name: str, kind: str, town: str, territory: int, themes
) -> Organisation:
    org, created = demo_organisation(
        ctx,
        name,
        themes=themes,
        kind=kind,
        town=town,
        siren=demo_siren(60 + index) if kind != "collectivite" else "",
        territory=ctx.territories[territory],
    )
    if created:
        Person.objects.create(
            first_name=["Amélie", "Bastien", "Chloé", "Driss", "Fanny", "Grégoire"][index % 6],
            last_name=["Perret", "Gauthier", "Morel", "Lopez", "Bertrand", "Renaud"][index % 6],
            email=f"contact@prospect-{index}.exemple.fr",
            organisation=org,
            job_title="Coordinatrice" if index % 2 else "Directeur",
            consent_basis="legitimate_interest",
            consent_date=ctx.today - timedelta(days=200),
            consent_source="Veille du programme",
        )
    return org


def settle(ctx: DemoContext) -> None:
    """Date each prospect's stage history along its own story. The services stamp a move « now », so without
    this every prospect of the demo would have been created and moved today, after exchanges dated months
    ago. A step of its own, the last of seed_demo, since later steps move prospects too (calls, selection).
    The creation is put two weeks before its first exchange, the last move on its last exchange,
    interview or committee that has happened, the moves in between spread evenly. The board's « depuis »,
    the list and the structure's timeline then read like a programme running for months. Rerun, it gives
    the same dates."""
    prospects = Prospect.objects.filter(programme=ctx.programme).prefetch_related(
        "exchanges", "interviews", "selection_decisions", "stage_changes"
    )
    dated_changes, dated_prospects = [], []
    for prospect in prospects.order_by("pk"):
        days = [exchange.date for exchange in prospect.exchanges.all()]
        days += [timezone.localtime(i.scheduled_at).date() for i in prospect.interviews.all()]
        days += [timezone.localtime(d.decided_at).date() for d in prospect.selection_decisions.all()]
        past = [day for day in days if day < ctx.today]
        end = max(past) if past else ctx.today - timedelta(days=2 + prospect.pk % 12)
        start = min([*past, end]) - timedelta(days=14)
        changes = sorted(prospect.stage_changes.all(), key=lambda change: (change.changed_at, change.pk))
        step = (end - start) / max(len(changes) - 1, 1)
        for k, change in enumerate(changes):
            change.changed_at = _aware(start + step * k, 9 + k % 8)
        prospect.created_at = _aware(start, 9)
        prospect.stage_changed_at = changes[-1].changed_at if changes else prospect.created_at
        dated_changes += changes
        dated_prospects.append(prospect)
    StageChange.objects.bulk_update(dated_changes, ["changed_at"], batch_size=500)
    Prospect.objects.bulk_update(dated_prospects, ["created_at", "stage_changed_at"], batch_size=500)


def build(ctx: DemoContext) -> None:
    programme = ctx.programme
    assert programme is not None  # the programme step runs first (seed_demo's order)
    staff, staff2 = ctx.users["staff"], ctx.users["staff2"]
    services.grid_ensure_default(programme=programme, actor=staff)
    # The pipeline's candidates are for the next cohort, whose committee has not sat yet.
    next_cohort = ctx.cohorts[-1]

    selection_names = {name for name, *_rest in SELECTION}
    organisations = [org for name, org in ctx.organisations.items() if name not in selection_names]
    organisations += [
        _organisation(ctx, i, name, kind, town, territory, themes)
        for i, (name, kind, town, territory, themes) in enumerate(EXTRA_ORGANISATIONS)
    ]
    for index, (org, target) in enumerate(zip(organisations, PLAN, strict=False)):
        if Prospect.objects.filter(programme=programme, organisation=org).exists():
            continue
        prospect = services.prospect_create(
            actor=staff,
            programme=programme,
            organisation=org,
            source=SOURCES[index % len(SOURCES)],
            owner=staff if index % 2 else staff2,
            cohort=next_cohort if target in (Stage.PREQUALIFIED, Stage.CANDIDATE) else None,
            project_idea="" if index % 3 else f"Coopération territoriale — {org.town}",
        )
        _exchanges(
            ctx,
            prospect,
            index,
            0 if target == Stage.IDENTIFIED and index % 2 else 1 + index % 4,
            until=ctx.today - timedelta(days=90),  # before any interview below
            follow_up=target != Stage.DISCARDED,
        )
        _advance(ctx, prospect, target, index)

    # The first two cohorts' selection committees, decided by the director on the committee's day.
    for index, (name, cohort_index, decision, profile) in enumerate(SELECTION):
        org = ctx.organisations[name]
        if Prospect.objects.filter(programme=programme, organisation=org).exists():
            continue
        cohort = ctx.cohorts[cohort_index]
        committee = selection_committee_date(cohort)
        interview_day = committee - timedelta(days=40 - index)
        prospect = services.prospect_create(
            actor=staff,
            programme=programme,
            organisation=org,
            source=SOURCES[(index + 2) % len(SOURCES)],
            owner=staff if index % 2 == 0 else staff2,
            cohort=cohort,
            project_idea=PROJECT_IDEAS.get(name, ""),
        )
        # The exchanges led to the interview; the committee's decision closes the prospecting.
        _exchanges(ctx, prospect, index, 3, until=interview_day, follow_up=False)
        for stage in (Stage.CONTACTED, Stage.INTERESTED):
            services.prospect_move(actor=staff, prospect=prospect, to_stage=stage)
        _interview(
            ctx,
            prospect,
            day=interview_day,
            profile=profile,
            recommendation=Recommendation.PROPOSE if profile[0] >= 2 else Recommendation.REJECT,
        )
        services.prospect_move(actor=staff, prospect=prospect, to_stage=Stage.CANDIDATE)
        _decide(ctx, cohort, prospect, decision, on=committee)
        if name == LATE_RETAINED:
            _decide(
                ctx,
                cohort,
                prospect,
                Decision.RETAINED,
                on=ctx.today - timedelta(days=LATE_RETAINED_DAYS_AGO),
            )

    # Two events where the programme was represented, with the prospects met there.
    events = [
        (
            "Journée régionale de l’ESS Auvergne-Rhône-Alpes",
            EventKind.REGIONAL_DAY,
            60,
            "Hôtel de Région, Lyon",
        ),
        ("Rencontres des tiers-lieux de la Métropole", EventKind.NETWORK, 25, "La Friche Gerland, Lyon"),
    ]
    met = list(
        Prospect.objects.filter(programme=programme, source=Source.EVENT).select_related("organisation")[:8]
    )
    for n, (name, kind, days_ago, place) in enumerate(events):
        event, created = Event.objects.get_or_create(
            programme=programme,
            name=name,
            defaults={"kind": kind, "date": ctx.today - timedelta(days=days_ago), "place": place},
        )
        if created:
            event.staff.set([staff, staff2] if n == 0 else [staff2])
            for prospect in met[n * 4 : n * 4 + 4]:
                services.event_link_prospect(actor=staff2, event=event, prospect=prospect)
