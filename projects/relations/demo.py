"""Demo exchanges with the collectives' structures (#15): for every accompanied project, a few exchanges
with its lead structure — some tied to the project, some shared with the structure (its partner accounts
see them in the portal), some with a next action owned by staff@demo still to do. Idempotent: a project
that already has exchanges is left as it is."""

from datetime import timedelta

from programme.demo import DemoContext
from programme.models import Person
from prospects.models import Exchange, ExchangeKind

from ..models import Phase, Project

#: (days before today, kind, subject, summary, outcome, shared, next action, days until it)
STORY = [
    (
        75,
        ExchangeKind.MEETING,
        "Lancement de l’accompagnement",
        "Rencontre avec l’équipe dirigeante : calendrier des ateliers et attentes du collectif.",
        "Calendrier validé",
        True,
        "",
        None,
    ),
    (
        40,
        ExchangeKind.CALL,
        "Point budget",
        "Appel avec la trésorière sur le budget prévisionnel et les cofinancements possibles.",
        "Deux financeurs à solliciter",
        False,
        "Transmettre la liste des appels à projets ouverts",
        -5,
    ),
    (
        12,
        ExchangeKind.VISIT,
        "Visite du site pilote",
        "Visite des locaux et du lieu d’expérimentation avec les bénévoles.",
        "Lieu adapté, travaux d’accessibilité à prévoir",
        True,
        "Envoyer le compte rendu de visite",
        6,
    ),
    (
        3,
        ExchangeKind.EMAIL,
        "Pièces du dossier",
        "Relance par e-mail pour les statuts à jour et le dernier rapport d’activité.",
        "",
        False,
        "Vérifier la réception des pièces",
        10,
    ),
]


def build(ctx: DemoContext) -> None:
    staff = ctx.users["staff"]
    projects = (
        Project.objects.exclude(phase=Phase.SELECTION)
        .filter(lead_organisation__isnull=False)
        .select_related("lead_organisation")
        .order_by("pk")
    )
    for index, project in enumerate(projects):
        if project.exchanges.exists():
            continue
        organisation = project.lead_organisation
        assert organisation is not None  # filtered above
        contact = Person.objects.filter(organisation=organisation, anonymised_at__isnull=True).first()
        for n, (days, kind, subject, summary, outcome, shared, action, due) in enumerate(STORY):
            if (index + n) % 5 == 4:
                continue  # not every project has every exchange
            exchange = Exchange.objects.create(
                organisation=organisation,
                contact=contact,
                kind=kind,
                date=ctx.today - timedelta(days=days + index % 7),
                user=staff,
                subject=subject,
                summary=summary,
                outcome=outcome,
                shared=shared,
                next_action=action,
                next_action_date=ctx.today + timedelta(days=due) if due is not None else None,
                owner=staff if action else None,
                # The oldest planned action is done; the newer ones are still open.
                next_action_done_on=ctx.today - timedelta(days=20) if action and days > 30 else None,
            )
            if n % 2 == 0 or shared:
                project.exchanges.add(exchange)
