"""The structure's timeline (projects.relations) on the benchmark dataset: one structure that leads a
project of the benchmark programme is given a long history (20,000 exchanges at scale 1, a prospect
record with its stage changes, generated once here), on top of its projects' gate decisions, workshops,
deliverables and measurements from the dataset; another structure has almost none.

Timed, taking turns: the structure page's timeline piece (`/projets/structures/<pk>/historique/`: the
count, one UNION ALL of every source cut by LIMIT/OFFSET, the page's project titles, the open next
actions) — the first page, a deep page, filtered pages, and the first page of a structure with almost no
history — against its own SQL replayed through a raw cursor plus string building. Budget: 2.5× that
baseline (issue #15), the number of queries constant.
"""

from datetime import timedelta
from typing import Any

from django.test import Client, override_settings
from django.urls import clear_url_caches

from benchmarks.common import (
    Budget,
    bench_director,
    compare,
    count,
    measure,
    page_and_baseline,
    served,
    with_bare_page,
)

SUBJECT = "bench-timeline"
EXCHANGES = 20_000
STAGE_CHANGES = 200
BARE = "/projets/structures/bare/"


urlpatterns = with_bare_page("projets/structures/bare/")


def _structure(programme: Any, *, scale: float) -> Any:
    """The structure leading the benchmark programme's first project, given its long history once."""
    from django.utils import timezone

    from programme.models import Role, User
    from projects.models import Project
    from prospects.models import Exchange, ExchangeKind, Prospect, Stage, StageChange

    project = (
        Project.objects.filter(programme=programme, lead_organisation__isnull=False).order_by("pk").first()
    )
    if project is None:
        raise SystemExit("bench_timeline: the benchmark programme has no project with a lead structure")
    organisation = project.lead_organisation
    if not Exchange.objects.filter(organisation=organisation, subject=SUBJECT).exists():
        print("\n(generating the structure's history…)")
        staff, _ = User.objects.get_or_create(
            email="bench-timeline@parcours.invalid", defaults={"role": Role.STAFF, "first_name": "Bench"}
        )
        today = timezone.localdate()
        kinds = list(ExchangeKind.values)
        exchanges = Exchange.objects.bulk_create(
            [
                Exchange(
                    organisation=organisation,
                    kind=kinds[n % len(kinds)],
                    date=today - timedelta(days=n % 1500),
                    user=staff,
                    subject=SUBJECT,
                    summary="Échange de suivi avec la structure.",
                )
                for n in range(max(1000, int(EXCHANGES * scale)))
            ],
            batch_size=1000,
        )
        project.exchanges.add(*exchanges[::10])
        prospect, _ = Prospect.objects.get_or_create(
            programme=programme, organisation=organisation, defaults={"stage": Stage.RETAINED}
        )
        stages = list(Stage.values)
        StageChange.objects.bulk_create(
            [
                StageChange(prospect=prospect, from_stage=stages[n % 7], to_stage=stages[(n + 1) % 7])
                for n in range(STAGE_CHANGES)
            ]
        )
    return organisation


def _quiet_structure(programme: Any, busy: Any) -> Any:
    """A member structure of a benchmark project with no exchange of its own: almost no history."""
    from programme.models import Organisation

    return (
        Organisation.objects.filter(memberships__project__programme=programme, exchanges__isnull=True)
        .exclude(pk=busy.pk)
        .order_by("pk")
        .first()
    )


def run(*, scale: float) -> None:
    from django.db import connection

    from benchmarks.dataset import MARKER
    from programme.models import Programme
    from projects.relations import selectors, timeline
    from prospects.models import Exchange, StageChange

    programme = Programme.objects.get(name=MARKER)
    organisation = _structure(programme, scale=scale)
    quiet = _quiet_structure(programme, organisation)
    with connection.cursor() as cursor:
        for model in (Exchange, StageChange):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    user = bench_director()
    rows = selectors.structure_timeline(user=user, organisation=organisation, kinds=[], page=1)["count"]
    print(
        f"\nStructure timeline — « {organisation.name} », {count(rows)} rows from {len(timeline.SOURCES)} sources"
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    repeat = 8 if scale >= 1 else 15
    with override_settings(ROOT_URLCONF="benchmarks.bench_timeline"):
        clear_url_caches()
        bare = measure("minimal Django view", served(client, BARE), repeat=10)
    clear_url_caches()
    print(f"  (floor: a minimal Django view behind the same middleware, median {bare.p50 * 1000:.1f} ms)")
    deep = max(1, rows // selectors.TIMELINE_PAGE_SIZE // 2)
    url = f"/projets/structures/{organisation.pk}/historique/"
    cases = [
        (f"Structure timeline, first page ({count(rows)} rows)", url),
        (f"Structure timeline, page {deep}", f"{url}?page={deep}"),
        ("Structure timeline, exchanges only", f"{url}?kind=exchange"),
        ("Structure timeline, stages, gates and workshops", f"{url}?kind=stage&kind=gate&kind=workshop"),
    ]
    if quiet is not None:
        few = selectors.structure_timeline(user=user, organisation=quiet, kinds=[], page=1)["count"]
        cases.append(
            (
                f"Structure timeline, a quiet structure ({few} rows)",
                f"/projets/structures/{quiet.pk}/historique/",
            )
        )
    for title, address in cases:
        page, baseline, queries = page_and_baseline(client, address)
        compare(title, page, baseline, budget=Budget(ratio=2.5), queries=queries, repeat=repeat)
