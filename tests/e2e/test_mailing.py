"""Staff write to the prospects of a filtered list, or to the collectives of a filtered project list: the link
follows the filters, the preview says who receives the message and who is left out, the confirmation sends one
e-mail per recipient; at phone width."""

from django.core import mail
from playwright.sync_api import expect

from prospects.models import Exchange
from tests.e2e.conftest import login
from tests.factories import (
    PASSWORD,
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)
from tests.prospects.factories import ProspectFactory


def _write_preview_and_send(page, subject: str, *, left_out: str) -> None:
    """The message, its preview at phone width (two recipients, one row left out with its reason), then the
    send and its confirmation."""
    page.get_by_label("Objet").fill(subject)
    page.get_by_label("Message").fill("Bonjour {{ prenom }},\n\nÀ bientôt.")
    page.get_by_role("button", name="Prévisualiser l’envoi").click()
    expect(page.locator(".mail-count")).to_contain_text("2 destinataires")
    expect(page.get_by_text(left_out)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Envoyer aux 2 destinataires").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("2 e-mails partent")


def test_staff_send_a_bulk_email_to_the_filtered_prospects(page, live_server, transactional_db):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    programme = ProgrammeFactory(name="Programme Coopérations")
    for name, with_contact in [("Atelier Vélo", True), ("Cantine Solidaire", True), ("Sans Contact", False)]:
        organisation = OrganisationFactory(name=name)
        if with_contact:
            PersonFactory(organisation=organisation, first_name=f"Contact {name}")
        ProspectFactory(programme=programme, organisation=organisation, stage="contacted")
    ProspectFactory(programme=programme, organisation=OrganisationFactory(name="Autre"), stage="identified")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/prospects/")
    expect(page.get_by_role("link", name="Envoyer un e-mail aux 4 prospects")).to_be_visible()
    page.locator("select[name=stage]").select_option("contacted")
    link = page.get_by_role("link", name="Envoyer un e-mail aux 3 prospects")
    expect(link).to_be_visible()
    link.click()

    _write_preview_and_send(
        page, "Le {{ programme }}", left_out="Aucun contact enregistré pour cette structure."
    )

    assert sorted(m.subject for m in mail.outbox) == ["Le Programme Coopérations"] * 2
    assert Exchange.objects.filter(kind="email").count() == 2


def test_staff_write_to_the_collectives_of_the_filtered_projects(page, live_server, transactional_db):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    programme = ProgrammeFactory(name="Programme Coopérations")
    spring = CohortFactory(programme=programme, name="Printemps")
    autumn = CohortFactory(programme=programme, name="Automne")
    for title, cohort, people in [
        ("Vélo-école", spring, ["Inès", "Jules"]),
        ("Cantine partagée", spring, []),
        ("Recyclerie", autumn, ["Karim"]),
    ]:
        organisation = OrganisationFactory(name=f"Structure {title}")
        project = ProjectFactory(
            programme=programme, cohort=cohort, title=title, lead_organisation=organisation
        )
        MembershipFactory(project=project, organisation=organisation)
        for first_name in people:
            PersonFactory(organisation=organisation, first_name=first_name)

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/projets/")
    expect(page.get_by_role("link", name="Envoyer un e-mail aux collectifs des 3 projets")).to_be_visible()
    page.locator("select[name=cohort]").select_option(label=str(spring))
    link = page.get_by_role("link", name="Envoyer un e-mail aux collectifs des 2 projets")
    expect(link).to_be_visible()
    link.click()

    _write_preview_and_send(
        page, "Comité de {{ projet }}", left_out="Personne dans le collectif de ce projet aujourd’hui."
    )

    assert sorted(m.subject for m in mail.outbox) == ["Comité de Vélo-école"] * 2
    assert Exchange.objects.filter(kind="email", projects__title="Vélo-école").count() == 2
