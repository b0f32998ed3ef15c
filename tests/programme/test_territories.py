"""Territories (#22, item 1): the official areas loaded from the package's files, a territory's kind, areas
picked from that list, local partners and referents, the démarche's stages and dated moves, and the
per-person grant that lets a local partner read the territory's page."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.models import (
    Area,
    AreaKind,
    AuditEntry,
    Stage,
    StageMove,
    Territory,
    TerritoryGrant,
    TerritoryPartner,
)
from tests.conftest import client_for
from tests.factories import OrganisationFactory, PersonFactory
from tests.programme.areas import COMMUNES, load_extract, write_extract

pytestmark = pytest.mark.django_db


def test_load_areas_reads_the_package_files(tmp_path):
    out = call_command("load_areas", str(write_extract(tmp_path / "data")))
    assert out is None
    assert Area.objects.filter(kind=AreaKind.REGION).count() == 1
    assert Area.objects.filter(kind=AreaKind.DEPARTMENT).count() == 2
    assert Area.objects.filter(kind=AreaKind.EPCI).count() == 2
    # Only today's communes: the municipal arrondissement and the delegated commune are left out.
    assert set(Area.objects.filter(kind=AreaKind.COMMUNE).values_list("code", flat=True)) == {
        "69123",
        "69266",
        "69256",
        "69259",
        "38053",
    }
    villeurbanne = Area.objects.get(kind=AreaKind.COMMUNE, code="69266")
    assert villeurbanne.epci_code == "200046977" and villeurbanne.department_code == "69"
    assert villeurbanne.region_code == "84" and villeurbanne.population == 163684
    metropole = Area.objects.get(kind=AreaKind.EPCI, code="200046977")
    assert metropole.department_code == "69" and metropole.region_code == "84"


def test_load_areas_again_updates_names_without_duplicating(tmp_path):
    load_extract(tmp_path)
    renamed = [{**c, "nom": "Villeurbanne (nouveau nom)"} if c["code"] == "69266" else c for c in COMMUNES]
    call_command("load_areas", str(write_extract(tmp_path / "v2", communes=renamed)))
    assert Area.objects.filter(kind=AreaKind.COMMUNE).count() == 5
    renamed_area = Area.objects.get(kind=AreaKind.COMMUNE, code="69266")
    assert renamed_area.name == "Villeurbanne (nouveau nom)"
    assert renamed_area.search_text == "villeurbanne (nouveau nom)"  # the upsert keeps the search in step


def test_load_areas_refuses_a_folder_that_is_not_the_package(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("load_areas", str(folder))
    (folder / "regions.json").write_text("{pas du json")
    write_extract(tmp_path / "half")
    (tmp_path / "half" / "communes.json").write_text('[{"nom": "sans code"}]')
    with pytest.raises(CommandError, match="format attendu"):
        call_command("load_areas", str(tmp_path / "half"))
    assert not Area.objects.exists()  # nothing half-loaded
    # --auto: nothing to do when the package is not installed.
    call_command("load_areas", str(tmp_path / "absent"), "--auto")


def _territory(world, **extra) -> Territory:
    return Territory.objects.create(
        name="Vaulx-en-Velin Est", kind="pilot", programme=world.programme, **extra
    )


def test_the_director_creates_a_pilot_territory_staff_cannot(world, director_client, staff_client):
    url = reverse("territories:create")
    assert staff_client.get(url).status_code == 404
    data = {"name": "Nord-Isère", "kind": "pilot", "programme": world.programme.pk, "description": "Bassin"}
    response = director_client.post(url, data)
    territory = Territory.objects.get(name="Nord-Isère")
    assert response.status_code == 302 and response["Location"] == territory.get_absolute_url()
    assert territory.kind == "pilot" and territory.programme == world.programme
    assert AuditEntry.objects.filter(action="territory.created", object_id=str(territory.pk)).exists()
    # The same name again: said on the form, nothing saved.
    again = director_client.post(url, {**data, "name": "nord-isère"})
    assert again.status_code == 200 and "Un territoire porte déjà ce nom." in again.content.decode()
    assert Territory.objects.count() == 1
    listing = staff_client.get(reverse("territories:list")).content.decode()
    assert "Nord-Isère" in listing and "Territoire pilote" in listing


def test_areas_are_picked_from_the_official_list(world, tmp_path, director_client):
    load_extract(tmp_path)
    territory = _territory(world)
    url = reverse("territories:areas", args=[territory.pk])
    page = director_client.get(url, {"q": "vaulx"}).content.decode()
    assert "Vaulx-en-Velin" in page and "69256" in page and "Villeurbanne" not in page
    # Accents, case and hyphens aside: as a name is typed on a phone.
    for typed in ("VAULX EN VELIN", "vaulx-en-vélin", "metropole de lyon"):
        page = director_client.get(url, {"q": typed}).content.decode()
        assert ("Vaulx-en-Velin" if "vaulx" in typed.lower() else "Métropole de Lyon") in page, typed
    by_code = director_client.get(url, {"q": "6926"}).content.decode()
    assert "Villeurbanne" in by_code
    metropole = Area.objects.get(code="200046977")
    vaulx = Area.objects.get(code="69256")
    assert director_client.post(url, {"area": vaulx.pk}).status_code == 302
    assert director_client.post(url, {"area": metropole.pk}).status_code == 302
    assert set(territory.areas.all()) == {vaulx, metropole}
    # An area already chosen is no longer offered.
    assert (
        "Ajouter"
        not in director_client.get(url, {"q": "vaulx", "kind": "commune"})
        .content.decode()
        .split("Périmètre actuel")[0]
        .split("Chercher")[1]
    )
    detail = director_client.get(territory.get_absolute_url()).content.decode()
    assert "Vaulx-en-Velin" in detail and "Métropole de Lyon" in detail
    # An unknown area: 404, nothing added.
    assert director_client.post(url, {"area": 999999}).status_code == 404
    director_client.post(url, {"area": vaulx.pk, "remove": "1"})
    assert list(territory.areas.all()) == [metropole]


def test_partners_and_referents(world, staff_client):
    territory = _territory(world)
    cress = OrganisationFactory(name="CRESS Auvergne-Rhône-Alpes")
    url = reverse("territories:partner.add", args=[territory.pk])
    assert staff_client.post(url, {"organisation": cress.pk, "role": "cress"}).status_code == 302
    again = staff_client.post(url, {"organisation": cress.pk, "role": "association"})
    assert again.status_code == 200 and "déjà partenaire" in again.content.decode()
    assert TerritoryPartner.objects.filter(territory=territory).count() == 1
    person = PersonFactory(first_name="Inès", last_name="Référente", organisation=cress)
    staff_client.post(reverse("territories:referent.add", args=[territory.pk]), {"person": person.pk})
    page = staff_client.get(territory.get_absolute_url()).content.decode()
    assert "CRESS Auvergne-Rhône-Alpes" in page and "Inès Référente" in page
    partner = TerritoryPartner.objects.get()
    staff_client.post(reverse("territories:partner.remove", args=[partner.pk]))
    assert not TerritoryPartner.objects.exists()


def test_the_demarche_moves_through_team_defined_stages(world, director_client, staff_client):
    territory = _territory(world)
    for position, name in enumerate(["Diagnostic partagé", "Stratégie", "Projets pilotes"]):
        response = director_client.post(
            reverse("territories:stage.create"),
            {"programme": world.programme.pk, "name": name, "position": position},
        )
        assert response.status_code == 302
    assert staff_client.get(reverse("territories:stage.create")).status_code == 404
    diagnostic, strategy, _pilots = Stage.objects.order_by("position")
    url = reverse("territories:move", args=[territory.pk])
    staff_client.post(url, {"stage": diagnostic.pk, "moved_on": "2026-01-15", "rationale": "Lancement"})
    staff_client.post(
        url, {"stage": strategy.pk, "moved_on": "2026-06-01", "rationale": "Diagnostic restitué"}
    )
    territory.refresh_from_db()
    assert territory.stage == strategy
    move = StageMove.objects.get(to_stage=strategy)
    assert (
        move.from_stage == diagnostic and move.moved_by == world.staff and move.moved_on == date(2026, 6, 1)
    )
    # Refused with the reason, nothing saved: earlier than the last move, no rationale.
    early = staff_client.post(url, {"stage": diagnostic.pk, "moved_on": "2026-03-01", "rationale": "Retour"})
    assert "ne peut pas le précéder" in early.content.decode()
    empty = staff_client.post(url, {"stage": diagnostic.pk, "moved_on": "2026-07-01", "rationale": ""})
    assert empty.status_code == 200
    assert StageMove.objects.count() == 2
    page = staff_client.get(territory.get_absolute_url()).content.decode()
    assert "Diagnostic restitué" in page and "1er juin 2026" in page


def test_a_local_partner_reads_the_page_only_once_granted(world, director_client):
    territory = _territory(world)
    TerritoryPartner.objects.create(territory=territory, organisation=world.org_a, role="association")
    url = territory.get_absolute_url()
    partner_a, partner_b = client_for(world.partner_a), client_for(world.partner_b)
    assert partner_a.get(url).status_code == 404
    # Only the people of a local partner can be given access.
    refused = director_client.post(
        reverse("territories:grant.add", args=[territory.pk]), {"user": world.partner_b.pk}
    )
    assert refused.status_code == 200 and not TerritoryGrant.objects.exists()
    director_client.post(reverse("territories:grant.add", args=[territory.pk]), {"user": world.partner_a.pk})
    assert TerritoryGrant.objects.filter(territory=territory, user=world.partner_a).exists()
    page = partner_a.get(url)
    assert page.status_code == 200 and "Vaulx-en-Velin Est" in page.content.decode()
    assert "Accès des partenaires locaux" not in page.content.decode()
    assert partner_b.get(url).status_code == 404
    # Removing the organisation as a local partner removes its people's grants.
    grant = TerritoryGrant.objects.get()
    director_client.post(reverse("territories:grant.remove", args=[grant.pk]))
    assert partner_a.get(url).status_code == 404


def test_the_territory_list_costs_the_same_whatever_its_length(world, staff_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("territories:list")).status_code == 200
        return len(queries)

    _territory(world)
    # 1 the session, 2 the user, 3 the territories with their programme, stage and counts of areas and
    # partners (one query) — the same whatever the number of rows.
    assert count() == 3
    for i in range(5):
        Territory.objects.create(name=f"Territoire {i}", programme=world.programme)
    assert count() == 3


def test_the_area_picker_answers_htmx_with_its_results_only(world, tmp_path, director_client):
    load_extract(tmp_path)
    territory = _territory(world)
    response = director_client.get(
        reverse("territories:areas", args=[territory.pk]), {"q": "villeur"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert (
        "Villeurbanne" in html and "69266" in html and "<html" not in html and "Périmètre actuel" not in html
    )
