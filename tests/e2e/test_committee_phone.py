"""The selection committee on a phone (issue #14): at 390 px each candidate is one card of full-width parts
(rank, candidate, score, interview, decision form), not a table squeezed to a word a line; at 1440 px it stays
the ranking table. Screenshots at both widths are kept as artifacts."""

from django.urls import reverse

from tests.e2e.conftest import DESKTOP, PHONE, open_walk

#: Per candidate row: its height and the narrowest of its cells, with the header's visibility.
SHAPE = """() => ({
  header: getComputedStyle(document.querySelector('.committee-table thead')).clip !== 'auto'
    && document.querySelector('.committee-table thead').getBoundingClientRect().height <= 1,
  rows: [...document.querySelectorAll('tr.candidate-row')].map(r => ({
    height: r.getBoundingClientRect().height,
    narrowest: Math.min(...[...r.cells].map(c => c.getBoundingClientRect().width)),
  })),
  width: [document.documentElement.scrollWidth, window.innerWidth],
})"""


def test_the_committee_reads_as_cards_on_a_phone_and_as_a_table_on_a_desktop(browser, live_server, demo):
    from programme.models import Cohort

    cohort = max(Cohort.objects.all(), key=lambda c: c.prospects.filter(stage="candidate").count())
    path = reverse("projects:selection.committee", args=[cohort.pk])
    walk = open_walk(browser, live_server, "director@demo.parcours.fr", "director", PHONE)
    walk.go(path)
    phone = walk.page.evaluate(SHAPE)
    walk.screenshot(path, PHONE["width"])
    assert phone["rows"] and phone["width"][0] <= phone["width"][1]
    assert phone["header"]  # the column names stand above each part instead
    # Every part has the card's width (a 390 px screen less its margins), none a column of one word.
    assert all(row["narrowest"] > 300 for row in phone["rows"]), phone["rows"]
    labels = walk.page.locator("tr.candidate-row").first.locator("td[data-label]")
    assert labels.count() == 5
    walk.page.set_viewport_size(DESKTOP)
    desktop = walk.page.evaluate(SHAPE)
    walk.screenshot(path, DESKTOP["width"])
    assert not desktop["header"] and desktop["width"][0] <= desktop["width"][1]
    assert all(row["narrowest"] < 300 for row in desktop["rows"])  # columns side by side
    assert not walk.errors, walk.errors
