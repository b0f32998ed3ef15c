"""A visitor applies to an open call at phone width: saves once, resumes through the link e-mailed to them
(read from Django's outbox), answers the questions and sends; staff then find the new prospect with the
answers on its record. The pages' screenshots go to var/screenshots/ (a test artifact)."""

import re

from django.core import mail
from playwright.sync_api import expect

from prospects.calls.models import Application, ApplicationStatus
from prospects.models import Prospect, Source
from tests.e2e.conftest import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD, CohortFactory, ProgrammeFactory, UserFactory
from tests.prospects.calls_factories import open_call
from tests.prospects.factories import VALID_SIRENS


class _World:
    def __init__(self) -> None:
        self.programme = ProgrammeFactory(name="Programme Coopérations")
        self.cohort = CohortFactory(programme=self.programme, name="Promotion 2027")


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"calls-{name}.png"), full_page=True)


def test_a_visitor_applies_saves_resumes_and_sends_then_staff_see_the_answers(
    page, live_server, transactional_db
):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    call = open_call(_World(), title="Appel coopérations 2027")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + call.get_public_url())
    expect(page.get_by_role("heading", name="Appel coopérations 2027")).to_be_visible()
    page.get_by_label("Nom de la structure").fill("La Cagette des Pentes")
    page.get_by_label("SIREN").fill(VALID_SIRENS[0])
    page.get_by_label("Forme de la structure").select_option("association")
    page.locator("[name=town]").fill("Lyon")
    page.locator("[name=first_name]").fill("Claire")
    page.locator("[name=last_name]").fill("Martin")
    page.get_by_label("E-mail").fill("claire@cagette.example")
    page.locator("input[name=consent]").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "public-390")
    page.get_by_role("button", name="Enregistrer et recevoir le lien").click()
    expect(page.locator(".messages")).to_contain_text("Un lien pour la reprendre a été envoyé")
    assert Application.objects.get().status == ApplicationStatus.DRAFT

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/reprendre/\S+/", mail.outbox[0].body).group(0)

    # Later, from the e-mail: what was typed is there; complete and send.
    resumed = page.context.browser.new_context(locale="fr-FR", viewport=PHONE).new_page()
    resumed.goto(link)
    expect(resumed.get_by_label("Nom de la structure")).to_have_value("La Cagette des Pentes")
    resumed.get_by_label("Idée de projet").fill("Une épicerie coopérative partagée entre trois quartiers.")
    resumed.locator("input[name='members-0-name']").fill("Paul Durand")
    resumed.locator("input[name='members-0-organisation']").fill("Régie de quartier")
    resumed.get_by_label("Votre territoire").fill("Lyon 1er")
    resumed.get_by_label("Secteur").select_option("Alimentation")
    resumed.get_by_label("Nombre de salariés").fill("12")
    resumed.get_by_role("button", name="Envoyer ma candidature").click()
    expect(resumed.get_by_role("heading", name="Candidature envoyée")).to_be_visible()
    _shot(resumed, "submitted-390")
    resumed.context.close()

    prospect = Prospect.objects.get()
    assert prospect.source == Source.CALL and len(mail.outbox) == 2

    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/prospects/")
    page.get_by_role("link", name="La Cagette des Pentes").click()
    applications = page.locator("#applications")
    expect(applications).to_contain_text("Appel coopérations 2027")
    expect(applications).to_contain_text("Lyon 1er")
    expect(applications).to_contain_text("Paul Durand")
    _shot(page, "prospect-1440")
    page.goto(f"{live_server.url}/prospects/appels/{call.pk}/candidatures/")
    expect(page.locator(".count")).to_contain_text("1 candidature")
    _shot(page, "applications-1440")
    page.goto(f"{live_server.url}/prospects/appels/{call.pk}/")
    _shot(page, "call-1440")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/prospects/appels/{call.pk}/questions/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "questions-390")
    assert not errors, errors


def test_the_visitor_fills_the_structure_from_the_register(page, live_server, transactional_db):
    """The lookup (the app's own static/js/register_lookup.js, no CDN) fills the structure's fields."""
    from prospects.sirene.models import RegisterImport, RegisterUnit

    RegisterImport.objects.create(
        kind="units", path="x", file_name="StockUniteLegale_utf8.zip", status="done"
    )
    RegisterUnit.objects.create(
        siren=VALID_SIRENS[1],
        name="EPICERIE SOLIDAIRE DES PENTES",
        legal_category="9220",
        ess=True,
        postcode="69001",
        commune="LYON 1ER ARRONDISSEMENT",
        commune_code="69381",
        departement="69",
    )
    call = open_call(_World())
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + call.get_public_url())
    page.get_by_label("Nom de la structure").press_sequentially("épicerie sol")
    option = page.locator("#register-lookup-id_organisation_name [role=option]").first
    expect(option).to_contain_text("EPICERIE SOLIDAIRE DES PENTES")
    option.click()
    expect(page.get_by_label("SIREN")).to_have_value(VALID_SIRENS[1])
    expect(page.get_by_label("Forme de la structure")).to_have_value("association")
    expect(page.locator("[name=postcode]")).to_have_value("69001")
    expect(page.locator("[name=town]")).to_have_value("Lyon 1er Arrondissement")
    assert all(url.startswith(live_server.url) for url in requests)  # nothing from elsewhere
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
