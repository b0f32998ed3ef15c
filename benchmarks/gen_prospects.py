"""Benchmark data for prospects: at scale 1, 10,000 prospects (over every stage, source and audience)
and 50,000 interactions, for the benchmark programme.

Bulk inserts only. Re-runnable: the programme's prospects and their rows are removed first; the bench
structures (named "Bench prospect …") are reused when they exist."""

import random
from datetime import date, timedelta

from django.db import transaction
from stdnum import luhn

from programme.models import Organisation, Role, Territory, Theme, User
from prospects.models import (
    STAGE_RANK,
    Audience,
    Exchange,
    ExchangeKind,
    Prospect,
    Source,
    Stage,
    StageChange,
)

PROSPECTS = 10_000
INTERACTIONS_PER_PROSPECT = 5
STAFF = 10
BATCH = 5000
PREFIX = "Bench prospect"
TOWNS = ["Lyon", "Villeurbanne", "Vénissieux", "Vaulx-en-Velin", "Bron", "Écully", "Villefranche-sur-Saône"]
WORDS = ["Solidaire", "Coopérative", "Partagé", "Durable", "Citoyen", "Inclusif", "Local", "Circulaire"]
KINDS = ["association", "scic", "company", "collectivite"]


def bench_siren(index: int) -> str:
    base = f"4{index:07d}"
    return base + luhn.calc_check_digit(base)


def _staff() -> list[User]:
    users = []
    for i in range(STAFF):
        email = f"staff{i}@bench-prospects.parcours"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, "bench-password", role=Role.STAFF, first_name=f"Chargé·e {i}"
        )
        users.append(user)
    return users


def _clear(programme) -> None:
    prospects = Prospect.objects.filter(programme=programme)
    for model, lookup in (
        (Exchange, "prospect__in"),
        (StageChange, "prospect__in"),
        (Prospect.themes.through, "prospect__in"),
        (Prospect.events.through, "prospect__in"),
    ):
        model.objects.filter(**{lookup: prospects})._raw_delete(model.objects.db)
    prospects._raw_delete(Prospect.objects.db)


def _organisations(count: int) -> list[int]:
    existing = dict(Organisation.objects.filter(name__startswith=PREFIX).values_list("name", "pk"))
    rows = []
    names = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        name = f"{PREFIX} {i:05d} {WORDS[i % len(WORDS)]}"
        names.append(name)
        if name in existing:
            continue
        town = TOWNS[i % len(TOWNS)]
        rows.append(
            Organisation(
                name=name,
                kind=kind,
                siren=bench_siren(i) if kind != "collectivite" else "",
                town=town,
                postcode="69000",
            ).fill_derived()
        )
    Organisation.objects.bulk_create(rows, batch_size=BATCH)
    existing.update({o.name: o.pk for o in rows})
    return [existing[name] for name in names]


@transaction.atomic
def generate(*, programme, scale: float) -> None:
    rng = random.Random(42)
    count = max(100, int(PROSPECTS * scale))
    staff = _staff()
    _clear(programme)
    org_ids = _organisations(count)
    territories = list(Territory.objects.values_list("pk", flat=True)) or [None]
    themes = list(Theme.objects.values_list("pk", flat=True))
    stages = list(Stage.values)
    sources = list(Source.values)
    audiences = list(Audience.values)
    today = date.today()
    prospects = []
    for i, org_id in enumerate(org_ids):
        stage = stages[rng.randrange(len(stages))]
        prospects.append(
            Prospect(
                programme=programme,
                organisation_id=org_id,
                stage=stage,
                furthest_rank=STAGE_RANK.get(stage, 2),
                discard_reason="Hors périmètre" if stage == Stage.DISCARDED else "",
                source=sources[i % len(sources)],
                audience=audiences[i % len(audiences)],
                territory_id=territories[i % len(territories)],
                owner=staff[i % len(staff)],
                next_action="Relancer par téléphone",
                next_action_date=today + timedelta(days=rng.randint(-30, 60)),
            )
        )
    Prospect.objects.bulk_create(prospects, batch_size=BATCH)
    if themes:
        Prospect.themes.through.objects.bulk_create(
            [
                Prospect.themes.through(prospect_id=p.pk, theme_id=themes[i % len(themes)])
                for i, p in enumerate(prospects)
            ],
            batch_size=BATCH,
        )
    kinds = list(ExchangeKind.values)
    interactions = [
        Exchange(
            organisation_id=p.organisation_id,
            prospect_id=p.pk,
            kind=kinds[(i + n) % len(kinds)],
            date=today - timedelta(days=rng.randint(0, 365)),
            user=staff[(i + n) % len(staff)],
            summary="Échange de suivi avec la structure.",
            outcome="À relancer",
        )
        for i, p in enumerate(prospects)
        for n in range(INTERACTIONS_PER_PROSPECT)
    ]
    Exchange.objects.bulk_create(interactions, batch_size=BATCH)
    print(f"  prospects: {len(prospects):_} prospects, {len(interactions):_} interactions".replace("_", " "))
