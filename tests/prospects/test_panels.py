"""The home-page pipeline panel (`prospects:panel.pipeline`, loaded by the home page on load)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from prospects import selectors
from tests.factories import OrganisationFactory

from .factories import prospect_in


def test_pipeline_panel_lists_my_next_actions_and_stage_counts(
    world, staff_client, django_assert_num_queries
):
    today = timezone.localdate()
    prospect_in(world, owner=world.staff, next_action="Relancer", next_action_date=today - timedelta(days=1))
    prospect_in(world, organisation=world.org_b, owner=world.director, next_action_date=today)
    with django_assert_num_queries(4):  # session, user, stage counts, my next actions
        response = staff_client.get(reverse("prospects:panel.pipeline"))
    panel = response.context["panel"]
    assert [p.organisation for p in panel["actions"]] == [world.org_a]
    assert next(s for s in panel["stages"] if s["stage"] == "identified")["count"] == 2
    html = response.content.decode()
    assert "Relancer" in html and "en retard" in html
    assert "<html" not in html  # the partial alone


def test_pipeline_panel_reads_two_queries(world, django_assert_num_queries):
    prospect_in(world, owner=world.staff)
    with django_assert_num_queries(2):  # stage counts, my next actions
        selectors.pipeline_panel(world.staff)


def test_pipeline_panel_is_empty_for_partners(world):
    prospect_in(world, owner=world.staff)
    panel = selectors.pipeline_panel(world.partner_a)
    assert panel["actions"] == [] and all(s["count"] == 0 for s in panel["stages"])


def test_a_decided_prospects_next_action_leaves_the_panel(world):
    """Retained, not retained or discarded: the follow-up lives on the project now (as on the deadlines page
    and in the reminders)."""
    today = timezone.localdate()
    prospect_in(world, owner=world.staff, next_action="Relancer", next_action_date=today, stage="retained")
    prospect_in(world, organisation=world.org_b, owner=world.staff, next_action_date=today, stage="discarded")
    open_one = prospect_in(
        world,
        organisation=OrganisationFactory(),
        owner=world.staff,
        next_action_date=today,
        stage="contacted",
    )
    assert selectors.pipeline_panel(world.staff)["actions"] == [open_one]
