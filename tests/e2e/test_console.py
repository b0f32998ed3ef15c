"""One visual language, no console error (issue #14): a staff, a director and a partner walk every page of their
menu (a project's tabs, the board with a move, the portal) at 1440 and 390 px. Any console error, uncaught
exception or Content-Security-Policy violation fails the test, and so does a page wider than the window; every page is saved as a screenshot under
var/screenshots/ (PARCOURS_SCREENSHOTS to change it) — look at them."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, open_walk, pages_of

ROLES = [
    ("staff", "staff@demo.parcours.fr"),
    ("director", "director@demo.parcours.fr"),
    ("partner", "partner-a@demo.parcours.fr"),
]


def _moved(name: str) -> re.Pattern:
    # Whatever the spaces inside the guillemets: « name » déplacé vers « Contacté ».
    return re.compile(rf"{re.escape(name)}\W+déplacé vers\W+Contacté")


def _move_a_card(walk) -> None:
    """One move with the card's own menu, one by dragging a card onto the next column (both through HTMX);
    the board then says which card moved where (its status line, read by screen readers)."""
    from django.urls import reverse

    page = walk.page
    page.set_viewport_size(DESKTOP)
    walk.go(reverse("prospects:prospect.board"))
    identified = page.locator(".pr-board-column[data-stage=identified] .pr-board-card")
    card = identified.first
    name = card.locator(".pr-board-card__name").text_content()
    card.locator("select").select_option("contacted")
    card.get_by_role("button", name="Déplacer").click()
    expect(page.locator("#pr-board [role=status]")).to_contain_text(_moved(name))
    # Drag a card onto the « Contacté » column (grabbed by its text: a press on its menu opens the menu).
    count = page.locator(".pr-board-column[data-stage=identified] .pr-board-count")
    before = int(count.text_content())
    page.evaluate("window.scrollTo(0, 0)")
    identified.first.locator("p").first.drag_to(page.locator("#col-contacted"))
    expect(count).to_have_text(str(before - 1))


@pytest.mark.parametrize(("role", "email"), ROLES)
def test_every_page_is_free_of_console_errors_and_photographed(browser, live_server, demo, role, email):
    walk = open_walk(browser, live_server, email, role, DESKTOP)
    paths = pages_of(walk, demo)
    shots, too_wide = [], []
    for viewport in (DESKTOP, PHONE):
        walk.page.set_viewport_size(viewport)
        for path in paths:
            walk.go(path)
            shots.append(walk.screenshot(path, viewport["width"]))
            width = walk.page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide.append(f"{path} at {viewport['width']} px: {width} px")
    if role == "staff":
        _move_a_card(walk)
    print(f"\n{len(shots)} screenshots of {role} in {SCREENSHOTS}")
    assert len(paths) >= (4 if role == "partner" else 15), paths
    assert not walk.errors, "\n".join(walk.errors[:20])
    # The prospect board (2 129 px wide at 1440 before) and every wide table scroll inside their own box.
    assert not too_wide, too_wide
