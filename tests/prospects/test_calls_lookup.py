"""The application form's lookup in the local SIRENE register (no login): what it answers, what it never
says (ceased units, the units the register keeps only because Parcours records them, their address), where
it answers (a published call's address only) and its rate limit."""

import pytest
from django.urls import reverse

from prospects.sirene.models import RegisterImport, RegisterUnit
from tests.clients import FormClient

from .calls_factories import CallFactory, open_call

pytestmark = pytest.mark.django_db

KEYS = {"label", "detail", "organisation_name", "siren", "organisation_kind", "postcode", "town"}


def _unit(siren: str, name: str, **extra) -> RegisterUnit:
    values = {
        "legal_category": "9220",
        "ess": True,
        "active": True,
        "postcode": "69001",
        "commune_code": "69381",
        "commune": "LYON 1ER ARRONDISSEMENT",
        "departement": "69",
        "address": "3 RUE DES TABLES CLAUDIENNES",
        "naf": "88.99B",
        "rna": "W691234567",
        **extra,
    }
    return RegisterUnit.objects.create(siren=siren, name=name, **values)


@pytest.fixture
def register(world, settings):
    settings.SIRENE_DEPARTEMENTS = ["69"]
    RegisterImport.objects.create(
        kind="units", path="x", file_name="StockUniteLegale_utf8.zip", status="done"
    )
    _unit("100000001", "EPICERIE SOLIDAIRE DES PENTES")
    _unit("100000002", "EPICERIE SOLIDAIRE RADIEE", active=False)  # ceased: kept for a recorded structure
    # An SAS neither ESS nor targeted: in the register only because Parcours records it.
    _unit("100000003", "EPICERIE SOLIDAIRE SAS", legal_category="5710", ess=False)
    # Outside the kept départements: its head office is kept only because Parcours records it.
    _unit("100000004", "EPICERIE SOLIDAIRE DU NORD", postcode="59000", commune="LILLE", departement="59")
    for n in range(15):
        _unit(f"2000000{n:02d}", f"EPICERIE SOLIDAIRE {n:02d}")
    return open_call(world)


def _lookup(client, call, q):
    return client.get(reverse("apply:register", args=[call.slug]), {"q": q})


def test_an_anonymous_visitor_finds_a_structure_by_name_or_siren(register):
    client = FormClient()
    response = _lookup(client, register, "épicerie solidaire des")
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result == {
        "label": "EPICERIE SOLIDAIRE DES PENTES",
        "detail": "100000001 · Association · Lyon 1er Arrondissement",
        "organisation_name": "EPICERIE SOLIDAIRE DES PENTES",
        "siren": "100000001",
        "organisation_kind": "association",
        "postcode": "69001",
        "town": "Lyon 1er Arrondissement",
    }
    by_siren = _lookup(client, register, "100 000 00").json()["results"]
    assert [r["siren"] for r in by_siren] == ["100000001", "100000004"]


def test_the_lookup_says_nothing_parcours_knows(register):
    results = _lookup(FormClient(), register, "epicerie solidaire").json()["results"]
    assert len(results) == 10  # at most ten
    assert all(set(r) == KEYS for r in results)
    sirens = {r["siren"] for r in _lookup(FormClient(), register, "epicerie solidaire d").json()["results"]}
    assert "100000002" not in sirens and "100000003" not in sirens  # ceased, untargeted
    north = _lookup(FormClient(), register, "du nord").json()["results"]
    assert north[0]["siren"] == "100000004" and north[0]["postcode"] == "" and north[0]["town"] == ""
    # No address, RNA, NAF, ESS flag nor anything of the structures or prospects of Parcours.
    body = _lookup(FormClient(), register, "epicerie").content.decode()
    for hidden in ("TABLES CLAUDIENNES", "W691234567", "88.99B", "prospect", "RADIEE", "SAS"):
        assert hidden not in body


@pytest.mark.parametrize("q", ["", "ep", "12", "  e "])
def test_fewer_than_three_characters_find_nothing(register, q):
    assert _lookup(FormClient(), register, q).json() == {"results": []}


def test_only_at_the_address_of_a_published_call(register, world):
    unpublished = CallFactory(programme=world.programme, is_published=False)
    client = FormClient()
    assert _lookup(client, unpublished, "epicerie").status_code == 404
    assert client.get(reverse("apply:register", args=["inconnu"]), {"q": "epicerie"}).status_code == 404
    assert client.post(reverse("apply:register", args=[register.slug]), {"q": "epicerie"}).status_code == 405


def test_the_lookup_is_rate_limited(register, settings):
    settings.PARCOURS_CALL_RATE_LIMITS = {"lookup": (3, 60)}
    client = FormClient()
    codes = [_lookup(client, register, "epicerie").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _lookup(client, register, "epicerie").json() == {"results": []}
    # The page itself has its own budget.
    assert client.get(register.get_public_url()).status_code == 200


def test_the_call_page_offers_the_lookup_without_needing_it(register):
    page = FormClient().get(register.get_public_url()).content.decode()
    assert f'data-register-lookup="{reverse("apply:register", args=[register.slug])}"' in page
    assert "js/register_lookup" in page and "http" not in page.split("register_lookup")[0][-60:]
