"""Two directors decide on the same project at the same moment: exactly one decision wins, the other is
refused cleanly. Meaningful on PostgreSQL (row lock); CI runs the suite on PostgreSQL."""

import os
import threading
import time

import pytest
from django.db import connection

from projects import services
from projects.models import GateDecision, Outcome, Phase, Project
from projects.services import TransitionError
from tests.factories import UserFactory

from .test_pipeline import at_phase


# SQLite's shared in-memory test database reports "table is locked" instead of waiting, so locally the
# test runs against PostgreSQL (DATABASE_URL=postgresql://…). In CI it never skips: CI runs PostgreSQL,
# and a CI run on anything else fails here rather than silently skipping.
@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="row locks need PostgreSQL: run with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/parcours_projects",
)
@pytest.mark.django_db(transaction=True)
def test_a_second_concurrent_move_of_the_same_project_fails_cleanly(world, monkeypatch):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    other_director = UserFactory(email="director2@test.fr", role="director")
    real_audit = services.audit_log

    def slow_audit(**kwargs):
        # Hold the row lock a little so the second decision really arrives while the first is in flight.
        time.sleep(0.4)
        return real_audit(**kwargs)

    monkeypatch.setattr(services, "audit_log", slow_audit)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name, actor, outcome):
        stale = Project.objects.get(pk=project.pk)  # both read the page before anyone decided
        barrier.wait()
        try:
            results[name] = services.project_move(
                actor=actor,
                project=stale,
                outcome=outcome,
                to_phase=services.target_phase(stale.phase, outcome),
                decided_on=stale.phase_periods.get().actual_start,
                rationale="Décision",
                committee="Comité",
            )
        except TransitionError as error:
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("continue", world.director, Outcome.CONTINUE)),
        threading.Thread(target=run, args=("stop", other_director, Outcome.STOP)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["GateDecision", "TransitionError"], results
    refused = next(r for r in results.values() if isinstance(r, TransitionError))
    assert "Une autre décision vient d’être enregistrée" in " ".join(refused.messages)
    assert GateDecision.objects.count() == 1
    project.refresh_from_db()
    assert project.phase_version == 1
    assert project.phase in (Phase.EXPERIMENTATION, Phase.STOPPED)
