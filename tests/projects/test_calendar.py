"""The private calendar feed: valid iCalendar, the user's own events, revocable token."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from projects.selectors import deadlines_for
from projects.services import calendar_token_rotate
from tests.prospects.factories import ProspectFactory

from .factories import (
    CommitteeFactory,
    DeliverableFactory,
    MilestoneFactory,
    PhasePeriodFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


def feed(client, user):
    return client.get(reverse("projects:calendar.feed", args=[user.calendar_token]))


def test_feed_is_valid_icalendar_with_my_deadlines_workshops_and_committees(client, world):
    today = timezone.localdate()
    world.project_a.staff_leads.add(world.staff)
    MilestoneFactory(project=world.project_a, title="Étude terminée", due_date=today + timedelta(days=10))
    MilestoneFactory(project=world.project_b, title="Pas mon projet", due_date=today + timedelta(days=10))
    WorkshopFactory(project=world.project_a, title="Idéation", starts_at=timezone.now() + timedelta(days=5))
    CommitteeFactory(project=world.project_a, kind="cotech")
    PhasePeriodFactory(project=world.project_a, planned_end=today + timedelta(days=40))
    calendar_token_rotate(user=world.staff)
    response = feed(client, world.staff)  # no session needed
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0"
    events = cal.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("Étude terminée" in s for s in summaries)
    assert any("Atelier : Idéation" in s for s in summaries)
    assert any("COTECH" in s for s in summaries)
    assert any("Fin de la phase « Émergence »" in s for s in summaries)
    assert not any("Pas mon projet" in s for s in summaries)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    deadline = next(e for e in events if "Étude terminée" in str(e["SUMMARY"]))
    assert deadline.decoded("DTSTART") == today + timedelta(days=10)  # all-day event
    # Stable UIDs: a second fetch describes the same events.
    again = Calendar.from_ical(feed(client, world.staff).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids)


def test_partner_feed_shows_only_their_organisation_and_shared_events(client, world):
    today = timezone.localdate()
    DeliverableFactory(
        project=world.project_a,
        owner_organisation=world.org_a,
        title="Bilan A",
        due_date=today + timedelta(days=3),
    )
    DeliverableFactory(
        project=world.project_b,
        owner_organisation=world.org_b,
        title="Bilan B",
        due_date=today + timedelta(days=3),
    )
    WorkshopFactory(
        project=world.project_a,
        title="Atelier interne",
        shared_with_collective=False,
        starts_at=timezone.now(),
    )
    WorkshopFactory(project=world.project_a, title="Atelier partagé", starts_at=timezone.now())
    calendar_token_rotate(user=world.partner_a)
    text = feed(client, world.partner_a).content.decode()
    assert "Bilan A" in text and "Atelier partagé" in text
    assert "Bilan B" not in text and "Atelier interne" not in text


def test_token_can_be_rotated_and_revoked(staff_client, client, world):
    staff_client.post(reverse("projects:calendar.token"), {"action": "rotate"})
    world.staff.refresh_from_db()
    old = world.staff.calendar_token
    assert len(old) > 30
    page = staff_client.get(reverse("projects:calendar")).content.decode()
    assert old in page
    staff_client.post(reverse("projects:calendar.token"), {"action": "rotate"})
    world.staff.refresh_from_db()
    assert client.get(reverse("projects:calendar.feed", args=[old])).status_code == 404
    assert feed(client, world.staff).status_code == 200
    staff_client.post(reverse("projects:calendar.token"), {"action": "revoke"})
    world.staff.refresh_from_db()
    assert world.staff.calendar_token == ""


def test_inactive_users_feed_is_gone(client, world):
    calendar_token_rotate(user=world.staff)
    world.staff.is_active = False
    world.staff.save()
    assert feed(client, world.staff).status_code == 404


# --- The deadlines' one source (deadlines page, home panel, portal, feed) ---------------------------


def test_a_partner_sees_what_their_structure_owes_however_late_on_their_home(world, partner_a_client):
    today = timezone.localdate()
    DeliverableFactory(
        project=world.project_a,
        title="Bilan de la saison",
        due_date=today - timedelta(days=200),
        owner_organisation=world.org_a,
    )
    DeliverableFactory(
        project=world.project_a, title="Note interne de l'équipe", due_date=today - timedelta(days=3)
    )
    items = deadlines_for(world.partner_a, start=None, end=today)
    assert [(d.title, d.late, d.project_id) for d in items] == [
        ("Bilan de la saison", True, world.project_a.pk)
    ]
    body = partner_a_client.get(reverse("portal:home")).content.decode()
    assert "Bilan de la saison" in body and "Note interne de l" not in body


def test_a_retained_prospect_has_nothing_left_to_chase(world, staff_client):
    prospect = ProspectFactory(
        programme=world.programme,
        owner=world.staff,
        stage="retained",
        next_action="Envoyer la plaquette",
        next_action_date=timezone.localdate() - timedelta(days=5),
    )
    assert not [
        d for d in deadlines_for(world.staff, start=None, end=timezone.localdate()) if d.kind == "prospect"
    ]
    prospect.stage = "candidate"
    prospect.save()
    body = staff_client.get(reverse("projects:deadline.list")).content.decode()
    assert "Envoyer la plaquette" in body
