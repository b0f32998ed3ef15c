"""Staff finds a structure on the radar and adds it to the prospects; then fills a new structure's identity
from the register — in a real browser."""

from playwright.sync_api import expect

from programme.models import Organisation
from prospects.models import Prospect
from prospects.sirene.models import RegisterUnit
from tests.e2e.conftest import login
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory
from tests.prospects.sirene_data import load_register


def test_staff_finds_a_structure_on_the_radar_and_adds_it(page, live_server, transactional_db, tmp_path):
    ProgrammeFactory(name="Programme Coopérations")
    UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    load_register(tmp_path, rows=300)
    unit = (
        RegisterUnit.objects.filter(active=True, legal_category="9220", commune="VILLEURBANNE")
        .order_by("name")
        .first()
    )
    assert unit is not None
    login(page, live_server, "camille@parcours.test", PASSWORD)

    page.goto(f"{live_server.url}/prospects/")
    page.get_by_role("link", name="Radar SIRENE").click()
    # The filters refresh through htmx: typing before the new page's scripts have run would go unheard.
    page.wait_for_url(f"{live_server.url}/prospects/radar/")
    page.get_by_label("Forme juridique").select_option("association")
    page.get_by_label("Commune").fill("Villeurbanne")
    page.wait_for_function("() => location.search.includes('commune=Villeurbanne')")
    page.get_by_label("Nom ou SIREN").fill(unit.siren)
    page.wait_for_function(f"() => location.search.includes('q={unit.siren}')")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text(unit.name)

    page.get_by_label(f"Sélectionner {unit.name}").check()
    page.get_by_role("button", name="Ajouter aux prospects").click()
    expect(page.get_by_text("1 structure ajoutée aux prospects")).to_be_visible()
    expect(page.locator("#results tbody")).to_contain_text("Prospect (Programme Coopérations)")
    prospect = Prospect.objects.get(organisation__siren=unit.siren)
    assert prospect.source == "watch"

    # Identity from the register: typing a name offers the register's structures; choosing one fills the form.
    other = (
        RegisterUnit.objects.filter(active=True)
        .exclude(siren=unit.siren)
        .exclude(departement="")
        .order_by("siren")
        .first()
    )
    page.goto(f"{live_server.url}/structures/nouvelle/")
    page.locator("#id_name").press_sequentially(other.siren[:9], delay=20)
    page.locator("#register-lookup-id_name [role=option]").first.click()
    expect(page.locator("#id_siren")).to_have_value(other.siren)
    expect(page.locator("#id_postcode")).to_have_value(other.postcode)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name=other.name)).to_be_visible()
    assert Organisation.objects.filter(siren=other.siren).exists()
