"""Demo events (#20): the Journée régionale of the prospects demo grown into a full day (agenda, co-organisers,
40 registrants, attendance, satisfaction), a training module with two sessions (one held, with attendance per
sequence; one to come, open to registration) and a gathering of the first cohort, its collectives invited.
Through the services; idempotent (the training module marks that it ran). The registrations' e-mails are
marked sent, so the demo sends nothing."""

from datetime import time, timedelta
from decimal import Decimal

from django.db.models import F

from programme.demo import DemoContext
from programme.models import ConsentBasis, Organisation, Person

from . import selectors, services
from .models import (
    Event,
    EventKind,
    EventPartner,
    PartnerRole,
    Registration,
    RegistrationStatus,
    Sequence,
    SequenceKind,
    SurveyAnswer,
    TrainingModule,
)

MODULE = "Stratégies territoriales de transition"

FIRST = ["Camille", "Louis", "Inès", "Hugo", "Léa", "Nathan", "Chloé", "Yanis", "Manon", "Théo"]
LAST = [
    "Bernard",
    "Moreau",
    "Fournier",
    "Girard",
    "Lambert",
    "Bonnet",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
]
STRUCTURES = ["Tiers-lieu des Pentes", "Ressourcerie du Rhône", "SCIC Énergie Citoyenne", "Mairie de Vaulx"]
COMMENTS = [
    "La table ronde des élus était très concrète.",
    "Trop court pour l’atelier, on aurait aimé plus de temps.",
    "Bravo pour l’accueil, des contacts utiles.",
]


def _people(n: int, source: str) -> list[Person]:
    people = []
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]
        email = f"{first}.{last}.{i}@exemple.fr".lower().replace("é", "e").replace("è", "e").replace("ï", "i")
        person = Person.objects.filter(email=email).first() or Person.objects.create(
            first_name=first,
            last_name=last,
            email=email,
            consent_basis=ConsentBasis.CONSENT,
            consent_source=source,
        )
        people.append(person)
    return people


