"""The team inbox « À traiter » over the benchmark dataset (10,000 prospects, 2,000 projects): the page for
one member (« Pour moi ») and for the whole team, and the navigation's count — each next to a minimal
Django view behind the same middleware, and to the page's own SQL replayed through a raw cursor. Budget:
the page within 2.5× its raw SQL.

Self-contained (its own timing helpers): benchmarks/common.py may change under it."""

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, include, path

from programme.models import User

INBOX = "/projets/a-traiter/"
COUNT = "/projets/a-traiter/nombre/"
BARE = "/projets/a-traiter/bare/"
#: The page may cost this many times its own SQL run through a raw cursor.
BUDGET = 2.5


def bare_view(request):
    """The floor: session, user and the middleware stack, no query of our own, a tiny page."""
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")


urlpatterns = [
    path("projets/a-traiter/bare/", bare_view),
    path("", include("programme.urls")),
]


def _timed(fn: Callable[[], object], *, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _p50(samples: list[float]) -> float:
    return statistics.median(samples)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _page(client: Client, url: str) -> Callable[[], None]:
    def fetch() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return fetch


def _captured(client: Client, url: str) -> list[tuple[str, object]]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [(q["sql"], None) for q in captured.captured_queries]


def _replay(statements: list[tuple[str, object]]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            for sql, _params in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def _member() -> User:
    """The team member with the fullest inbox among the benchmark's staff (a busy day, not an empty page)."""
    from django.utils import timezone

    from projects.inbox.selectors import inbox_count

    today = timezone.localdate()
    staff = list(User.objects.filter(role="staff", is_active=True).order_by("pk")[:20])
    return max(staff, key=lambda u: inbox_count(u, today=today))


def run(*, scale: float) -> None:
    from django.utils import timezone

    from projects.inbox.selectors import inbox_count

    user = _member()
    waiting = inbox_count(user, today=timezone.localdate())
    print(f"\nInbox « À traiter »: {waiting} items for {user.email}")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    repeat = 10 if scale < 1 else 5
    failures = []
    with override_settings(ROOT_URLCONF="benchmarks.bench_inbox"):
        clear_url_caches()
        bare = _timed(_page(client, BARE), repeat=repeat)
        for title, url in [
            ("Inbox, for me", INBOX),
            ("Inbox, the whole team", f"{INBOX}?pour=equipe"),
            ("Inbox count (navigation)", COUNT),
        ]:
            statements = _captured(client, url)
            page = _timed(_page(client, url), repeat=repeat)
            raw = _timed(_replay(statements), repeat=repeat)
            print(f"\n## {title} — {len(statements)} queries")
            print(f"  {'':38} {'p50 (ms)':>10} {'p95 (ms)':>10}")
            for name, samples in [
                ("page", page),
                ("minimal Django view", bare),
                ("the page's SQL, raw cursor", raw),
            ]:
                print(f"  {name:38} {_p50(samples) * 1000:10.2f} {_p95(samples) * 1000:10.2f}")
            over_bare = _p50(page) / _p50(bare)
            # The page against its SQL plus the request's fixed cost (the minimal view): what the ORM, the
            # sources' Python and the template add on top of the queries.
            over_sql = _p50(page) / (_p50(raw) + _p50(bare))
            print(f"  ratio page / minimal view: p50 ×{over_bare:.1f}")
            print(f"  ratio page / (raw SQL + minimal view): p50 ×{over_sql:.1f} (budget ×{BUDGET})")
            if over_sql > BUDGET:
                failures.append(title)
        # The reads alone (the sections, no template, no middleware) against the same statements replayed.
        from projects.inbox import selectors

        today = timezone.localdate()
        for title, member_id in [("Inbox reads, for me", user.pk), ("Inbox reads, the whole team", None)]:

            def reads(member_id: int | None = member_id) -> None:
                selectors.inbox(user, member_id=member_id, today=today)

            with CaptureQueriesContext(connection) as captured:
                reads()
            statements = [(q["sql"], None) for q in captured.captured_queries]
            measured = _timed(reads, repeat=repeat)
            raw = _timed(_replay(statements), repeat=repeat)
            ratio = _p50(measured) / _p50(raw)
            print(f"\n## {title} (selectors.inbox, no template) — {len(statements)} queries")
            print(f"  {'selectors':38} {_p50(measured) * 1000:10.2f} {_p95(measured) * 1000:10.2f}")
            print(f"  {'the same SQL, raw cursor':38} {_p50(raw) * 1000:10.2f} {_p95(raw) * 1000:10.2f}")
            print(f"  ratio reads / raw SQL: p50 ×{ratio:.1f} (budget ×{BUDGET})")
            if ratio > BUDGET:
                failures.append(title)
    clear_url_caches()
    if failures:
        print(f"\n  OVER BUDGET: {', '.join(failures)}")
