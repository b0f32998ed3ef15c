"""The dashboard's figures are cached, and every kind of write shows on the very next request.

These tests commit (`transaction=True`): the data version (programme.dataversion) moves after a commit,
as it does in production; inside a test's usual transaction the dashboard never uses its cache."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.reports.selectors import dashboard_figures, dashboard_key
from evaluation.selectors import Filters
from programme import dataversion
from programme.models import FunderKind, Organisation
from programme.selectors import filter_choices
from projects.funding import services as funding_services
from projects.models import Attendance, GateDecision, Membership, Project
from prospects.events.models import Registration
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, assess, even_scores, record
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, PersonFactory, ProjectFactory
from tests.projects.factories import WorkshopFactory
from tests.projects.funding import factories as money
from tests.prospects.factories import EventFactory, ProspectFactory

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/evaluation/tableau-de-bord/"
# A cached render: 1 session · 2 user · 3 the filters' menus with the data version. The figures' two
# queries (the funnel, the UNION of every other figure) are not sent.
CACHED_QUERIES = 3


def figures(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response.context["figures"]


def test_a_second_visit_reads_the_figures_from_the_cache(world):
    director, staff = client_for(world.director), client_for(world.staff)  # signing in writes (last login)
    first = director.get(URL)
    with CaptureQueriesContext(connection) as queries:
        second = director.get(URL)
    assert len(queries) == CACHED_QUERIES
    assert second.context["figures"] == first.context["figures"]
    # Another member of the team, the same filters: the same entry.
    with CaptureQueriesContext(connection) as queries:
        staff.get(URL)
    assert len(queries) == CACHED_QUERIES


def test_each_filter_has_its_own_entry(world):
    client = client_for(world.director)
    everything = figures(client)["headline"]["projects"]
    ProjectFactory(programme=world.programme, cohort=None, title="Hors promotion")
    assert figures(client)["headline"]["projects"] == everything + 1
    response = client.get(URL, {"cohort": world.cohort.pk})
    assert response.context["headline"]["projects"] == everything


def _measurement(world):
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(type="count"))
    return lambda: record(world.staff, pi, value=D(7))


def _project(world):
    return lambda: ProjectFactory(programme=world.programme, cohort=world.cohort, title="Nouveau")


def _phase_update(world):
    return lambda: Project.objects.filter(pk=world.project_a.pk).update(phase="experimentation")


def _raw_sql(world):
    def write():
        table = connection.ops.quote_name(Project._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET phase = %s WHERE id = %s", ["stopped", world.project_b.pk])  # noqa: S608

    return write


def _workshop(world):
    def write():
        workshop = WorkshopFactory(project=world.project_a, starts_at=timezone.now() - timedelta(days=2))
        Attendance.objects.create(workshop=workshop, person=world.person_a, present=True)

    return write


def _membership_bulk(world):
    def write():
        Membership.objects.bulk_create(
            [
                Membership(project=world.project_a, organisation=OrganisationFactory(name=f"Membre {n}"))
                for n in range(2)
            ]
        )

    return write


def _gate_delete(world):
    GateDecision.objects.create(
        project=world.project_a,
        from_phase="selection",
        to_phase="emergence",
        outcome="continue",
        decided_by=world.director,
        decided_on=timezone.localdate() - timedelta(days=3),
        committee="Comité",
        rationale="Retenu",
    )
    return lambda: GateDecision.objects.filter(project=world.project_a).delete()


def _payment(world):
    world.project_a.staff_leads.add(world.staff)
    region = money.request(
        world.staff,
        world.project_a,
        funder_org=money.funder("Région Cache", FunderKind.REGION),
        amount="10000",
        status="granted",
    )
    convention = money.convention(world.staff, region, reference="CACHE-1", amount="10000")
    return lambda: funding_services.payment_record(
        actor=world.staff,
        convention=convention,
        received_on=timezone.localdate() - timedelta(days=1),
        amount=D("2500"),
        reference="VIR-CACHE",
    )


def _registration(world):
    event = EventFactory(programme=world.programme, date=timezone.localdate() - timedelta(days=5))
    return lambda: Registration.objects.create(event=event, person=PersonFactory(), status="present")


def _prospect(world):
    return lambda: ProspectFactory(programme=world.programme)


def _maturity(world):
    return lambda: assess(world.staff, world.project_a, even_scores(3), assessed_on=timezone.localdate())


def _organisation_family(world):
    MembershipFactory(
        project=world.project_a, organisation=OrganisationFactory(name="Devient ESS", kind="company")
    )
    return lambda: Organisation.objects.filter(name="Devient ESS").update(family="ess", kind="association")


def _indicator_count(f):
    return sum(row["measurements"] for row in f["indicators"])


def _phase(name):
    return lambda f: next(row["count"] for row in f["phases"] if row["phase"] == name)


def _family(name):
    return lambda f: next(row["count"] for row in f["partners"] if row["family"] == name)


# kind of write: (what sets it up and returns the write, what the dashboard shows of it)
WRITES = {
    "a measurement through its service (the roll-up)": (_measurement, _indicator_count),
    "a project created": (_project, lambda f: f["headline"]["projects"]),
    "a queryset update()": (_phase_update, _phase("experimentation")),
    "raw SQL": (_raw_sql, _phase("stopped")),
    "a workshop and its attendance": (_workshop, lambda f: f["headline"]["attendances"]),
    "bulk_create": (_membership_bulk, lambda f: f["headline"]["member_organisations"]),
    "a delete()": (_gate_delete, lambda f: f["headline"]["gate_decisions"]),
    "a payment through its service": (_payment, lambda f: f["funding"]["received"]),
    "an event registration": (_registration, lambda f: f["events"]["participants"]),
    "a prospect": (_prospect, lambda f: f["funnel"]["steps"][0]["value"]),
    "a maturity assessment": (_maturity, lambda f: len(f["maturity"]["by_phase"])),
    "an organisation's family": (_organisation_family, _family("ess")),
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_every_kind_of_write_shows_on_the_next_request(world, kind):
    setup, shown = WRITES[kind]
    write = setup(world)
    client = client_for(world.director)
    before = shown(figures(client))
    assert shown(figures(client)) == before  # read from the cache
    write()
    assert shown(figures(client)) != before


def test_uncommitted_writes_are_neither_read_from_the_cache_nor_stored(world):
    filters = Filters(programme_id=world.programme.pk)
    key = dashboard_key(user=world.director, filters=filters, version=filter_choices().version)
    assert key is not None
    cached = dashboard_figures(user=world.director, filters=filters, key=key)
    with transaction.atomic():
        ProjectFactory(programme=world.programme, title="Pas encore validé")
        assert dataversion.pending(connection)
        assert dashboard_key(user=world.director, filters=filters, version=filter_choices().version) is None
        inside = dashboard_figures(user=world.director, filters=filters, key=None)
        assert inside.figures["headline"]["projects"] == cached.figures["headline"]["projects"] + 1
        transaction.set_rollback(True)
    # Rolled back: no new version, the cached figures stand.
    again = dashboard_figures(
        user=world.director,
        filters=filters,
        key=dashboard_key(user=world.director, filters=filters, version=filter_choices().version),
    )
    assert again.figures == cached.figures


def test_writes_that_change_no_figure_keep_the_version(world):
    client = client_for(world.staff)
    version = filter_choices().version
    client.get("/")  # a session written, a page read
    assert filter_choices().version == version
    ProjectFactory(programme=world.programme)
    assert filter_choices().version > version


def test_a_sign_in_keeps_the_version_but_an_account_change_does_not(world):
    """Signing in records the user's `last_login`: no figure changes, the dashboard's cache stays; a change
    to the account itself (its name, its role) still makes a new version."""
    from programme.dataversion import changes_figures

    version = filter_choices().version
    response = Client().post(reverse("account_login"), {"login": world.staff.email, "password": PASSWORD})
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.last_login is not None and filter_choices().version == version
    world.staff.first_name = "Renommée"
    world.staff.save(update_fields=["first_name", "last_login"])
    assert filter_choices().version > version
    # Quoted or not, as the ORM or raw SQL writes it.
    assert not changes_figures(
        'UPDATE "programme_user" SET "last_login" = %s WHERE "programme_user"."id" = %s'
    )
    assert not changes_figures("UPDATE programme_user SET last_login = now() WHERE id = 1")
    assert changes_figures('UPDATE "programme_user" SET "last_login" = %s, "role" = %s WHERE "id" = %s')
    assert changes_figures('UPDATE "projects_project" SET "last_login" = %s WHERE "id" = %s')


def test_no_cache_when_switched_off(world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for(world.director)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert len(queries) == CACHED_QUERIES + 2


class RecordingCache:
    """The cache, noting the timeout of each entry stored."""

    def __init__(self):
        self.timeouts = []

    def get(self, key):
        return cache.get(key)

    def set(self, key, value, timeout):
        self.timeouts.append(timeout)
        cache.set(key, value, timeout)


def test_a_workshop_starting_later_today_ends_the_entry_when_it_starts(world, monkeypatch):
    WorkshopFactory(project=world.project_a, starts_at=timezone.now() + timedelta(minutes=30))
    recording = RecordingCache()
    monkeypatch.setattr("evaluation.reports.selectors.cache", recording)
    client_for(world.director).get(URL)
    # The figures and the page's body made of them (or until midnight, if sooner).
    assert len(recording.timeouts) == 2 and all(t <= 1800 for t in recording.timeouts)