def _agenda(
    event: Event, rows: list[tuple[SequenceKind, str, int, int, str, str]], day_offset: int = 0
) -> list[Sequence]:
    day = event.date + timedelta(days=day_offset)
    return [
        Sequence.objects.create(
            event=event,
            kind=kind,
            title=title,
            day=day,
            start_time=time(start // 100, start % 100),
            end_time=time(end // 100, end % 100),
            room=room,
            speakers=speakers,
        )
        for kind, title, start, end, room, speakers in rows
    ]


def build(ctx: DemoContext) -> None:
    programme = ctx.programme
    if programme is None or TrainingModule.objects.filter(programme=programme, title=MODULE).exists():
        return
    staff = ctx.users.get("staff")
    today = ctx.today
    assert staff is not None

    # 1. The Journée régionale (the prospects demo's event of 60 days ago), a full day now.
    day = Event.objects.filter(programme=programme, kind=EventKind.REGIONAL_DAY).order_by("date").first()
    if day is None:
        day = Event.objects.create(
            programme=programme,
            name="Journée régionale des transitions",
            kind=EventKind.REGIONAL_DAY,
            date=today - timedelta(days=60),
        )
    day.start_time, day.end_time, day.capacity, day.is_public = time(9), time(17), 45, True
    day.description = (
        "Élus, CRESS, collectifs accompagnés et partenaires : une journée de tables rondes et d’ateliers "
        "sur les transitions dans les territoires."
    )
    day.territory = ctx.territories[0] if ctx.territories else None
    day.ensure_public_key()
    day.write_up = (
        "Une centaine d’échanges, trois pistes de coopération entre collectivités et structures de l’ESS, "
        "un groupe de travail sur la commande publique responsable."
    )
    day.save()
    if ctx.themes:
        day.themes.set(ctx.themes[:2])
    for name, role in (
        ("CRESS Auvergne-Rhône-Alpes", PartnerRole.CO_ORGANISER),
        ("Région Auvergne-Rhône-Alpes", PartnerRole.HOST),
    ):
        organisation = Organisation.objects.filter(name=name).first() or Organisation.objects.create(
            name=name, kind="institution", town="Lyon"
        )
        EventPartner.objects.get_or_create(event=day, organisation=organisation, defaults={"role": role})
    _agenda(
        day,
        [
            (
                SequenceKind.PLENARY,
                "Ouverture : les transitions en région",
                930,
                1030,
                "Hémicycle",
                "Vice-présidente de Région, CRESS",
            ),
            (
                SequenceKind.ROUND_TABLE,
                "Table ronde : les élus et l’ESS",
                1045,
                1215,
                "Hémicycle",
                "Trois élus locaux",
            ),
            (
                SequenceKind.WORKSHOP,
                "Atelier : coopérer pour la commande publique",
                1400,
                1530,
                "Salle Rhône",
                "Labo de l’ESS",
            ),
            (
                SequenceKind.VISIT,
                "Visite : un tiers-lieu nourricier",
                1545,
                1700,
                "Départ hall",
                "Tiers-lieu des Pentes",
            ),
        ],
    )
    people = _people(40, f"Inscription à « {day.name} »")
    for i, person in enumerate(people):
        services.registration_register(
            actor=None,
            event=day,
            person=person,
            source="public",
            structure_name=STRUCTURES[i % len(STRUCTURES)],
        )
    registrations = list(Registration.objects.filter(event=day).order_by("pk"))
    for i, registration in enumerate(registrations):
        status = (
            RegistrationStatus.PRESENT
            if i < 32
            else RegistrationStatus.EXCUSED
            if i < 36
            else RegistrationStatus.ABSENT
        )
        Registration.objects.filter(pk=registration.pk).update(status=status)
    for i, registration in enumerate(registrations[:20]):
        SurveyAnswer.objects.create(
            registration=registration,
            overall=(5, 4, 4, 3, 5)[i % 5],
            content=(4, 4, 5, 3, 4)[i % 5],
            organisation=(5, 5, 4, 4, 3)[i % 5],
            usefulness=(4, 5, 3, 4, 5)[i % 5],
            comment=COMMENTS[i % len(COMMENTS)] if i % 4 == 0 else "",
        )
    day.staff.add(staff)

    # 2. The training catalogue: one module, two sessions (one held with attendance per sequence, one to come).
    module = TrainingModule.objects.create(
        programme=programme,
        title=MODULE,
        objectives="Comprendre les leviers d’une stratégie territoriale de transition et bâtir une feuille de route.",
        duration_hours=Decimal("6.5"),
        audience="Élus, agents des collectivités, porteurs de projets accompagnés",
    )
    training_rows = [
        (SequenceKind.PLENARY, "Diagnostic partagé du territoire", 900, 1230, "Salle 2", "Collège TES"),
        (SequenceKind.WORKSHOP, "Atelier feuille de route", 1400, 1700, "Salle 2", "Collège TES"),
    ]
    held = Event.objects.create(
        programme=programme,
        name=f"{MODULE} — session 1",
        kind=EventKind.TRAINING,
        module=module,
        date=today - timedelta(days=20),
        start_time=time(9),
        end_time=time(17),
        place="Maison de l’ESS, Lyon",
        capacity=15,
    )
    held.staff.add(staff)
    morning, afternoon = _agenda(held, training_rows)
    trainees = _people(12, f"Formation « {MODULE} »")
    for person in trainees:
        services.registration_register(actor=staff, event=held, person=person)
    for i, registration in enumerate(Registration.objects.filter(event=held).order_by("pk")):
        wanted = {morning.pk, afternoon.pk} if i % 4 else {morning.pk}
        services.attendance_set(
            actor=staff, event=held, sequence_ids_by_registration={registration.pk: wanted}
        )
    upcoming = Event.objects.create(
        programme=programme,
        name=f"{MODULE} — session 2",
        kind=EventKind.TRAINING,
        module=module,
        date=today + timedelta(days=25),
        start_time=time(9),
        end_time=time(17),
        place="Maison de l’ESS, Lyon",
        capacity=15,
        is_public=True,
    )
    upcoming.ensure_public_key()
    upcoming.save()
    _agenda(upcoming, training_rows)
    for person in trainees[:4]:
        services.registration_register(actor=staff, event=upcoming, person=person)

    # 3. A gathering of the first cohort, its collectives' people invited (partner A's among them).
    cohort = ctx.cohorts[0] if ctx.cohorts else None
    if cohort is not None:
        gathering = Event.objects.create(
            programme=programme,
            name=f"Rencontre de la promotion « {cohort.name} »",
            kind=EventKind.COHORT,
            cohort=cohort,
            date=today + timedelta(days=12),
            start_time=time(14),
            end_time=time(18),
            place="La Friche Gerland, Lyon",
            capacity=30,
            description="Les collectifs de la promotion partagent leurs avancées et leurs difficultés.",
        )
        gathering.staff.add(staff)
        _agenda(
            gathering,
            [
                (SequenceKind.PLENARY, "Tour des collectifs", 1400, 1530, "Grande salle", "Les collectifs"),
                (
                    SequenceKind.WORKSHOP,
                    "Ateliers d’entraide",
                    1545,
                    1730,
                    "Salles 1 et 2",
                    "Équipe du programme",
                ),
            ],
        )
        services.registrations_invite(
            actor=staff,
            event=gathering,
            person_ids=selectors.invitee_ids(cohort_id=cohort.pk, territory_id=None, emails=[]),
        )
    # The demo writes to nobody: the registration e-mails the services queued find their state announced.
    Registration.objects.filter(event__programme=programme).update(mailed_status=F("status"))
