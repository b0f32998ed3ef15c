"""Deadline digests: offsets, one digest per person, idempotency, opt-out, Europe/Paris dates and DST."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from programme.models import Role
from projects.models import ReminderLog
from projects.reminders import deadline_scan, digest_send, paris_today
from prospects.models import Prospect
from tests.factories import UserFactory

from .factories import ActionFactory, DeliverableFactory, MilestoneFactory, PhasePeriodFactory

pytestmark = pytest.mark.django_db

# 07:00 in Paris on 22 Nov 2026 (winter time, UTC+1).
NOW = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def deadlines(world):
    project = world.project_a
    project.staff_leads.add(world.staff)
    return {
        "m14": MilestoneFactory(
            project=project, title="Étude de marché", due_date=days(14), owner=world.staff
        ),
        "m5": MilestoneFactory(
            project=project, title="Pas un jour de rappel", due_date=days(5), owner=world.staff
        ),
        "m_done": MilestoneFactory(
            project=project, title="Déjà atteint", due_date=days(7), owner=world.staff, status="done"
        ),
        "d7": DeliverableFactory(
            project=project, title="Budget prévisionnel", due_date=days(7), owner_user=world.staff
        ),
        "d_org": DeliverableFactory(
            project=project, title="Charte du collectif", due_date=days(-1), owner_organisation=world.org_a
        ),
        "a1": ActionFactory(
            project=project, title="Relancer la mairie", due_date=days(1), owner_user=world.staff
        ),
        "a_person": ActionFactory(
            project=project, title="Envoyer les devis", due_date=days(1), owner_person=world.person_a
        ),
        "phase": PhasePeriodFactory(
            project=project,
            phase="emergence",
            planned_start=days(-270),
            planned_end=days(30),
            actual_start=days(-270),
        ),
        "prospect": Prospect.objects.create(
            programme=world.programme,
            organisation=world.org_b,
            owner=world.staff,
            next_action="Appeler la directrice",
            next_action_date=days(7),
        ),
    }


def run(django_capture_on_commit_callbacks, now=NOW):
    with django_capture_on_commit_callbacks(execute=True):
        return deadline_scan(now=now)


def mails_to(address: str):
    return [m for m in mail.outbox if address in m.to]


def test_one_digest_per_person_with_everything_due_at_the_offsets(
    world, deadlines, django_capture_on_commit_callbacks
):
    summary = run(django_capture_on_commit_callbacks)
    assert summary["today"] == "2026-11-22"
    staff_mails = mails_to("staff@test.fr")
    assert len(staff_mails) == 1
    body = staff_mails[0].body
    for title in ("Étude de marché", "Budget prévisionnel", "Relancer la mairie", "Appeler la directrice"):
        assert title in body
    assert "fin de la phase « Émergence »" in body  # staff lead of the project: gate due in 30 days
    assert "Pas un jour de rappel" not in body and "Déjà atteint" not in body
    assert "dans 14 jours" in body and "dans 1 jour" in body
    html = staff_mails[0].alternatives[0][0]
    assert "Étude de marché" in html and "<ul>" in html
    assert "échéances du jour" in staff_mails[0].subject
    # The deliverable of partner A's organisation, overdue since yesterday, goes to partner A, with the
    # action owned by their contact person.
    partner_mails = mails_to("a@test.fr")
    assert len(partner_mails) == 1
    assert "EN RETARD" in partner_mails[0].body and "Charte du collectif" in partner_mails[0].body
    assert "Envoyer les devis" in partner_mails[0].body
    # The director hears of the gate decision due in 30 days, nothing else.
    director_mails = mails_to("director@test.fr")
    assert len(director_mails) == 1
    assert "Décision d’étape attendue" in director_mails[0].body
    assert "Étude de marché" not in director_mails[0].body
    assert len(mail.outbox) == 3


def test_a_second_run_sends_nothing_twice(world, deadlines, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    logs = ReminderLog.objects.count()
    sent = len(mail.outbox)
    second = run(django_capture_on_commit_callbacks)
    assert second["claimed"] == 0 and second["digests"] == 0
    assert ReminderLog.objects.count() == logs
    assert len(mail.outbox) == sent
    assert not ReminderLog.objects.filter(sent_at__isnull=True).exists()


def test_a_redelivered_digest_task_does_not_mail_twice(world, deadlines, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        deadline_scan(now=NOW)
    row = ReminderLog.objects.filter(user=world.staff).first()
    assert digest_send(user_id=world.staff.pk, run_id=str(row.run_id)) == 1
    assert digest_send(user_id=world.staff.pk, run_id=str(row.run_id)) == 0
    assert len(mails_to("staff@test.fr")) == 1


def test_next_day_brings_the_next_offset(world, deadlines, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    # 7 days later the milestone due in 14 days is due in 7: a new reminder, at the new offset.
    run(django_capture_on_commit_callbacks, now=NOW + timedelta(days=7))
    body = mails_to("staff@test.fr")[0].body
    assert "Étude de marché" in body and "dans 7 jours" in body


def test_users_who_turned_digests_off_get_nothing(world, deadlines, django_capture_on_commit_callbacks):
    world.staff.digest_enabled = False
    world.staff.save()
    run(django_capture_on_commit_callbacks)
    assert mails_to("staff@test.fr") == []
    assert not ReminderLog.objects.filter(user=world.staff).exists()


def test_the_programme_offsets_are_used(world, deadlines, django_capture_on_commit_callbacks):
    world.programme.reminder_offsets = [5]
    world.programme.save()
    run(django_capture_on_commit_callbacks)
    body = mails_to("staff@test.fr")[0].body
    assert "Pas un jour de rappel" in body  # due in 5 days
    assert "Étude de marché" not in body  # 14 is no longer an offset


def test_phase_end_without_leads_reaches_directors_only(world, django_capture_on_commit_callbacks):
    PhasePeriodFactory(
        project=world.project_b, planned_start=days(-200), planned_end=days(7), actual_start=days(-200)
    )
    other_director = UserFactory(email="d2@test.fr", role=Role.DIRECTOR)
    run(django_capture_on_commit_callbacks)
    assert {tuple(m.to) for m in mail.outbox} == {("director@test.fr",), (other_director.email,)}


def test_paris_dates_around_daylight_saving_changes():
    # 23:30 UTC on 28 March 2026 is already 29 March in Paris (UTC+1 that night).
    assert paris_today(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 29)
    # 22:30 UTC on 24 October 2026 is 00:30 on 25 October in Paris (still UTC+2 until 03:00).
    assert paris_today(datetime(2026, 10, 24, 22, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert paris_today(datetime(2026, 10, 24, 21, 30, tzinfo=UTC)) == date(2026, 10, 24)


def test_offsets_count_calendar_days_across_the_dst_switch(world, django_capture_on_commit_callbacks):
    # Beat fires at 07:00 Paris; on 29 March 2026 (DST starts at 02:00) that is 05:00 UTC.
    MilestoneFactory(
        project=world.project_a,
        title="Après le changement d'heure",
        due_date=date(2026, 4, 5),
        owner=world.staff,
    )
    MilestoneFactory(project=world.project_a, title="Veille", due_date=date(2026, 3, 28), owner=world.staff)
    run(django_capture_on_commit_callbacks, now=datetime(2026, 3, 29, 5, 0, tzinfo=UTC))
    body = mails_to("staff@test.fr")[0].body
    assert "Après le changement d'heure" in body and "dans 7 jours" in body
    assert "Veille" in body and "EN RETARD" in body
    assert set(ReminderLog.objects.values_list("offset", flat=True)) == {7, -1}


def test_the_beat_task_runs_the_scan(world, deadlines, django_capture_on_commit_callbacks, monkeypatch):
    from projects import reminders, tasks

    monkeypatch.setattr(reminders, "paris_today", lambda now=None: TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.send_deadline_digests.delay().get()
    assert summary["digests"] == 3
    assert len(mail.outbox) == 3


def test_a_structure_that_left_the_collective_is_not_reminded(world, django_capture_on_commit_callbacks):
    world.project_a.staff_leads.add(world.staff)
    DeliverableFactory(
        project=world.project_a, title="Rapport final", due_date=days(7), owner_organisation=world.org_a
    )
    world.project_a.memberships.filter(organisation=world.org_a).update(left_on=TODAY - timedelta(days=1))
    run(django_capture_on_commit_callbacks)
    assert mails_to("a@test.fr") == []
    # Nobody current owns it any more: the project's staff lead hears of it.
    assert "Rapport final" in mails_to("staff@test.fr")[0].body


def test_an_owner_who_turned_digests_off_is_not_replaced(world, django_capture_on_commit_callbacks):
    world.project_a.staff_leads.add(world.staff)
    owner = UserFactory(email="owner@test.fr", role=Role.STAFF, digest_enabled=False)
    MilestoneFactory(project=world.project_a, title="Jalon privé", due_date=days(7), owner=owner)
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []


# The scan, whatever the number of deadlines, projects and people (projects/reminders.py):
#   1 the programmes' offsets · 2 the day's deadlines (one UNION over milestones, deliverables, actions,
#   open phases and prospects) · 3 justifications still due · 4 instalments not fully received ·
#   5 comments waiting for a digest since turned off (none here; one UPDATE more when there are) ·
#   6 comments waiting for a digest · 7 the projects' staff leads · 8 partners of the structures that
#   own a deliverable · 9 directors · 10 the people to write to · 11 current memberships · 12 the claim
#   (one batched INSERT … ON CONFLICT DO NOTHING) · 13 what this run claimed — and the savepoint and its
#   release around the scan (it is atomic).
SCAN_QUERIES = 15


def test_the_scan_s_query_count_does_not_grow_with_deadlines(
    world, deadlines, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # The digests are queued after commit (not sent here: their e-mails are one task per person).
    with django_capture_on_commit_callbacks(), django_assert_num_queries(SCAN_QUERIES):
        first = deadline_scan(now=NOW)
    for n in range(4):
        owner = UserFactory(email=f"lead{n}@test.fr", role=Role.STAFF)
        project = world.project_a if n % 2 else world.project_b
        MilestoneFactory(project=project, title=f"Jalon {n}", due_date=days(14), owner=owner)
        DeliverableFactory(project=project, title=f"Livrable {n}", due_date=days(7), owner_user=owner)
    with django_capture_on_commit_callbacks(), django_assert_num_queries(SCAN_QUERIES):
        second = deadline_scan(now=NOW)
    # The first run's reminders are not claimed again; the eight new ones reach their four owners.
    assert first["claimed"] > 0 and second["claimed"] == 8 and second["digests"] == 4


def test_the_scan_runs_without_the_cycle_collector_and_turns_it_back_on(deadlines, monkeypatch):
    """Its thousands of rows would set off full collections of the whole process (about 90 ms each on a
    two-core machine, once every run or two): the collector is off while it runs, on again after."""
    import gc

    from projects import reminders

    seen = []
    offsets = reminders._offsets_by_programme
    monkeypatch.setattr(reminders, "_offsets_by_programme", lambda: seen.append(gc.isenabled()) or offsets())
    assert gc.isenabled()
    deadline_scan(now=NOW)
    assert seen == [False]
    assert gc.isenabled()
    assert ReminderLog.objects.exists()  # the scan itself did its work


def test_the_collector_comes_back_after_a_failed_scan(monkeypatch):
    import gc

    from projects import reminders

    def fail():
        raise RuntimeError("database gone")

    monkeypatch.setattr(reminders, "_offsets_by_programme", fail)
    with pytest.raises(RuntimeError):
        deadline_scan(now=NOW)
    assert gc.isenabled()
