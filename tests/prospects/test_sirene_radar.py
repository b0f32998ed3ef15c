"""The radar: the register filtered in words, the structures already known marked, « Ajouter aux
prospects » (deduplicated by SIREN, source « Veille »), saved searches per territory and the home panel,
the organisation form's lookup and the structure page's « ce que dit le répertoire »."""

from datetime import timedelta

import pytest
from django.urls import reverse

from programme.models import Organisation, Territory
from prospects.models import Prospect, Source
from prospects.sirene.columns import CATEGORY_GROUPS
from prospects.sirene.models import RegisterImport, RegisterUnit, SavedSearch
from tests.factories import OrganisationFactory

from .factories import ProspectFactory
from .sirene_data import a_unit, load_register

RADAR = reverse("prospects:radar")


@pytest.fixture
def register(world, tmp_path):
    load_register(tmp_path, rows=300)


def _sirens(response) -> set[str]:
    return {u.siren for u in response.context["page"].object_list}


def test_radar_lists_active_units_with_their_form_in_words(register, staff_client):
    response = staff_client.get(RADAR)
    assert response.status_code == 200
    assert response.context["count"] == RegisterUnit.objects.filter(active=True).count() > 0
    page = response.content.decode()
    assert "Association" in page and "Ajouter aux prospects" in page


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ({"ess": "true"}, lambda u: u.ess),
        ({"form": "association"}, lambda u: u.legal_category in CATEGORY_GROUPS["association"]),
        ({"form": "scop"}, lambda u: u.legal_category in CATEGORY_GROUPS["scop"]),
        ({"departement": "69"}, lambda u: u.departement == "69"),
        ({"commune": "villeurbanne"}, lambda u: u.commune == "VILLEURBANNE"),
        ({"naf": "8899B"}, lambda u: u.naf == "88.99B"),
        ({"band": ["11", "12"]}, lambda u: u.headcount_band in ("11", "12")),
        ({"created_after": "2010-01-01"}, lambda u: u.created_on.year >= 2010),
        ({"q": "epicerie"}, lambda u: "EPICERIE" in u.name),
        ({"q": "Épicerie"}, lambda u: "EPICERIE" in u.name),
    ],
)
def test_radar_filters(register, staff_client, query, check):
    response = staff_client.get(RADAR, query)
    units = list(response.context["page"].object_list)
    assert units, query
    assert all(check(u) for u in units), query


NAMED = {
    "900000001": "L'EPICERIE ZEPHYRINE DU QUARTIER",
    "900000002": "ASSOCIATION ZEPHYRINE EPICERIE",
    "900000003": "EPICERIE DU CENTRE",
    "900000004": "ZEPHYRINE-SUR-MER EPICERIE",
}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("épicerie zéphyrine", {"900000001", "900000002", "900000004"}),  # any order, accents
        ("ZEPHYRINE Epic", {"900000001", "900000002", "900000004"}),  # case, last word begun
        ("quartier zephyrine", {"900000001"}),  # a word at the end, another in the middle
        ("  zephyrine,  mer ", {"900000004"}),  # the words of a hyphenated name; punctuation ignored
        ("zephyrine centre", set()),  # every word must be there
    ],
)
def test_radar_name_search_matches_the_words_of_the_name(register, staff_client, q, expected):
    for siren, name in NAMED.items():
        RegisterUnit.objects.create(siren=siren, name=name, legal_category="9220")
    found = _sirens(staff_client.get(RADAR, {"q": q}))
    assert found & NAMED.keys() == expected


def test_radar_search_by_siren(register, staff_client):
    unit = a_unit()
    response = staff_client.get(RADAR, {"q": unit.siren[:9]})
    assert _sirens(response) == {unit.siren}


def test_an_invalid_period_is_said_not_applied(register, staff_client):
    response = staff_client.get(RADAR, {"created_after": "2020-01-01", "created_before": "2010-01-01"})
    assert "La fin de la période précède son début." in response.content.decode()


def test_radar_marks_structures_already_known(register, world, staff_client):
    known = a_unit(legal_category="9220")
    prospect_unit = (
        RegisterUnit.objects.filter(active=True).exclude(siren=known.siren).order_by("name").first()
    )
    OrganisationFactory(name="Déjà là", siren=known.siren)
    ProspectFactory(
        programme=world.programme, organisation=OrganisationFactory(name="Suivie", siren=prospect_unit.siren)
    )
    page = staff_client.get(RADAR, {"q": known.siren}).content.decode()
    assert "Structure connue" in page
    page = staff_client.get(RADAR, {"q": prospect_unit.siren}).content.decode()
    assert f"Prospect ({world.programme.name})" in page


