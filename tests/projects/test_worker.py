"""The daily scan and the digests on a real Celery worker over Redis (CI sets REDIS_URL; elsewhere skipped)."""

import time

import pytest
from django.utils import timezone

from projects.models import ReminderLog
from projects.tasks import send_deadline_digests
from tests.programme.test_worker import worker  # noqa: F401 — the fixture starting a real worker

from .factories import DeliverableFactory, MilestoneFactory

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def test_a_real_worker_sends_the_digests_once(worker, world):  # noqa: F811
    from datetime import timedelta

    today = timezone.localdate()
    world.project_a.staff_leads.add(world.staff)
    MilestoneFactory(project=world.project_a, owner=world.staff, due_date=today + timedelta(days=7))
    DeliverableFactory(
        project=world.project_a, owner_organisation=world.org_a, due_date=today + timedelta(days=1)
    )
    for _ in range(2):  # the second scan claims nothing: nothing is sent twice
        send_deadline_digests.apply_async(queue=worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = list(ReminderLog.objects.all())
        if len(rows) == 2 and all(r.sent_at for r in rows):
            break
        time.sleep(0.5)
    rows = list(ReminderLog.objects.order_by("user__email"))
    assert [(r.user.email, r.offset) for r in rows] == [("a@test.fr", 1), ("staff@test.fr", 7)]
    assert all(r.sent_at for r in rows), "the worker did not send the digests within 60 s"
    assert len({r.run_id for r in rows}) == 1
