"""Money deadlines: the justifications a convention asks for and the instalments not yet received join
the deadlines of the projects a person steers — the deadlines page, the home panel and the calendar feed."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from projects.funding import services as funding_services
from projects.funding.models import Justification
from projects.selectors import deadlines_for, deadlines_panel
from projects.services import calendar_token_rotate
from tests.projects.funding import factories as money
from tests.projects.funding.factories import ADVANCE, BALANCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(world):
    """Project A, steered by staff: a convention over the last year and the next, its advance overdue,
    its balance due in two months; its justifications are the service's default ones."""
    today = timezone.localdate()
    world.project_a.staff_leads.add(world.staff)
    start, end = today - timedelta(days=200), today + timedelta(days=300)
    req = money.request(world.staff, world.project_a, amount="20000", status="granted", start=start, end=end)
    return money.convention(
        world.staff,
        req,
        reference="CONV-DL",
        schedule=[
            (ADVANCE, today - timedelta(days=20), "8000"),
            (BALANCE, today + timedelta(days=60), "12000"),
        ],
    )


def _money(items):
    return {(d.kind, d.late) for d in items if d.kind in ("instalment", "justification")}


def test_instalments_and_justifications_are_deadlines_of_the_steering_staff(world, conv):
    today = timezone.localdate()
    for days, justification in enumerate(Justification.objects.filter(convention=conv), start=3):
        justification.due_on = today - timedelta(days=days)
        justification.save()
    items = deadlines_for(world.staff, start=None, end=today + timedelta(days=90), today=today)
    instalments = [d for d in items if d.kind == "instalment"]
    assert [(d.date, d.late) for d in instalments] == [
        (today - timedelta(days=20), True),
        (today + timedelta(days=60), False),
    ]
    assert "8 000 €" in instalments[0].title.replace("\u00a0", " ") and "CONV-DL" in instalments[0].title
    assert instalments[0].url == reverse("projects:funding.page", args=[world.project_a.pk])
    late = [d for d in items if d.kind == "justification"]
    assert late and all(d.late and d.project_title == "Projet A" for d in late)
    # Gate decisions first, then what the collective owes, then money, then the team's planning.
    panel = deadlines_panel(world.staff, today=today)
    assert {d.kind for d in panel["overdue"]} == {"instalment", "justification"}


def test_a_received_instalment_or_a_sent_justification_leaves_the_list(world, conv):
    today = timezone.localdate()
    funding_services.payment_record(
        actor=world.staff, convention=conv, received_on=today, amount=D(8000), reference="VIR"
    )
    Justification.objects.filter(convention=conv).update(status="sent", sent_on=today)
    items = deadlines_for(world.staff, start=None, end=today + timedelta(days=90), today=today)
    assert _money(items) == {("instalment", False)}  # only the balance is left


def test_others_do_not_get_the_money_deadlines(world, conv):
    today = timezone.localdate()
    funding_services.funding_share(actor=world.staff, project=world.project_a, shared=True)
    for user in (world.director, world.partner_a, world.partner_b):  # not steering / not the team
        assert _money(deadlines_for(user, start=None, end=today + timedelta(days=400), today=today)) == set()


def test_the_calendar_feed_carries_them(client, world, conv):
    justification = Justification.objects.filter(convention=conv).first()
    justification.due_on = timezone.localdate() + timedelta(days=10)
    justification.save()
    calendar_token_rotate(user=world.staff)
    response = client.get(reverse("projects:calendar.feed", args=[world.staff.calendar_token]))
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert any(s.startswith("[Versement attendu]") and "CONV-DL" in s for s in summaries)
    assert any(s.startswith("[Justificatif]") and "CONV-DL" in s for s in summaries)