@pytest.mark.parametrize("rows", [120, 300])
def test_radar_query_count_is_constant(world, tmp_path, staff_client, django_assert_num_queries, rows):
    load_register(tmp_path, rows=rows)
    OrganisationFactory(name="Connue", siren=a_unit().siren)
    # session, user, the last import of each file (one query), the saved searches (also the territory
    # filter's choices), the count, the page, its known structures, its prospects, the programmes and
    # territories of the add and save forms.
    with django_assert_num_queries(10):
        response = staff_client.get(RADAR, {"ess": "true"})
    assert response.status_code == 200
    # The same filters again (the next page, say): the count comes from the cache until the next import.
    with django_assert_num_queries(9):
        assert staff_client.get(RADAR, {"ess": "true", "page": "2"}).status_code == 200


def test_the_cached_count_follows_the_register(register, staff_client):
    """The count is kept for the register's version: a new import (a new version) counts again."""
    first = staff_client.get(RADAR, {"ess": "true"}).context["count"]
    assert first == RegisterUnit.objects.filter(active=True, ess=True).count()
    RegisterUnit.objects.filter(ess=True).order_by("siren").first().delete()  # what an import's swap does
    assert staff_client.get(RADAR, {"ess": "true"}).context["count"] == first  # same version: cached
    latest = RegisterImport.objects.filter(kind="units").latest("pk")
    RegisterImport.objects.filter(pk=latest.pk).update(finished_at=latest.finished_at + timedelta(seconds=1))
    assert staff_client.get(RADAR, {"ess": "true"}).context["count"] == first - 1


# --- Ajouter aux prospects ------------------------------------------------------------------------------


