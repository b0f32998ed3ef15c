"""Partner owners of deliverables and actions get their reminders in the same daily digest."""

from datetime import timedelta

from django.core import mail

from projects.models import ReminderLog
from projects.reminders import deadline_scan, paris_today


def test_partner_owners_of_deliverables_and_actions_get_one_digest(
    sides, world, django_capture_on_commit_callbacks
):
    a = sides["A"]
    today = paris_today()
    # Due in 7 days (one of the programme's offsets): the deliverable of A's structure, the action of A's contact.
    a.deliverable.status = "expected"
    a.deliverable.due_date = today + timedelta(days=7)
    a.deliverable.save()
    a.action.due_date = today + timedelta(days=7)
    a.action.save()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        deadline_scan()

    rows = ReminderLog.objects.filter(user=world.partner_a)
    assert {(r.kind, r.object_id) for r in rows} == {
        ("deliverable", a.deliverable.pk),
        ("action", a.action.pk),
    }
    # Partners' links lead to their home, never to a team page.
    assert all(not r.link.startswith("/projets/") for r in rows)
    to_a = [m for m in mail.outbox if m.to == [world.partner_a.email]]
    assert len(to_a) == 1
    assert a.deliverable.title in to_a[0].body and a.action.title in to_a[0].body
    # B's partner hears nothing of A's deadlines. Ids are per table: an object is its kind and its id (B's own
    # action, due the same day, may share its id with A's deliverable).
    to_b = {(r.kind, r.object_id) for r in ReminderLog.objects.filter(user=world.partner_b)}
    assert not to_b & {("deliverable", a.deliverable.pk), ("action", a.action.pk)}


def test_a_partner_who_left_the_collective_is_not_reminded(sides, world, django_capture_on_commit_callbacks):
    """Once their structure left the collective, a partner must not hear of its deadlines any more."""
    a = sides["A"]
    today = paris_today()
    a.deliverable.status = "expected"
    a.deliverable.due_date = today + timedelta(days=7)
    a.deliverable.save()
    a.membership.left_on = today
    a.membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        deadline_scan()
    assert not ReminderLog.objects.filter(user=world.partner_a, kind="deliverable").exists()
