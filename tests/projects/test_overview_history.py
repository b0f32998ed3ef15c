"""A history section with children (`programme.audit.latest_entries`, read part by part; the overview's
`record_history`, compiled once per process) lists what the plain definition lists — the newest `limit`
entries of the record's and its children's trail (`audit_entries_for`) — and none of another record's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from programme.audit import audit_entries_for, audit_log, history, readable, record_history
from programme.models import AuditEntry
from projects.selectors import PROJECT_TRAIL

from .factories import DeliverableFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _children(project):
    return [model._default_manager.filter(**{path: project.pk}) for model, path in PROJECT_TRAIL]


def _seen(entries):
    return [
        (e.created_at, e.actor, e.action, e.subject, [(c.label, c.before, c.after) for c in e.changes])
        for e in entries
    ]


def _defined(project, limit):
    """The definition: the whole trail, newest first, cut at `limit`."""
    return _seen(readable(audit_entries_for(project, *_children(project))[:limit], project))


@pytest.fixture
def trails(world):
    """Entries on A, its milestones and a deliverable, and on B and its milestone, interleaved in time (one
    minute apart, two of them at the same moment: the newest id first)."""
    a, b = world.project_a, world.project_b
    records = [
        a,
        MilestoneFactory(project=a, title="Comité de lancement"),
        MilestoneFactory(project=a, title="Bilan"),
        DeliverableFactory(project=a),
        b,
        MilestoneFactory(project=b, title="Jalon de B"),
    ]
    now = timezone.now()
    for minute in range(24):
        record = records[minute % len(records)]
        entry = audit_log(
            actor=world.staff if minute % 3 else None,
            obj=record,
            action=f"{record._meta.model_name}.updated",
            changes={"title": [f"avant {minute}", f"après {minute}"]},
        )
        moment = now - timedelta(minutes=minute if minute != 7 else 6)
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    return a, b


@pytest.mark.parametrize("limit", [1, 3, 5, 30])
def test_the_newest_entries_of_the_trail_part_by_part(trails, limit):
    a, b = trails
    for project in (a, b):
        assert _seen(history(project, *_children(project), limit=limit)) == _defined(project, limit)
        assert _seen(record_history(project, *PROJECT_TRAIL, limit=limit)) == _defined(project, limit)
    mine = record_history(a, *PROJECT_TRAIL, limit=limit)
    assert len(mine) == min(limit, 16)  # A's own, its milestones' and its deliverable's
    assert "Jalon de B" not in " ".join(e.subject for e in mine)
    if limit == 30:  # a child's entry names it, with French spacing inside the quotes
        assert any(e.subject.startswith("Jalon «\u202f") and e.subject.endswith("\u202f»") for e in mine)


def test_a_record_without_children_reads_its_own_trail(trails):
    a, _b = trails
    assert _seen(history(a, limit=30)) == _seen(readable(audit_entries_for(a)[:30], a))
    assert len(history(a, limit=30)) == 4


def test_the_overview_history_is_one_statement_prepared_once_per_connection_on_postgresql(trails):
    """Each overview's history is one statement, with each project's own entries. On PostgreSQL, where
    planning its ten parts cost twice their run, it is PREPAREd on the connection's first overview, then only
    EXECUTEd; SQLite has no prepared statements and runs the statement itself every time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, b = trails
    with CaptureQueriesContext(connection) as first:
        mine = record_history(a, *PROJECT_TRAIL, limit=5)
    with CaptureQueriesContext(connection) as second:
        theirs = record_history(b, *PROJECT_TRAIL, limit=5)
    assert len(first) == len(second) == 1
    first_sql, second_sql = first.captured_queries[0]["sql"], second.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "EXECUTE parcours_" in first_sql
        assert "PREPARE" not in second_sql
        assert "EXECUTE parcours_" in second_sql
    else:
        assert "PREPARE" not in first_sql and "EXECUTE" not in first_sql
        assert second_sql.lstrip().upper().startswith(("SELECT", "WITH", "("))
    assert _seen(mine) == _defined(a, 5) and _seen(theirs) == _defined(b, 5)
