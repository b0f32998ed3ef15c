"""Demo data for the core records: a programme in the Lyon area, three cohorts, ~30 structures, contacts
and the four demo accounts. Idempotent: every row is looked up by a natural key before it is created.

The demo's calendar, which every later step follows: the first cohort started two years ago and the
second one a year ago, each selected by its committee two weeks before its start
(`selection_committee_date`); the next cohort starts in January and its candidates are being interviewed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stdnum import luhn

from .models import (
    Cohort,
    ConsentBasis,
    Organisation,
    Person,
    Programme,
    Role,
    Territory,
    Theme,
    User,
)

DEMO_PASSWORD = "parcours-demo"

THEMES = [
    "Alimentation durable",
    "Mobilité solidaire",
    "Insertion par l’activité économique",
    "Habitat et logement",
    "Économie circulaire",
    "Santé et bien-vieillir",
    "Culture et lien social",
    "Transition énergétique",
]
TERRITORIES = [
    "Lyon",
    "Villeurbanne",
    "Vaulx-en-Velin",
    "Vénissieux",
    "Métropole de Lyon — Ouest",
    "Rhône — Beaujolais",
]

# (name, kind, town, postcode, territory index, themes indexes, esus)
ORGANISATIONS = [
    ("Le Booster Solidaire", "association", "Lyon", "69007", 0, [2, 6], False),
    ("Les Petites Cantines Croix-Rousse", "association", "Lyon", "69004", 0, [0, 6], False),
    ("Épicerie Coopérative du Tonkin", "scic", "Villeurbanne", "69100", 1, [0], True),
    ("Vélo-Cité Rhône", "association", "Lyon", "69003", 0, [1], False),
    ("Recyclerie des Pentes", "association", "Lyon", "69001", 0, [4, 2], True),
    ("Habitat Partagé du Rhône", "scic", "Vaulx-en-Velin", "69120", 2, [3], True),
    ("Mutuelle Entraide Lyonnaise", "mutuelle", "Lyon", "69002", 0, [5], False),
    ("Fondation Rhône Solidarités", "fondation", "Lyon", "69006", 0, [2, 3], False),
    ("SCOP Atelier Bois Vénissieux", "scop", "Vénissieux", "69200", 3, [4], True),
    ("Coopérative Énergies Citoyennes Lyonnaises", "cooperative", "Lyon", "69008", 0, [7], True),
    (
        "Jardins de Cocagne Beaujolais",
        "association",
        "Villefranche-sur-Saône",
        "69400",
        5,
        [0, 2],
        True,
    ),
    ("Tiers-Lieu La Friche Gerland", "association", "Lyon", "69007", 0, [6], False),
    ("Ressourcerie Vaudaise", "esus", "Vaulx-en-Velin", "69120", 2, [4], True),
    ("Mobil’Emploi 69", "association", "Vénissieux", "69200", 3, [1, 2], False),
    ("Bailleur Est Métropole Habitat", "public_body", "Villeurbanne", "69100", 1, [3], False),
    ("Ville de Villeurbanne", "collectivite", "Villeurbanne", "69100", 1, [6, 3], False),
    ("Métropole de Lyon — Direction de l’ESS", "collectivite", "Lyon", "69003", 0, [2, 4], False),
    ("Ville de Vaulx-en-Velin", "collectivite", "Vaulx-en-Velin", "69120", 2, [6], False),
    ("CCAS de Vénissieux", "public_body", "Vénissieux", "69200", 3, [5], False),
    ("Caisse d’Allocations Familiales du Rhône", "institution", "Lyon", "69003", 0, [5, 3], False),
    ("Pôle emploi Rhône Sud", "public_body", "Vénissieux", "69200", 3, [2], False),
    ("Transports Durables Lyonnais SAS", "company", "Lyon", "69009", 0, [1], False),
    ("BioRhône Distribution", "company", "Villeurbanne", "69100", 1, [0], False),
    ("Rénov’Habitat Services", "company", "Lyon", "69008", 0, [3, 7], False),
    ("Imprimerie Solidaire des Canuts", "scop", "Lyon", "69004", 0, [4], True),
    ("Banque Alimentaire du Rhône", "association", "Lyon", "69007", 0, [0, 5], False),
    ("Santé Commune Vaulx", "association", "Vaulx-en-Velin", "69120", 2, [5], False),
    ("Compagnie Théâtre des Quartiers", "association", "Vénissieux", "69200", 3, [6], False),
    ("Solaire Beaujolais SCIC", "scic", "Villefranche-sur-Saône", "69400", 5, [7], True),
    ("Groupe Numérique Inclusif Lyon", "company", "Lyon", "69002", 0, [2, 6], False),
    (
        "Maison des Aidants de l’Ouest Lyonnais",
        "association",
        "Tassin-la-Demi-Lune",
        "69160",
        4,
        [5],
        False,
    ),
    ("Fabrique à Projets Ouest", "association", "Écully", "69130", 4, [2], False),
]

FIRST_NAMES = [
    "Camille",
    "Nadia",
    "Julien",
    "Sophie",
    "Karim",
    "Élise",
    "Thomas",
    "Aïcha",
    "Lucas",
    "Manon",
    "Yacine",
    "Claire",
    "Hugo",
    "Inès",
    "Mathieu",
    "Léa",
]
LAST_NAMES = [
    "Martin",
    "Benali",
    "Rousseau",
    "Moreau",
    "Haddad",
    "Girard",
    "Lefèvre",
    "Diallo",
    "Fournier",
    "Chevalier",
    "Mercier",
    "Bonnet",
    "Nguyen",
    "Roux",
    "Faure",
    "Blanc",
]
JOB_TITLES = [
    "Directrice",
    "Coordinateur",
    "Chargée de mission",
    "Président",
    "Responsable ESS",
    "Cheffe de projet",
    "Gérant",
]


#: The selection committee of a demo cohort sits two weeks before the cohort starts.
COMMITTEE_LEAD_DAYS = 14


def selection_committee_date(cohort: Cohort) -> date:
    """When the demo cohort's selection committee sat (its decisions are dated that day)."""
    return cohort.start_date - timedelta(days=COMMITTEE_LEAD_DAYS)


