"""Project steering: the daily reminder scan over every deadline, the pipeline board and the project list,
each next to a bare baseline measured in the same run (raw SQL through a cursor)."""

from django.db import connection, transaction
from django.test import Client

from benchmarks.common import measure, report
from benchmarks.dataset import MARKER
from programme.models import Programme, User
from projects.models import Action, Deliverable, Milestone
from projects.reminders import PHASE_END_NOTICE_DAYS, deadline_scan, paris_today, reminder_dates


def _scan_rolled_back() -> None:
    """The whole scan — the UNION query, recipients, the claim (bulk insert) — then a rollback, so every
    repetition does the same work and no e-mail is queued (on_commit callbacks are dropped)."""
    with transaction.atomic():
        deadline_scan()
        transaction.set_rollback(True)


def _baseline_sql(dates) -> None:
    marks = ", ".join(["%s"] * len(dates))
    sql = " UNION ALL ".join(
        f"SELECT id, due_date FROM {table} WHERE due_date IN ({marks}) AND status IN ({statuses})"
        for table, statuses in (
            ("projects_milestone", "'planned', 'in_progress'"),
            ("projects_deliverable", "'expected', 'returned'"),
            ("projects_action", "'open', 'in_progress'"),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [d.isoformat() for d in dates] * 3)
        cursor.fetchall()


def _bare_projects() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title, phase FROM projects_project ORDER BY title")
        cursor.fetchall()


def run(*, scale: float) -> None:
    programme = Programme.objects.get(name=MARKER)
    today = paris_today()
    offsets = set(programme.offsets()) | {PHASE_END_NOTICE_DAYS}
    dates = reminder_dates(today, offsets)
    total = sum(
        model.objects.filter(project__programme=programme).count()
        for model in (Milestone, Deliverable, Action)
    )
    with transaction.atomic():
        summary = deadline_scan()
        transaction.set_rollback(True)
    print(
        f"\nReminder scan: {total} deadlines in the benchmark programme; {summary['items']} due on a reminder "
        f"date today; {summary['claimed']} reminders claimed for {summary['digests']} people."
    )
    repeat = 5 if scale < 1 else 3
    report(
        "Daily reminder scan (one UNION query + one bulk insert)",
        measure("deadline_scan", _scan_rolled_back, repeat=repeat, warmup=1),
        [
            measure(
                "bare SQL: deadlines on reminder dates", lambda: _baseline_sql(dates), repeat=repeat, warmup=1
            )
        ],
    )

    user = User.objects.filter(email="staff0@bench-projects.parcours").first()
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    bare = measure("bare SQL: all projects", _bare_projects, repeat=10)

    def page(url: str):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return fetch

    report(
        "Pipeline board (/projets/tableau/)",
        measure("board page", page("/projets/tableau/"), repeat=5, warmup=1),
        [bare],
    )
    report("Project list, first page (/projets/)", measure("list page", page("/projets/"), repeat=10), [bare])
    report(
        "Project list filtered: late, emergence",
        measure("filtered list page", page("/projets/?phase=emergence&late=true"), repeat=10),
        [bare],
    )
