"""The home-page pipeline panel (to list in settings.PARCOURS_HOME_PANELS)."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from prospects.panels import pipeline_panel

from .factories import prospect_in


def test_pipeline_panel_lists_my_next_actions_and_stage_counts(world, django_assert_num_queries):
    today = timezone.localdate()
    prospect_in(world, owner=world.staff, next_action="Relancer", next_action_date=today - timedelta(days=1))
    prospect_in(world, organisation=world.org_b, owner=world.director, next_action_date=today)
    request = RequestFactory().get("/")
    request.user = world.staff
    with django_assert_num_queries(2):  # stage counts, my next actions
        panel = pipeline_panel(request)
    assert [p.organisation for p in panel["actions"]] == [world.org_a]
    assert next(s for s in panel["stages"] if s["stage"] == "identified")["count"] == 2
    html = render_to_string(panel["template"], {"panel": panel})
    assert "Relancer" in html and "en retard" in html


def test_pipeline_panel_is_empty_for_partners(world):
    prospect_in(world, owner=world.staff)
    request = RequestFactory().get("/")
    request.user = world.partner_a
    panel = pipeline_panel(request)
    assert panel["actions"] == [] and all(s["count"] == 0 for s in panel["stages"])
