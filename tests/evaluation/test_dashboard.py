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


# One dashboard render, whatever the volume (see evaluation/selectors.py):
#   1 session · 2 user · 3 default programme · 4 programme filter value · 5 programme for the funnel
#   6–8 prospects.selectors.funnel_figures (totals, by source, by audience)
#   9 protocol baselines and targets · 10 indicator values from the roll-up (a whole year or every year:
#   no measurement is read) · 11 workshops per quarter · 12 attendances per quarter · 13 partners per
#   family (memberships at the end of the period) · 14 people mobilised · 15 projects per phase (also the
#   projects count: the funnel no longer counts them) · 16 gate outcomes · 17 late decisions
#   18 upcoming gates · 19 maturity scores · 20 memberships (organisations per year)
#   21–30 the funding block: the projects' money (planned budget lines, requests, payments, instalments
#   fallen due: projects.funding.selectors.money_by_project) · conventions signed in the period by type of
#   funder · payments by type · requests by type · the 12-month forecast (one grouped query) · overdue
#   instalments · late justifications
#   31–32 events and trainings (#20): the present registrations with their answer, the training sequences
#   attended (evaluation.selectors.event_figures)
#   33–37 the filter form's choices (programmes ×2, cohorts, territories, themes).
DASHBOARD_QUERIES = 37


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
