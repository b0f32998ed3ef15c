"""The team inbox « À traiter » over the benchmark dataset (10,000 prospects, 2,000 projects): the page for
the busiest team member (« Pour moi ») and for the whole team, and the navigation's count — each next to
its own SQL (captured, replayed through a raw cursor) plus plain string building of the rows, taking turns.
Budget (issue #15): the page within 2.5× that baseline, its number of queries constant."""

from django.test import Client, override_settings
from django.urls import clear_url_caches
from django.utils import timezone

from benchmarks.common import Budget, compare, measure, page_and_baseline, served, with_bare_page
from programme.models import User

INBOX = "/projets/a-traiter/"
COUNT = "/projets/a-traiter/nombre/"
BARE = "/projets/a-traiter/bare/"


urlpatterns = with_bare_page("projets/a-traiter/bare/")


def _member() -> User:
    """The team member with the fullest inbox among the benchmark's staff (a busy day, not an empty page)."""
    from projects.inbox.selectors import inbox_count

    today = timezone.localdate()
    staff = list(User.objects.filter(role="staff", is_active=True).order_by("pk")[:20])
    return max(staff, key=lambda u: inbox_count(u, today=today))


def run(*, scale: float) -> None:
    from projects.inbox.selectors import inbox_count

    user = _member()
    waiting = inbox_count(user, today=timezone.localdate())
    print(f"\nInbox « À traiter »: {waiting} items for {user.email}")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    repeat = 10 if scale < 1 else 5
    with override_settings(ROOT_URLCONF="benchmarks.bench_inbox"):
        clear_url_caches()
        bare = measure("minimal Django view", served(client, BARE), repeat=10)
    clear_url_caches()
    print(f"  (floor: a minimal Django view behind the same middleware, median {bare.p50 * 1000:.1f} ms)")
    for title, url in [
        (f"Inbox « À traiter », for me ({waiting} items)", INBOX),
        ("Inbox « À traiter », the whole team", f"{INBOX}?pour=equipe"),
        ("Inbox count (navigation badge)", COUNT),
    ]:
        page, baseline, queries = page_and_baseline(client, url)
        compare(title, page, baseline, budget=Budget(ratio=2.5), queries=queries, repeat=repeat)
