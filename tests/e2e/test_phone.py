"""Phone-ready (issue #14): at 390 px no page a role uses is wider than the screen, the main navigation sits
behind a menu button, tap targets are at least 44 px, and the timeline's detail comes with a tap."""

import pytest

from tests.e2e.conftest import PHONE, open_walk, pages_of

#: Controls that must be comfortable to tap: buttons, menu links, form fields (not the links inside a sentence).
TAP_TARGETS = """() => [...document.querySelectorAll(
  '.button, .nav-toggle, .sidebar a, .usermenu a, .usermenu button, main select, ' +
  'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])'
)].filter(e => e.offsetParent !== null && !e.closest('.sr-only, .visually-hidden'))
  .map(e => [e.getBoundingClientRect().height, e.outerHTML.slice(0, 90)])
  .filter(([h]) => h < 43.5)"""

ROLES = [
    ("staff", "staff@demo.parcours.fr"),
    ("director", "director@demo.parcours.fr"),
    ("partner", "partner-a@demo.parcours.fr"),
]


@pytest.mark.parametrize(("role", "email"), ROLES)
def test_no_page_is_wider_than_a_phone(browser, live_server, demo, role, email):
    walk = open_walk(browser, live_server, email, role, PHONE)
    too_wide, small = [], []
    for path in pages_of(walk, demo):
        walk.go(path)
        width = walk.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            too_wide.append(f"{path}: {width[0]} px")
        small += [f"{path}: {h:.0f} px {html}" for h, html in walk.page.evaluate(TAP_TARGETS)]
    assert len(walk.visited) >= (4 if role == "partner" else 15), walk.visited
    assert not too_wide, f"pages wider than 390 px for {role}: {too_wide}"
    assert not small, f"tap targets under 44 px for {role}: {small[:15]}"


def test_the_menu_button_opens_the_navigation_on_a_phone(browser, live_server, demo):
    walk = open_walk(browser, live_server, "staff@demo.parcours.fr", "staff", PHONE)
    page = walk.page
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Navigation principale")
    # The top bar is one line: the name and the button; the navigation waits behind it.
    assert page.locator(".brand").bounding_box()["height"] < 60
    assert nav.is_hidden()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="Projets").click()
    page.wait_for_url("**/projets/")
    assert nav.is_hidden()
    # At 1440 px the navigation is always there, with no button.
    page.set_viewport_size({"width": 1440, "height": 900})
    assert nav.is_visible() and menu.is_hidden()


def test_the_timeline_shows_a_detail_on_tap(browser, live_server, demo):
    from django.urls import reverse

    from projects.models import Project

    project = Project.objects.filter(phase="experimentation").order_by("pk").first()
    walk = open_walk(browser, live_server, "staff@demo.parcours.fr", "staff", PHONE)
    walk.go(reverse("projects:project.timeline", args=[project.pk]))
    detail = walk.page.locator(".tl-detail")
    assert detail.is_hidden()
    marker = walk.page.locator("[data-timeline] .tl-marker").first
    marker.click()
    title = marker.locator("title").text_content()
    assert detail.is_visible() and detail.text_content() == title
    # The keyboard reaches the same detail.
    walk.page.locator("[data-timeline] .tl-phase").first.focus()
    assert detail.text_content() == walk.page.locator("[data-timeline] .tl-phase title").first.text_content()


def test_the_dashboards_charts_keep_readable_text_on_a_phone(browser, live_server, demo):
    """At 390 px a chart is drawn at its own size (its text 11–13 px, not scaled down to 6–8 px) in a box
    that scrolls sideways: the page itself does not."""
    from django.urls import reverse

    walk = open_walk(browser, live_server, "director@demo.parcours.fr", "director", PHONE)
    walk.go(reverse("evaluation:dashboard"))
    texts = walk.page.locator(".chart-scroll svg.chart text")
    assert texts.count() > 10
    smallest = walk.page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.chart-scroll svg.chart text')]
            .filter(t => t.textContent.trim())
            .map(t => t.getBoundingClientRect().height))"""
    )
    assert smallest >= 10, smallest
    assert walk.page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    assert not walk.errors
