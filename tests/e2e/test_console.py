"""One visual language, no console error (issue #14): a staff, a director and a partner walk every page of their
menu (a project's tabs, the board with a move, the portal) at 1440 and 390 px. Any console error, uncaught
exception or Content-Security-Policy violation fails the test; every page is saved as a screenshot under
var/screenshots/ (PARCOURS_SCREENSHOTS to change it) — look at them."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, open_walk, pages_of

ROLES = [
    ("staff", "staff@demo.parcours.fr"),
    ("director", "director@demo.parcours.fr"),
    ("partner", "partner-a@demo.parcours.fr"),
]


def _move_a_card(walk) -> None:
    """One move with the card's own menu, one by dragging a card onto the next column (both through HTMX)."""
    from django.urls import reverse

    page = walk.page
    walk.go(reverse("prospects:prospect.board"))
    card = page.locator(".pr-board-column[data-stage=identified] .pr-board-card").first
    name = card.locator(".pr-board-card__name").text_content()
    card.locator("select").select_option("contacted")
    card.get_by_role("button", name="Déplacer").click()
    expect(
        page.locator(".pr-board-column[data-stage=contacted]").get_by_role("link", name=name, exact=True)
    ).to_be_visible()
    card = page.locator(".pr-board-column[data-stage=identified] .pr-board-card").first
    name = card.locator(".pr-board-card__name").text_content()
    card.drag_to(page.locator(".pr-board-column[data-stage=contacted]"))
    expect(
        page.locator(".pr-board-column[data-stage=contacted]").get_by_role("link", name=name, exact=True)
    ).to_be_visible()


@pytest.mark.parametrize(("role", "email"), ROLES)
def test_every_page_is_free_of_console_errors_and_photographed(browser, live_server, demo, role, email):
    walk = open_walk(browser, live_server, email, role, DESKTOP)
    paths = pages_of(walk, demo)
    shots = []
    for viewport in (DESKTOP, PHONE):
        walk.page.set_viewport_size(viewport)
        for path in paths:
            walk.go(path)
            shots.append(walk.screenshot(path, viewport["width"]))
    if role == "staff":
        _move_a_card(walk)
    print(f"\n{len(shots)} screenshots of {role} in {SCREENSHOTS}")
    assert len(paths) >= (4 if role == "partner" else 15), paths
    assert not walk.errors, "\n".join(walk.errors[:20])
