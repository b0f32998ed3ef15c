"""The benchmark's baseline keeps every read the page runs: a prepared read (the inbox's, PREPAREd once per
connection) is replayed as its EXECUTE — left out, the inbox's baseline was a tenth of its own SQL."""

from benchmarks.common import reads_only


def test_a_prepared_read_is_part_of_the_baseline():
    first = "DEALLOCATE ALL; PREPARE parcours_ab AS SELECT 1; SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE parcours_ab(7)"
    again = "SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE parcours_ab(7)"
    statements = [
        ("SELECT id FROM t WHERE x = %s", (1,)),
        (first, None),
        (again, None),
        ("UPDATE t SET x = 1", ()),
        ("SAVEPOINT s1", ()),
    ]
    assert reads_only(statements) == [
        ("SELECT id FROM t WHERE x = %s", (1,)),
        (again, None),
        (again, None),
    ]


def test_fast_operations_take_more_turns_slow_ones_their_repeat(monkeypatch):
    import time

    from benchmarks import common

    monkeypatch.setattr(common, "MIN_SECONDS", 0.05)
    fast, baseline = common.measure_interleaved([("a", lambda: None), ("b", lambda: None)], repeat=5)
    assert len(fast.samples) == len(baseline.samples) == common.MAX_REPEAT  # 0.05 s of turns: the cap first
    (slow,) = common.measure_interleaved([("slow", lambda: time.sleep(0.02))], repeat=5)
    assert len(slow.samples) == 5  # five turns already took longer than MIN_SECONDS


def test_the_bench_times_the_page_a_server_serves(world, staff_client):
    """`served` (Django's WSGI handler, as gunicorn calls it) gives the page the test client gets: the same
    markup but for the per-request token and nonce, the same statements."""
    import re

    import pytest
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.common import served

    def normalised(html: str) -> str:
        html = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1X", html)
        return re.sub(r'("X-CSRFToken": ")[^"]+|nonce="[^"]+"', "X", html)

    url = f"/projets/{world.project_a.pk}/"
    fetch = served(staff_client, url)
    with CaptureQueriesContext(connection) as ours:
        body = fetch().decode()
    with CaptureQueriesContext(connection) as theirs:
        expected = staff_client.get(url).content.decode()
    assert "Projet A" in body
    assert normalised(body) == normalised(expected)
    moment = re.compile(r"'\d{4}-\d\d-\d\d[ T][\d:.+]+'")
    assert [moment.sub("…", q["sql"]) for q in ours] == [moment.sub("…", q["sql"]) for q in theirs]
    with pytest.raises(AssertionError):  # a page that is not served (404) is not timed
        served(staff_client, "/projets/0/")()
    staff_client.get(url)  # the test client connects close_old_connections again, for the next tests


def test_the_bench_trail_is_the_generated_rows(world):
    """gen_audit writes, by INSERT … SELECT, an entry per project, member, milestone… made by the other
    generators — each about a row that exists, dated within two years, readable on its history."""
    from datetime import timedelta

    from django.utils import timezone

    from benchmarks import gen_audit
    from programme.audit import history
    from programme.models import AuditEntry
    from projects.models import Milestone
    from tests.factories import UserFactory
    from tests.projects.factories import MilestoneFactory

    UserFactory(role="staff", email="staff0@bench-projects.parcours")
    MilestoneFactory(project=world.project_a, title="Jalon du trail")
    gen_audit.generate(programme=world.programme, scale=1)
    projects = world.programme.projects.count()
    assert AuditEntry.objects.filter(action="project.created").count() == projects
    milestones = Milestone.objects.filter(project__programme=world.programme)
    assert AuditEntry.objects.filter(action="milestone.updated").count() == milestones.count()
    assert set(AuditEntry.objects.filter(action="milestone.created").values_list("object_id", flat=True)) == {
        str(pk) for pk in milestones.values_list("pk", flat=True)
    }
    now = timezone.now()
    assert all(now - timedelta(days=731) <= e.created_at <= now for e in AuditEntry.objects.all())
    lines = history(world.project_a, milestones.filter(project=world.project_a))
    assert any(e.changes for e in lines)  # the milestone's status change, read as its labels
    assert {e.action for e in lines} >= {"Création", "Modification"}


def test_each_module_runs_in_a_process_of_its_own_and_its_rows_come_back(tmp_path, monkeypatch):
    """`make bench` runs every module in a child process (`child_rows`): a module is not measured in the heap
    the modules before it filled. The child's rows reach the closing table; a child that fails stops the run
    with its status."""
    import os
    import sys

    import pytest

    from benchmarks.__main__ import ROOT, child_rows

    child = tmp_path / "child.py"
    child.write_text(
        "import os, pickle, sys\n"
        "from benchmarks.common import Budget, Result, Timing\n"
        "row = Result(f'pid {os.getpid()}', Timing('ours', [0.003]), Timing('baseline', [0.001]), Budget(ratio=2.5), database='sqlite')\n"
        "open(sys.argv[sys.argv.index('--results') + 1], 'wb').write(pickle.dumps([row]))\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    (first,) = child_rows([sys.executable, str(child)])
    (second,) = child_rows([sys.executable, str(child)])
    assert first.operation != second.operation != f"pid {os.getpid()}"  # two processes, neither this one
    assert first.ratio == pytest.approx(3.0) and not first.met  # the row as the child measured it
    failing = tmp_path / "failing.py"
    failing.write_text("raise SystemExit(3)\n")
    with pytest.raises(SystemExit) as stopped:
        child_rows([sys.executable, str(failing)])
    assert stopped.value.code == 3


def test_a_budget_set_for_one_database_is_judged_there_and_printed_elsewhere(monkeypatch, capsys):
    """The project page's budget is PostgreSQL's (issue #16 says « on both » where it wants both): measured
    on SQLite, its row is printed with its ratio and not counted as missed; on PostgreSQL it is judged."""
    from benchmarks import common

    budget = common.Budget(ratio=2.5, databases=("postgresql",))
    slow = (common.Timing("ours", [0.0035]), common.Timing("baseline", [0.001]))
    on_sqlite = common.Result("Project page, timeline", *slow, budget, database="sqlite")
    on_postgresql = common.Result("Project page, timeline", *slow, budget, database="postgresql")
    assert not on_sqlite.judged and on_postgresql.judged and not on_postgresql.met
    monkeypatch.setattr(common, "RESULTS", [on_sqlite])
    assert common.print_table()  # nothing judged is missed
    row = capsys.readouterr().out.splitlines()[-1]
    assert "3.50×" in row and "≤ 2.5×, on PostgreSQL" in row and "judged on PostgreSQL" in row
    monkeypatch.setattr(common, "RESULTS", [on_sqlite, on_postgresql])
    assert not common.print_table()
    assert "✗ **missed**" in capsys.readouterr().out
