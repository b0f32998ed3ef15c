"""The territory page's sections that prospects provides (#22, item 2): the events and trainings held on the
territory, and the density of ESS structures the SIRENE register finds in its areas. Team only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.models import Area, Territory
from programme.territories.sections import SECTIONS
from prospects.events.models import Event, Registration
from prospects.sirene.models import RegisterUnit
from tests.factories import PersonFactory

from .sirene_data import a_unit, load_register

pytestmark = pytest.mark.django_db


def _territory(world, name: str = "Vaulx-en-Velin (sections)") -> Territory:
    return Territory.objects.get_or_create(
        name=name, defaults={"kind": "pilot", "programme": world.programme}
    )[0]


def _event(world, territory, name: str, days: int, present: int = 0, registered: int = 0) -> Event:
    event = Event.objects.create(
        programme=world.programme,
        name=name,
        kind="training",
        date=timezone.localdate() + timedelta(days=days),
        territory=territory,
    )
    for status, n in (("present", present), ("registered", registered)):
        for _ in range(n):
            Registration.objects.create(event=event, person=PersonFactory(), status=status)
    return event


def _events_url(territory) -> str:
    return reverse("prospects:event.territory", args=[territory.pk])


def _register_url(territory) -> str:
    return reverse("prospects:register.territory", args=[territory.pk])


def test_prospects_registers_its_two_sections_for_the_team_only():
    sections = {s.key: s for s in SECTIONS}
    assert sections["events"].url_name == "prospects:event.territory"
    assert sections["register"].url_name == "prospects:register.territory"
    assert not sections["events"].partners and not sections["register"].partners


def test_the_page_loads_the_sections_for_the_team(world, staff_client):
    territory = _territory(world)
    page = staff_client.get(territory.get_absolute_url()).content.decode()
    assert _events_url(territory) in page
    assert _register_url(territory) in page


def test_the_events_section_lists_upcoming_and_past_events_with_their_counts(world, staff_client):
    territory = _territory(world)
    coming = _event(world, territory, "Formation gouvernance", days=10, registered=2, present=0)
    past = _event(world, territory, "Rencontre des habitants", days=-30, present=3, registered=1)
    elsewhere = _event(world, _territory(world, "Ailleurs"), "Salon d’ailleurs", days=-3)
    response = staff_client.get(_events_url(territory))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Événements et formations" in html
    assert coming.get_absolute_url() in html and past.get_absolute_url() in html
    assert elsewhere.name not in html
    assert html.index("À venir") < html.index("Formation gouvernance") < html.index("Passés")
    assert html.index("Passés") < html.index("Rencontre des habitants")
    groups = {g["label"]: g["events"] for g in response.context["groups"]}
    assert [(e.registered_count, e.present_count) for e in groups["À venir"]] == [(2, 0)]
    assert [(e.registered_count, e.present_count) for e in groups["Passés"]] == [(4, 3)]
    from programme.formatting import fr_date

    assert fr_date(past.date) in html


def test_the_events_section_without_events_says_so(world, staff_client):
    html = staff_client.get(_events_url(_territory(world))).content.decode()
    assert "Aucun événement ni formation sur ce territoire" in html


def test_the_events_section_costs_the_same_whatever_the_number_of_events(world, staff_client):
    territory = _territory(world)
    url = _events_url(territory)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    _event(world, territory, "Première", days=-5, present=1)
    few = count()
    # 1 session, 2 user, 3 the territory, 4 its events with their counts — whatever the number of events.
    assert few == 4
    for i in range(5):
        _event(world, territory, f"Suivante {i}", days=i * 7 - 10, present=2, registered=1)
    assert count() == few


def test_the_register_section_without_a_register_says_so(world, staff_client):
    html = staff_client.get(_register_url(_territory(world))).content.decode()
    assert "Aucun répertoire SIRENE importé" in html
    assert reverse("prospects:radar") in html


def test_the_register_section_counts_the_ess_units_of_the_territory(world, staff_client, tmp_path):
    load_register(tmp_path, rows=300)
    unit = a_unit(ess=True)
    territory = _territory(world)
    area = Area.objects.create(
        kind="commune", code=unit.commune_code, name="Commune du test", department_code=unit.departement
    )
    territory.areas.add(area)
    expected = RegisterUnit.objects.filter(active=True, ess=True, commune_code=unit.commune_code).count()
    assert expected >= 1
    response = staff_client.get(_register_url(territory))
    assert response.status_code == 200
    assert response.context["ess_count"] == expected
    assert [(c["commune_code"], c["count"]) for c in response.context["communes"]] == [
        (unit.commune_code, expected)
    ]
    html = response.content.decode()
    assert "Structures de l’ESS (répertoire SIRENE)" in html
    assert "Dernier import du répertoire" in html
    assert f"{reverse('prospects:radar')}?ess=true&amp;departement={unit.departement}" in html


def test_the_register_section_reaches_the_communes_of_a_departement(world, staff_client, tmp_path):
    load_register(tmp_path, rows=300)
    unit = a_unit(ess=True)
    territory = _territory(world)
    territory.areas.add(Area.objects.create(kind="departement", code=unit.departement, name="Département"))
    expected = RegisterUnit.objects.filter(active=True, ess=True, departement=unit.departement).count()
    response = staff_client.get(_register_url(territory))
    assert response.context["ess_count"] == expected
    assert len(response.context["communes"]) <= 10


@pytest.mark.parametrize("name", ["prospects:event.territory", "prospects:register.territory"])
@pytest.mark.parametrize("role", ["partner_a", "partner_b"])
def test_partners_get_404_even_with_access_to_the_territory(world, name, role):
    from tests.conftest import client_for
    from tests.programme.access_cases import granted_territory

    territory = granted_territory(world)
    response = client_for(getattr(world, role)).get(reverse(name, args=[territory.pk]))
    assert response.status_code == 404
