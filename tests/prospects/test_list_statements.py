"""The prospect list's count and pages read by statements compiled once per shape of the filters
(`prospects.selectors.LIST_ROWS`, `programme.batch.PreparedList`): the same page as the filtered queryset
gives, for every filter, sort and value — a search's « % », « _ » and quotes taken literally, today moving
with the day — with the same statements and no more queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from programme.batch import PreparedList, stand_in_text
from programme.models import Territory, Theme
from prospects import selectors
from prospects.filters import ProspectFilter
from prospects.models import Audience, Prospect, Source, Stage
from tests.factories import CohortFactory, OrganisationFactory, UserFactory

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Asso 50% solidaire",
    "Asso 500",
    "Atelier a_b",
    "Atelier axb",
    "L’Été d’abord",
    "Lété",
    "Ferme \\ du coin",
]


@pytest.fixture
def listed(world):
    """Prospects that differ in every filtered column; names that a LIKE pattern would misread."""
    other_cohort = CohortFactory(programme=world.programme, name="Promotion B")
    follower = UserFactory(email="follow@test.fr", role="staff", first_name="Flo")
    territory = Territory.objects.create(name="Vallée")
    theme = Theme.objects.create(name="Alimentation")
    today = timezone.localdate()
    prospects = []
    for i, name in enumerate(NAMES * 2):
        prospect = ProspectFactory(
            programme=world.programme,
            organisation=OrganisationFactory(name=f"{name} {i}", town=["Lyon", "Paris", "Lens"][i % 3]),
            cohort=[None, world.cohort, other_cohort][i % 3],
            stage=list(Stage)[i % 5],
            source=list(Source)[i % 4],
            audience=list(Audience)[i % 3],
            owner=[None, world.staff, follower][i % 3],
            territory=territory if i % 2 else None,
            next_action="Rappeler" if i % 4 else "",
            next_action_date=today + timedelta(days=i - 6) if i % 4 else None,
        )
        if i % 3 == 0:
            prospect.themes.set([theme])
        prospects.append(prospect)
    return {"follower": follower, "territory": territory, "theme": theme, "cohort": other_cohort}


def _queries(world, listed) -> list[dict[str, str]]:
    p, c = str(world.programme.pk), str(listed["cohort"].pk)
    queries = [
        {},
        {"programme": p},
        {"cohort": c},
        {"stage": Stage.CONTACTED},
        {"stage": Stage.IDENTIFIED, "source": Source.EVENT},
        {"audience": Audience.COMPANY},
        {"themes": str(listed["theme"].pk)},
        {"territory": str(listed["territory"].pk)},
        {"owner": str(listed["follower"].pk)},
        {"owner": "null"},
        {"overdue": "1"},
        {"q": "50%"},
        {"q": "a_b"},
        {"q": "l’été"},
        {"q": "L'ETE"},
        {"q": "lens"},
        {"q": "\\"},
        {"q": "  asso  "},
        {"programme": p, "stage": Stage.CONTACTED, "overdue": "1", "q": "Asso", "o": "-name"},
        {"themes": str(listed["theme"].pk), "owner": "null", "o": "town"},
        {"stage": "nowhere", "q": "Atelier"},  # an invalid choice is left out, as django-filter leaves it
    ]
    queries += [{"o": key} for key in ("name", "-name", "town", "-town", "stage", "next_action", "-updated")]
    return queries


def _page(client, query: dict[str, str]) -> str:
    response = client.get(reverse("prospects:prospect.list"), query)
    assert response.status_code == 200
    return response.content.decode().split('<div id="results">', 1)[1]


def test_the_prepared_page_is_the_querysets_page(world, listed, staff_client, monkeypatch):
    read = selectors.prospect_rows
    used = []

    def prepared(user, filterset):
        rows = read(user, filterset)
        used.append(rows is not None)
        return rows

    for query in _queries(world, listed):
        monkeypatch.setattr(selectors, "prospect_rows", prepared)
        page = _page(staff_client, query)
        monkeypatch.setattr(selectors, "prospect_rows", lambda user, filterset: None)
        assert page == _page(staff_client, query), query
    assert all(used), "every query above is read by the prepared statements"


def test_a_search_takes_percent_underscore_and_backslash_literally(world, listed, staff_client):
    assert "2 prospects" in _page(staff_client, {"q": "50%"})  # not « Asso 500 »
    page = _page(staff_client, {"q": "a_b"})
    assert "2 prospects" in page and "Atelier axb" not in page
    assert "2 prospects" in _page(staff_client, {"q": "\\"})


def test_a_search_reads_names_and_towns_accents_and_case_aside(world, listed, staff_client):
    """« lete », « LÉTÉ » find « Lété »; « l'ete d'abord » (straight apostrophe, no accent) finds « L’Été
    d’abord »; « ete » finds both; « LENS » the structures in Lens — on SQLite too, whose LIKE ignores the case
    of ASCII letters only."""
    for typed in ("lete", "LÉTÉ", "Lété"):
        page = _page(staff_client, {"q": typed})
        assert "2 prospects" in page and "Lété 5" in page and "Été d’abord" not in page, typed
    for typed in ("l'ete d'abord", "L’ÉTÉ D’ABORD"):
        page = _page(staff_client, {"q": typed})
        assert "2 prospects" in page and "L’Été d’abord 4" in page, typed
    assert "4 prospects" in _page(staff_client, {"q": "ete"})
    assert "4 prospects" in _page(staff_client, {"q": "LENS"})


def test_a_siren_search_reads_the_queryset(world, listed):
    filterset = ProspectFilter(QueryDict("q=732 829"), queryset=Prospect.objects.all())
    assert selectors.prospect_rows(world.staff, filterset) is None
    filterset = ProspectFilter(QueryDict("q=Asso"), queryset=Prospect.objects.all())
    assert selectors.prospect_rows(world.staff, filterset) is not None
    filterset = ProspectFilter(QueryDict("q=Asso"), queryset=Prospect.objects.all())
    assert selectors.prospect_rows(world.partner_a, filterset) is None  # not the team: its own scope


def test_a_shape_is_compiled_once_and_runs_for_any_day(world, listed):
    built = []
    statement = PreparedList(
        lambda shape: built.append(shape) or ProspectFilter.stood_in(shape, Prospect.objects.all()),
        fields=selectors.LIST_ROW_FIELDS,
    )
    filterset = ProspectFilter(QueryDict("overdue=1&o=name"), queryset=Prospect.objects.all())
    shape, values = filterset.standing_in()
    for day in (date(2020, 1, 1), timezone.localdate(), timezone.localdate() + timedelta(days=30)):
        rows = statement.rows(shape, values=values, today=day)
        late = Prospect.objects.filter(next_action_date__lt=day).order_by("organisation__name")
        assert rows.count() == late.count()
        assert [row["pk"] for row in rows[0:50]] == [p.pk for p in late]
    assert len(built) == 1


def test_pages_are_sliced_as_the_queryset_slices(world, listed):
    filterset = ProspectFilter(QueryDict("o=-town"), queryset=Prospect.objects.all())
    rows = selectors.prospect_rows(world.staff, filterset)
    expected = list(filterset.qs.values(*selectors.LIST_ROW_FIELDS))
    assert rows.count() == len(expected) == 14
    for start, stop in ((0, 5), (5, 10), (10, 14), (12, 20), (3, 3)):
        assert rows[start:stop] == expected[start:stop]


def test_the_statements_are_djangos_own(world, listed):
    """The count is the statement `count()` runs, the page the one the sliced values() queryset runs."""
    filterset = ProspectFilter(
        QueryDict(f"programme={world.programme.pk}&stage=contacted&q=Asso&overdue=1&o=-name"),
        queryset=Prospect.objects.all(),
    )
    shape, _values = filterset.standing_in()
    queryset = ProspectFilter.stood_in(shape, Prospect.objects.all())
    ran = []

    def record(execute, sql, params, many, context):
        ran.append((sql, tuple(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        queryset.count()
    statements = selectors.LIST_ROWS.statements(shape)
    assert ran == [(statements.count_sql, statements.count_params)]
    assert "COUNT(*)" in statements.count_sql
    page_sql = f"{statements.sql} {connection.ops.limit_offset_sql(10, 60)}"
    queryset_sql, _ = queryset.values(*selectors.LIST_ROW_FIELDS)[10:60].query.sql_with_params()
    assert page_sql == queryset_sql


def test_a_stand_in_used_in_an_unknown_form_is_refused(world):
    statement = PreparedList(
        lambda shape: Prospect.objects.filter(stage=stand_in_text(0) + "x"), fields=("pk",)
    )
    with pytest.raises(TypeError, match="cannot fill"):
        statement.statements(("odd",))


def test_no_more_queries_on_a_shapes_first_request(
    world, listed, staff_client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(selectors.LIST_ROWS, "_compiled", {})  # every shape new to this process
    query = {"audience": Audience.COMPANY, "o": "-next_action"}
    # session, user, the menus, count, rows — the shape compiled without running anything
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("prospects:prospect.list"), query)
    assert response.context["count"] == 5  # every third of the fourteen
    assert len(selectors.LIST_ROWS._compiled) == 1