def test_add_to_prospects_creates_structures_and_prospects_once(register, world, staff_client):
    units = list(RegisterUnit.objects.filter(active=True).exclude(departement="").order_by("name")[:3])
    sirens = [u.siren for u in units]
    response = staff_client.post(
        reverse("prospects:radar.add"),
        {"programme": world.programme.pk, "sirens": sirens, "query": "ess=true"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?ess=true")
    prospects = Prospect.objects.filter(organisation__siren__in=sirens)
    assert prospects.count() == 3
    assert {p.source for p in prospects} == {Source.WATCH}
    organisation = Organisation.objects.get(siren=units[0].siren)
    assert organisation.postcode == units[0].postcode and organisation.town == units[0].commune_name
    assert organisation.siret == units[0].siret
    # Again: nothing doubled, and said so.
    response = staff_client.post(
        reverse("prospects:radar.add"), {"programme": world.programme.pk, "sirens": sirens}, follow=True
    )
    assert Prospect.objects.filter(organisation__siren__in=sirens).count() == 3
    assert Organisation.objects.filter(siren__in=sirens).count() == 3
    assert "Déjà prospects de ce programme" in response.content.decode()


def test_add_reuses_the_structure_already_recorded(register, world, staff_client):
    unit = a_unit()
    existing = OrganisationFactory(name="Nom chez nous", siren=unit.siren)
    staff_client.post(
        reverse("prospects:radar.add"), {"programme": world.programme.pk, "sirens": [unit.siren]}
    )
    assert Prospect.objects.get(organisation__siren=unit.siren).organisation == existing


def test_add_without_any_structure_is_refused(register, world, staff_client):
    response = staff_client.post(
        reverse("prospects:radar.add"), {"programme": world.programme.pk, "sirens": []}, follow=True
    )
    assert "Cochez au moins une structure" in response.content.decode()
    assert not Prospect.objects.filter(source=Source.WATCH, organisation__siren__gt="").exists()


def test_a_double_click_adds_once(register, world, staff_client):
    unit = a_unit()
    data = {"programme": world.programme.pk, "sirens": [unit.siren], "submission_token": "same-token-twice"}
    staff_client.post(reverse("prospects:radar.add"), data)
    staff_client.post(reverse("prospects:radar.add"), data)
    assert Prospect.objects.filter(organisation__siren=unit.siren).count() == 1


def test_partners_cannot_add(register, world, partner_a_client):
    unit = a_unit()
    response = partner_a_client.post(
        reverse("prospects:radar.add"), {"programme": world.programme.pk, "sirens": [unit.siren]}
    )
    assert response.status_code == 404
    assert not Prospect.objects.filter(organisation__siren=unit.siren).exists()


# --- Saved searches and the home panel --------------------------------------------------------------------


def test_saved_search_and_home_panel_count_new_structures(world, tmp_path, staff_client):
    load_register(tmp_path / "a", rows=200)
    territory = Territory.objects.create(name="Villeurbanne")
    response = staff_client.post(
        reverse("prospects:radar.search.save"), {"territory": territory.pk, "query": "commune=69266"}
    )
    assert response.status_code == 302
    assert SavedSearch.objects.get(territory=territory).query == "commune=69266"
    panel = staff_client.get(reverse("prospects:panel.radar")).content.decode()
    assert "au premier import" in panel

    load_register(tmp_path / "b", rows=320)  # the same 200 units, and 120 more
    new = staff_client.get(RADAR, {"commune": "69266", "new": "1"}).context["count"]
    assert new > 0
    panel = staff_client.get(reverse("prospects:panel.radar")).content.decode()
    expected = (
        f"{new} nouvelle structure depuis"
        if new == 1
        else f"{new} nouvelles structures depuis le dernier import"
    )
    assert expected in panel
    # The territory filter applies the saved search's place.
    response = staff_client.get(RADAR, {"territory": territory.pk})
    assert all(u.commune_code == "69266" for u in response.context["page"].object_list)


def test_saving_a_search_without_criteria_is_refused(world, staff_client):
    territory = Territory.objects.create(name="Nulle part")
    response = staff_client.post(
        reverse("prospects:radar.search.save"), {"territory": territory.pk, "query": ""}, follow=True
    )
    assert "Choisissez d’abord des critères" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_home_panel_is_silent_before_any_import(world, staff_client):
    response = staff_client.get(reverse("prospects:panel.radar"))
    assert response.status_code == 200 and response.content.strip() == b""


# --- Identity from the register ----------------------------------------------------------------------------


def test_lookup_gives_the_fields_the_form_fills(register, staff_client):
    unit = a_unit(legal_category="9220")
    data = staff_client.get(reverse("prospects:register.lookup"), {"q": unit.siren}).json()
    (result,) = data["results"]
    assert result["siren"] == unit.siren and result["kind"] == "association"
    assert result["postcode"] == unit.postcode and result["town"] == unit.commune_name
    assert result["naf"] == unit.naf
    by_name = staff_client.get(reverse("prospects:register.lookup"), {"q": unit.name.lower()}).json()
    assert unit.siren in {r["siren"] for r in by_name["results"]}
    assert staff_client.get(reverse("prospects:register.lookup"), {"q": "ab"}).json() == {"results": []}


def test_lookup_is_team_only(register, partner_a_client):
    assert partner_a_client.get(reverse("prospects:register.lookup"), {"q": "atelier"}).status_code == 404


def test_organisation_form_offers_the_register_lookup(world, staff_client):
    page = staff_client.get(reverse("programme:organisation.create")).content.decode()
    assert reverse("prospects:register.lookup") in page and "register_lookup.js" in page


def test_organisation_page_says_when_the_register_has_it_ceased_or_moved(world, tmp_path, staff_client):
    from prospects.sirene import generator

    ceased = next(
        r
        for r in generator.unit_rows(300)
        if r["etatAdministratifUniteLegale"] == "C"
        and r["statutDiffusionUniteLegale"] == "O"
        and r["categorieJuridiqueUniteLegale"] != "1000"
    )
    gone = OrganisationFactory(name="Fermée", siren=ceased["siren"])
    load_register(tmp_path, rows=300)
    unit, other = RegisterUnit.objects.filter(active=True).exclude(departement="").order_by("siren")[:2]
    moved = OrganisationFactory(name="Déménagée", siren=unit.siren, postcode="13001", town="Marseille")
    same = OrganisationFactory(
        name="Même adresse", siren=other.siren, postcode=other.postcode, town=other.commune
    )

    def piece(org):
        return staff_client.get(reverse("prospects:register.organisation", args=[org.pk])).content.decode()

    assert "radiée" in piece(gone)
    assert "autre adresse de siège" in piece(moved)
    assert "confirme cette structure" in piece(same)
    page = staff_client.get(gone.get_absolute_url()).content.decode()
    assert reverse("prospects:register.organisation", args=[gone.pk]) in page


def test_radar_counts_up_to_a_cap(register, staff_client, monkeypatch):
    from prospects.sirene import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    response = staff_client.get(RADAR)
    assert response.context["count"] == 20
    assert "Au moins 20 structures" in response.content.decode()
    assert len(response.context["page"].object_list) == 20
