"""The life of an open event (#20, item 11): staff create it, a visitor registers on the public page, staff
check them in on the tablet page, send the questionnaire, the visitor answers from their link, and the
answer shows on the event and in the director's dashboard."""

import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from prospects.events.models import Event, Registration
from tests.e2e.conftest import login
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory


def test_an_open_event_from_creation_to_the_dashboard(page, browser, live_server, transactional_db):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    UserFactory(email="dir@parcours.test", role="director", first_name="Dominique")
    ProgrammeFactory(name="Programme Coopérations")
    today = timezone.localdate()

    # Staff create an open event.
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/prospects/evenements/nouveau/")
    page.locator("#id_name").fill("Journée des transitions")
    page.locator("#id_kind").select_option("regional_day")
    page.locator("#id_date").fill(today.isoformat())
    page.locator("#id_place").fill("Hôtel de Région")
    page.locator("#id_capacity").fill("30")
    page.locator("#id_is_public").check()
    page.locator("#id_notes").fill("Budget serré, ne pas diffuser")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("Journée des transitions")
    event = Event.objects.get()
    public_url = f"{live_server.url}/evenements/{event.public_key}/"

    # A visitor registers on the public page, without an account, at phone width.
    visitor = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    public = visitor.new_page()
    public.goto(public_url)
    expect(public.locator("h1")).to_have_text("Journée des transitions")
    expect(public.get_by_text("Budget serré")).to_have_count(0)
    public.locator("#id_first_name").fill("Camille")
    public.locator("#id_last_name").fill("Durand")
    public.locator("#id_email").fill("camille@tiers-lieu.fr")
    public.locator("#id_structure").fill("Tiers-lieu des Pentes")
    public.locator("#id_consent").check()
    public.get_by_role("button", name="M’inscrire").click()
    expect(public.get_by_role("status")).to_contain_text("Merci, votre inscription est enregistrée.")
    assert public.evaluate("document.documentElement.scrollWidth") <= 390
    assert any("Inscription confirmée" in m.subject for m in mail.outbox)

    # Staff check them in from the tablet page.
    page.goto(f"{live_server.url}/prospects/evenements/{event.pk}/accueil/")
    row = page.locator(".checkin__row", has_text="Camille Durand")
    row.get_by_role("button", name="Arrivé·e").click()
    expect(row.get_by_role("button", name="Annuler l’arrivée")).to_be_visible()
    assert Registration.objects.get().status == "present"

    # ...and send the questionnaire; the visitor answers from their link.
    page.goto(f"{live_server.url}/prospects/evenements/{event.pk}/")
    page.get_by_role("button", name="Envoyer le questionnaire de satisfaction aux présents").click()
    expect(page.locator(".messages")).to_contain_text("Questionnaire envoyé à 1 participant.")
    survey = next(m for m in mail.outbox if "Votre avis" in m.subject)
    link = re.search(r"https?://\S+/evenements/questionnaire/\S+/", survey.body).group(0)
    public.goto(link)
    for name, score in (("overall", "5"), ("content", "4"), ("organisation", "4"), ("usefulness", "5")):
        public.locator(f"input[name={name}][value='{score}']").check()
    public.locator("#id_comment").fill("Une journée très utile.")
    public.get_by_role("button", name="Envoyer").click()
    expect(public.get_by_role("status")).to_contain_text("Merci, vos réponses sont enregistrées.")
    visitor.close()

    # The answer shows on the event...
    page.reload()
    expect(page.get_by_text("1 réponse au questionnaire")).to_be_visible()
    expect(page.get_by_text("Une journée très utile.")).to_be_visible()
    expect(page.locator("#event-figures")).to_contain_text("100")

    # ...and in the director's dashboard.
    page.context.clear_cookies()
    login(page, live_server, "dir@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/evaluation/tableau-de-bord/?year={today.year}")
    table = page.locator("section[aria-labelledby=h-events] table")
    expect(table).to_contain_text("100")
    expect(table).to_contain_text("Taux de satisfaction")
