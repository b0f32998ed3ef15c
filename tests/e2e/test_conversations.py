"""A conversation in a browser: partner A uploads a deliverable in the portal, the team sends it back with a
reason, the partner gets the e-mail (the test outbox: Django's locmem backend), follows its link and answers
in the thread, and the team reads the answer and validates the deliverable."""

import re

from django.core import mail
from playwright.sync_api import expect

from projects.models import Comment, Deliverable
from tests.e2e.conftest import login
from tests.e2e.test_portal import PDF, _followed
from tests.factories import PASSWORD


def test_return_with_a_reason_answer_in_the_thread_then_validate(
    page, browser, live_server, transactional_db, world, tmp_path
):
    deliverable, _ = _followed(world, world.project_a, "A")
    world.staff.first_name, world.staff.last_name = "Claire", "Martin"
    world.staff.save()
    upload = tmp_path / "diagnostic.pdf"
    upload.write_bytes(PDF)

    # Partner A uploads the deliverable in the portal.
    login(page, live_server, world.partner_a.email, PASSWORD)
    page.get_by_role("link", name="Déposer — Diagnostic partagé A").click()
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Version 1 de « Diagnostic partagé A » déposée.")).to_be_visible()
    mail.outbox.clear()

    # The team sends it back with a reason, from the deliverables tab.
    staff_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    staff_page = staff_context.new_page()
    login(staff_page, live_server, world.staff.email, PASSWORD)
    staff_page.goto(f"{live_server.url}/projets/{world.project_a.pk}/livrables/")
    row = staff_page.locator("tr", has_text="Diagnostic partagé A")
    row.get_by_text("À reprendre…").click()
    row.get_by_label("Ce qui est à reprendre").fill("Il manque la synthèse en page 2.")
    row.get_by_role("button", name="Renvoyer au collectif").click()
    expect(staff_page.locator(".message--success")).to_contain_text("Livrable renvoyé au collectif")
    deliverable.refresh_from_db()
    assert deliverable.status == "returned"

    # The partner is told by e-mail, with the reason and the link to their portal page.
    (message,) = [m for m in mail.outbox if m.to == [world.partner_a.email]]
    assert "Il manque la synthèse en page 2." in message.body
    link = re.search(r"https?://\S+/portail/livrables/\d+/", message.body).group(0)

    # They follow it, read the reason in the thread and answer there (HTMX: the thread is re-rendered).
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    thread = page.locator("section.thread")
    expect(thread).to_contain_text("Il manque la synthèse en page 2.")
    thread.get_by_label("Votre message").fill("Voici la synthèse, @claire.martin : nouvelle version déposée.")
    thread.get_by_role("button", name="Envoyer").click()
    expect(page.locator("section.thread")).to_contain_text("nouvelle version déposée")
    expect(page.locator("section.thread").get_by_label("Votre message")).to_have_value("")
    answer = Comment.objects.get(author=world.partner_a)
    assert list(answer.mentions.all()) == [world.staff]
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Version 2 de « Diagnostic partagé A » déposée.")).to_be_visible()

    # The team reads the answer on the deliverable's thread and validates it there.
    staff_page.goto(f"{live_server.url}/projets/discussion/deliverable/{deliverable.pk}/")
    expect(staff_page.locator("section.thread")).to_contain_text("nouvelle version déposée")
    staff_page.get_by_role("button", name="Valider").click()
    expect(staff_page.locator(".message--success")).to_contain_text("Livrable mis à jour.")
    staff_context.close()
    assert Deliverable.objects.get(pk=deliverable.pk).status == "accepted"
