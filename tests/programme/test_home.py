"""The team's home page: its own figures, and the panels of higher apps loaded by URL (HTMX)."""

from django.urls import reverse


def test_home_loads_each_panel_by_url_with_a_fallback_link(staff_client, world):
    body = staff_client.get(reverse("home")).content.decode()
    for panel, fallback in (
        ("projects:panel.deadlines", "projects:deadline.list"),
        ("prospects:panel.pipeline", "prospects:prospect.list"),
    ):
        assert f'hx-get="{reverse(panel)}" hx-trigger="load"' in body
        assert f'href="{reverse(fallback)}"' in body


def test_partners_are_sent_to_their_portal(partner_a_client, world):
    assert partner_a_client.get(reverse("home"))["Location"] == reverse("portal:home")
