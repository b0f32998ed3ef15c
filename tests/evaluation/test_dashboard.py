"""The director dashboard: who sees it, what it shows, and a query count that does not grow with data."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Attendance, GateDecision, PhasePeriod, Workshop
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, assess, even_scores, record
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, ProjectFactory

URL = "/evaluation/tableau-de-bord/"
PARIS = ZoneInfo("Europe/Paris")


def test_partners_get_404_on_the_dashboard_and_its_exports(world, partner_a_client, partner_b_client):
    for client in (partner_a_client, partner_b_client):
        assert client.get(reverse("evaluation:dashboard")).status_code == 404
        assert (
            client.get(reverse("evaluation:dashboard.export", args=["indicators", "csv"])).status_code == 404
        )


def test_staff_and_directors_see_it(world, staff_client, director_client):
    for client in (staff_client, director_client):
        response = client.get(reverse("evaluation:dashboard"))
        assert response.status_code == 200
        assert b"<svg" in response.content and b'role="img"' in response.content


def test_filters_show_as_removable_and_htmx_gets_the_body_only(world, director_client):
    response = director_client.get(reverse("evaluation:dashboard"), {"cohort": world.cohort.pk, "year": 2026})
    content = response.content.decode()
    assert "Promotion Test" in content and "Retirer le filtre Promotion" in content
    assert (
        response.context["filters"].cohort_id == world.cohort.pk and response.context["filters"].year == 2026
    )
    partial = director_client.get(
        reverse("evaluation:dashboard"), {"cohort": world.cohort.pk}, headers={"HX-Request": "true"}
    )
    assert b'id="dashboard"' in partial.content and b"<html" not in partial.content


def test_a_bad_filter_value_is_ignored(world, director_client):
    response = director_client.get(
        reverse("evaluation:dashboard"), {"cohort": "abc", "year": "1800", "theme": "999"}
    )
    assert response.status_code == 200
    assert response.context["filters"].cohort_id is None and response.context["filters"].year is None


def populate(world, n: int, offset: int = 0) -> None:
    """n projects, each with a collective, phases, a gate, a workshop with attendance, two indicators
    measured over several quarters and a maturity assessment."""
    today = timezone.localdate()
    rate = IndicatorFactory(type="percentage", aggregation="latest")
    count = IndicatorFactory(type="count", aggregation="sum")
    for i in range(offset, offset + n):
        project = ProjectFactory(
            programme=world.programme, cohort=world.cohort, title=f"Projet {i}", phase="emergence"
        )
        MembershipFactory(project=project, organisation=OrganisationFactory(kind="company"))
        PhasePeriod.objects.create(
            project=project,
            phase="emergence",
            planned_start=today - timedelta(days=200),
            planned_end=today + timedelta(days=i % 120 - 60),
        )
        GateDecision.objects.create(
            project=project,
            from_phase="selection",
            to_phase="emergence",
            outcome="continue",
            decided_by=world.director,
            decided_on=date(2026, 1, 5),
            committee="Comité",
            rationale="Retenu",
        )
        workshop = Workshop.objects.create(
            project=project,
            title="Atelier",
            step="needs",
            starts_at=datetime(2026, 1 + i % 9, 10, 14, tzinfo=PARIS),
        )
        Attendance.objects.create(workshop=workshop, person=PersonFactory(), present=True)
        pis = [
            ProjectIndicatorFactory(project=project, indicator=rate),
            ProjectIndicatorFactory(project=project, indicator=count),
        ]
        for q in range(3):
            start = date(2025 + q // 2, 1 + (q % 2) * 6, 1)
            end = start + timedelta(days=90)
            record(world.staff, pis[0], start, end, numerator=D(q), denominator=D(4))
            record(world.staff, pis[1], start, end, value=D(q + i))
        assess(world.staff, project, even_scores(1 + i % 4))


# One dashboard render, whatever the volume (see evaluation/selectors.py, programme_figures):
#   1 session · 2 user · 3 the filters' menus and the programme (programmes, promotions, territories,
#   themes: one UNION ALL, reports.selectors.filter_choices) · 4 the prospects' funnel (one query grouped
#   by source and audience: prospects.selectors.funnel_figures) · 5 every other figure in ONE statement,
#   a UNION ALL of each selector's own grouped aggregates and lists (programme.batch): protocol baselines
#   and targets, indicator values from the roll-up (no measurement read for whole years), workshops and
#   attendances per quarter, partners per family, projects per phase, gate outcomes, late decisions and
#   upcoming gates (values, counted whole and listed as far as the page shows), the funding block (the
#   projects' budget lines, requests, payments, instalments fallen due; conventions, payments and
#   requests by type of funder; the 12-month forecast; overdue instalments; late justifications),
#   people mobilised, maturity scores, memberships, and the events and trainings (#20).
DASHBOARD_QUERIES = 5


@pytest.mark.parametrize("year", [None, 2026])
def test_dashboard_query_count_does_not_grow_with_data(
    world, director_client, django_assert_num_queries, year
):
    query = {"year": year} if year else {}
    populate(world, 3)
    director_client.get(URL, query)  # warm caches (content types)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert director_client.get(URL, query).status_code == 200
    populate(world, 3, offset=3)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = director_client.get(URL, query)
    assert response.status_code == 200
    assert response.context["headline"]["projects"] == 8  # 6 + the world's two
    assert response.context["headline"]["workshops"] == 6


def test_an_export_runs_only_its_own_selector(world, director_client, django_assert_max_num_queries):
    populate(world, 2)
    director_client.get(reverse("evaluation:dashboard.export", args=["indicators", "csv"]))
    # session, user, programme ×2, roll-up, protocol, cohort/territory/theme lookups are skipped when empty.
    with django_assert_max_num_queries(8):
        director_client.get(reverse("evaluation:dashboard.export", args=["indicators", "csv"]))


def test_a_table_under_a_card_of_the_same_title_does_not_say_it_twice(world, director_client):
    html = director_client.get(reverse("evaluation:dashboard")).content.decode()
    # The card says « Prochaines décisions d’étape »; its table's caption stays for screen readers only.
    assert '<caption class="visually-hidden">Prochaines décisions d’étape</caption>' in html
    # A table whose caption is its only title keeps it visible.
    assert "<caption>Financements par type de financeur</caption>" in html


def test_late_decisions_are_counted_whole_and_listed_as_far_as_the_page_shows(world, director_client):
    today = timezone.localdate()
    for i in range(23):
        project = ProjectFactory(programme=world.programme, cohort=world.cohort, title=f"Retard {i:02}")
        PhasePeriod.objects.create(
            project=project,
            phase="emergence",
            planned_start=today - timedelta(days=300),
            planned_end=today - timedelta(days=30 + i),
        )
    response = director_client.get(URL)
    late = [r for r in response.context["figures"]["late"] if r["project"].startswith("Retard")]
    assert response.context["headline"]["late_decisions"] >= 23
    # The most overdue first, 20 rows on the page, the count of them all under the table.
    assert late[0]["project"] == "Retard 22" and late[0]["days"] == 52
    table = response.context["tables"]["late"]
    assert len(table.shown) == 20 and table.truncated
    total = response.context["headline"]["late_decisions"]
    assert f"{total} lignes au total" in response.content.decode()
    # The export carries every row.
    export = director_client.get(reverse("evaluation:dashboard.export", args=["late", "csv"]))
    assert all(f"Retard {i:02}" in export.content.decode() for i in range(23))