def cohort_starts(today: date) -> list[date]:
    """The demo cohorts' start dates: two years ago, a year ago (same month, so their years differ) and
    next January."""
    day = min(today.day, 28)
    return [
        date(today.year - 2, today.month, day),
        date(today.year - 1, today.month, day),
        date(today.year + 1, 1, 15),
    ]


def demo_siren(index: int) -> str:
    """A deterministic, Luhn-valid SIREN for demo structure number `index`."""
    base = f"8{index:02d}{index * 7919 % 100000:05d}"
    return base + luhn.calc_check_digit(base)


@dataclass
class DemoContext:
    programme: Programme | None = None
    cohorts: list[Cohort] = field(default_factory=list)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    territories: list[Territory] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    extra: dict[str, Any] = field(default_factory=dict)


def _user(
    email: str,
    *,
    role: str,
    first: str,
    last: str,
    organisation: Organisation | None = None,
    person: Person | None = None,
) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            role=role,
            first_name=first,
            last_name=last,
            organisation=organisation,
            person=person,
        )
    return user


def demo_organisation(
    ctx: DemoContext, name: str, *, themes: Iterable[int], **fields: Any
) -> tuple[Organisation, bool]:
    """The demo structure `name`, created with its themes unless it is already there (the demo may run
    again); and whether it was created."""
    org = Organisation.objects.filter(name=name).first()
    if org is not None:
        return org, False
    org = Organisation.objects.create(name=name, **fields)
    org.themes.set([ctx.themes[t] for t in themes])
    return org, True


def build(ctx: DemoContext) -> None:
    ctx.themes = [Theme.objects.get_or_create(name=name)[0] for name in THEMES]
    ctx.territories = [Territory.objects.get_or_create(name=name)[0] for name in TERRITORIES]
    starts = cohort_starts(ctx.today)
    ctx.programme, _ = Programme.objects.get_or_create(
        name="Programme Coopérations Lyon Métropole",
        defaults={
            "description": "Accompagnement de collectifs d’acteurs ESS, d’entreprises et d’acteurs publics "
            "qui coopèrent pour répondre à un besoin social du territoire lyonnais.",
            "start_date": date(starts[0].year, 1, 1),
            "reminder_offsets": [14, 7, 1],
        },
    )
    ctx.cohorts = [
        Cohort.objects.get_or_create(
            programme=ctx.programme,
            name=f"Promotion {start.year}",
            defaults={
                "year": start.year,
                "start_date": start,
                "end_date": date(start.year + 3, 12, 31),
                "capacity": capacity,
            },
        )[0]
        for start, capacity in zip(starts, (6, 2, 8), strict=True)
    ]
    for index, (name, kind, town, postcode, territory, themes, esus) in enumerate(ORGANISATIONS):
        siren = demo_siren(index) if kind not in ("collectivite",) else ""
        org, _created = demo_organisation(
            ctx,
            name,
            themes=themes,
            kind=kind,
            town=town,
            postcode=postcode,
            siren=siren,
            rna=f"W69{index:07d}" if kind == "association" else "",
            esus=esus,
            territory=ctx.territories[territory],
            address=f"{10 + index} rue de la Coopération",
            website=f"https://www.exemple-{index}.fr",
        )
        ctx.organisations[name] = org
        for p in range(1 + index % 2):
            first = FIRST_NAMES[(index + p * 5) % len(FIRST_NAMES)]
            last = LAST_NAMES[(index * 3 + p) % len(LAST_NAMES)]
            email = (
                f"{first.lower()}.{last.lower()}@exemple-{index}.fr".replace("ï", "i")
                .replace("é", "e")
                .replace("è", "e")
            )
            person, _ = Person.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "organisation": org,
                    "job_title": JOB_TITLES[(index + p) % len(JOB_TITLES)],
                    "phone": f"04 72 {index:02d} {p}0 00",
                    "consent_basis": ConsentBasis.LEGITIMATE,
                    "consent_date": date(starts[0].year - 1, 3, 1 + index % 27),
                    "consent_source": "Rencontre lors d’une Journée régionale de l’ESS",
                },
            )
            ctx.people[email] = person
    ctx.users["staff"] = _user("staff@demo.parcours.fr", role=Role.STAFF, first="Sarah", last="Lambert")
    ctx.users["staff2"] = _user("staff2@demo.parcours.fr", role=Role.STAFF, first="Olivier", last="Perrin")
    ctx.users["director"] = _user(
        "director@demo.parcours.fr", role=Role.DIRECTOR, first="Hélène", last="Garnier"
    )
    org_a = ctx.organisations["Épicerie Coopérative du Tonkin"]
    org_b = ctx.organisations["Recyclerie des Pentes"]
    ctx.users["partner_a"] = _user(
        "partner-a@demo.parcours.fr",
        role=Role.PARTNER,
        first="Nadia",
        last="Benali",
        organisation=org_a,
        person=org_a.people.first(),
    )
    ctx.users["partner_b"] = _user(
        "partner-b@demo.parcours.fr",
        role=Role.PARTNER,
        first="Julien",
        last="Rousseau",
        organisation=org_b,
        person=org_b.people.first(),
    )
    if not User.objects.filter(email="admin@demo.parcours.fr").exists():
        User.objects.create_superuser("admin@demo.parcours.fr", DEMO_PASSWORD, first_name="Admin")
