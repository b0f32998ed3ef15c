"""Demo territories: three pilot territories of the Lyon area (real communes, their true INSEE codes), each
with its local partners and a démarche through the programme's stages. Works on a fresh machine: when the
official list is not loaded (no npm), the few areas below are created with the codes of the list.
Idempotent: a territory whose démarche has started is left alone."""

from datetime import timedelta

from programme.demo import DemoContext
from programme.models import Organisation, Person, Territory, TerritoryKind

from . import services
from .models import Area, AreaKind, Stage

# A small extract of @etalab/decoupage-administratif (kind, code, name, département, région, EPCI, population).
LYON_AREAS = [
    (AreaKind.REGION, "84", "Auvergne-Rhône-Alpes", "", "", "", None),
    (AreaKind.DEPARTMENT, "69", "Rhône", "", "84", "", None),
    (AreaKind.EPCI, "200046977", "Métropole de Lyon", "69", "84", "", 1424069),
    (AreaKind.COMMUNE, "69123", "Lyon", "69", "84", "200046977", 519127),
    (AreaKind.COMMUNE, "69266", "Villeurbanne", "69", "84", "200046977", 163684),
    (AreaKind.COMMUNE, "69256", "Vaulx-en-Velin", "69", "84", "200046977", 53069),
    (AreaKind.COMMUNE, "69259", "Vénissieux", "69", "84", "200046977", 65502),
    (AreaKind.COMMUNE, "69290", "Saint-Priest", "69", "84", "200046977", 49229),
    (AreaKind.COMMUNE, "69029", "Bron", "69", "84", "200046977", 42982),
]

STAGES = [
    ("Diagnostic partagé", "Les acteurs du territoire posent ensemble les besoins et les ressources."),
    (
        "Stratégie territoriale",
        "Une stratégie de transition écrite et portée par la collectivité et ses partenaires.",
    ),
    ("Projets pilotes", "Les premiers projets pilotes sont lancés et accompagnés."),
    ("Consolidation", "La démarche s’installe : gouvernance pérenne, essaimage."),
]

# (territory, description, communes, local partners (organisation, role), stages reached with days ago)
TERRITORIES = [
    (
        "Vaulx-en-Velin",
        "Territoire pilote depuis deux ans : une stratégie de transition sociale portée par la ville, la "
        "ressourcerie et les habitants du Mas du Taureau.",
        ["69256"],
        [("Ville de Vaulx-en-Velin", "local_authority"), ("Ressourcerie Vaudaise", "association")],
        [(0, 620), (1, 380), (2, 90)],
    ),
    (
        "Vénissieux",
        "Un diagnostic partagé avec le CCAS et les structures de l’emploi, une stratégie en cours d’écriture.",
        ["69259", "69290"],
        [("CCAS de Vénissieux", "local_authority"), ("Mobil’Emploi 69", "association")],
        [(0, 300), (1, 45)],
    ),
    (
        "Villeurbanne",
        "L’alimentation durable comme fil rouge : épicerie coopérative, ville et bailleur autour de la table.",
        ["69266"],
        [("Ville de Villeurbanne", "local_authority"), ("Épicerie Coopérative du Tonkin", "association")],
        [(0, 150)],
    ),
]


def ensure_areas() -> None:
    for kind, code, name, department, region, epci, population in LYON_AREAS:
        Area.objects.get_or_create(
            kind=kind,
            code=code,
            defaults={
                "name": name,
                "department_code": department,
                "region_code": region,
                "epci_code": epci,
                "population": population,
            },
        )


def build(ctx: DemoContext) -> None:
    assert ctx.programme is not None
    ensure_areas()
    director, staff = ctx.users["director"], ctx.users["staff"]
    stages = [
        Stage.objects.get_or_create(
            programme=ctx.programme, name=name, defaults={"position": index, "description": description}
        )[0]
        for index, (name, description) in enumerate(STAGES)
    ]
    metropole = Area.objects.get(kind=AreaKind.EPCI, code="200046977")
    for name, description, communes, partners, reached in TERRITORIES:
        territory, _ = Territory.objects.get_or_create(name=name)
        if territory.stage_id is not None:
            continue
        Territory.objects.filter(pk=territory.pk).update(
            kind=TerritoryKind.PILOT, programme=ctx.programme, description=description
        )
        territory.refresh_from_db()
        for code in communes:
            area = Area.objects.get(kind=AreaKind.COMMUNE, code=code)
            services.territory_area_add(actor=director, territory=territory, area=area)
        services.territory_area_add(actor=director, territory=territory, area=metropole)
        for organisation_name, role in partners:
            organisation = Organisation.objects.filter(name=organisation_name).first()
            if organisation is None:
                continue
            services.territory_partner_add(
                actor=staff, territory=territory, organisation=organisation, role=role
            )
            referent = Person.objects.filter(organisation=organisation).first()
            if referent is not None:
                services.territory_referent_add(actor=staff, territory=territory, person=referent)
        for stage_index, days_ago in reached:
            services.territory_move(
                actor=staff,
                territory=territory,
                stage=stages[stage_index],
                moved_on=ctx.today - timedelta(days=days_ago),
                rationale=f"Étape validée en comité territorial : {stages[stage_index].name.lower()}.",
            )
        territory.refresh_from_db()
        if name == "Villeurbanne" and "partner_a" in ctx.users:
            # Partner A's structure is a local partner here: its person reads the territory's page.
            services.territory_grant(actor=director, territory=territory, user=ctx.users["partner_a"])
        ctx.extra.setdefault("pilot_territories", []).append(territory)
