"""E-mail from the record (#15): the team's templates, a message from a prospect, a contact or a project
(sent by a task after commit, logged as an exchange with the text sent), and the bulk send to the filtered
prospect list. Tasks run inline in tests; `mail.outbox` is what left."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programme.audit import Edit
from programme.models import AuditEntry
from projects.mailing import selectors, services
from projects.mailing.models import EmailStatus, EmailTemplate, OutgoingEmail
from prospects.models import Exchange, Stage
from tests.factories import OrganisationFactory, PersonFactory
from tests.prospects.factories import prospect_in

from .factories import PDF_BYTES, PNG_BYTES, pdf_file

PRESENTATION_FR = (
    "Bonjour {{ prenom }},\n\nVoici le {{ programme }} pour {{ structure }}.\n\n{{ expediteur }}"
)
PRESENTATION_EN = "Hello {{ prenom }},\n\nHere is {{ programme }} for {{ structure }}.\n\n{{ expediteur }}"


@pytest.fixture(autouse=True)
def _after_commit(monkeypatch):
    """The test's transaction never commits: what a service queues after commit runs at once (a test about
    the queue itself calls `monkeypatch.undo()` and captures the callbacks)."""
    monkeypatch.setattr(services.transaction, "on_commit", lambda func, *args, **kwargs: func())


def make_template(world, *, name="Présentation", attachment=True, english=True, **fields) -> EmailTemplate:
    template = EmailTemplate(
        name=name,
        purpose="presentation",
        subject_fr="Le {{ programme }}",
        body_fr=PRESENTATION_FR,
        subject_en="{{ programme }}" if english else "",
        body_en=PRESENTATION_EN if english else "",
        **fields,
    )
    return services.email_template_save(
        actor=world.staff,
        edit=Edit(obj=template),
        attachment=pdf_file("plaquette.pdf") if attachment else None,
    )


def compose_data(person, template=None, **extra):
    data = {
        "contact": person.pk,
        "language": "fr",
        "subject": "Le programme",
        "body": "Bonjour {{ prenom }},\n\nÀ bientôt.",
    }
    if template is not None:
        data.update(template=template.pk, attach="on")
    data.update(extra)
    return data


# --- Templates --------------------------------------------------------------------------------------------


def test_team_creates_a_template_with_its_attachment(staff_client, world):
    response = staff_client.post(
        reverse("projects:mailing.template.create"),
        {
            "name": "Présentation du programme",
            "purpose": "presentation",
            "subject_fr": "Le {{ programme }}",
            "body_fr": PRESENTATION_FR,
            "subject_en": "",
            "body_en": "",
            "attachment_file": pdf_file("plaquette.pdf"),
        },
    )
    template = EmailTemplate.objects.get()
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
    assert template.attachment_name == "plaquette.pdf" and template.updated_by == world.staff
    page = staff_client.get(template.get_absolute_url()).content.decode()
    assert "Voici le Programme ESS 2027 pour Les Ateliers du Rhône." in page  # the preview, with an example
    download = staff_client.get(reverse("projects:mailing.template.attachment", args=[template.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_director_edits_and_archives_a_template(client, world):
    from tests.conftest import client_for

    template = make_template(world)
    director = client_for(world.director)
    response = director.post(
        reverse("projects:mailing.template.edit", args=[template.pk]),
        {
            "name": "Présentation 2027",
            "purpose": "presentation",
            "subject_fr": "Le programme",
            "body_fr": "Bonjour {{ contact }}",
            "subject_en": "",
            "body_en": "",
            "remove_attachment": "on",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.attachment_name, template.updated_by) == (
        "Présentation 2027",
        "",
        world.director,
    )
    director.post(reverse("projects:mailing.template.archive", args=[template.pk]), {"archived": "1"})
    assert EmailTemplate.objects.get().archived
    assert template not in selectors.templates_for(world.staff)
    listing = director.get(reverse("projects:mailing.templates")).content.decode()
    assert "Présentation 2027" not in listing
    assert (
        "Présentation 2027"
        in director.get(reverse("projects:mailing.templates") + "?archived=true").content.decode()
    )


def test_unknown_placeholder_in_a_template_is_refused(staff_client, world):
    response = staff_client.post(
        reverse("projects:mailing.template.create"),
        {
            "name": "Relance",
            "purpose": "reminder",
            "subject_fr": "Relance",
            "body_fr": "Bonjour {{ nom }} {{ structure }}",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Champ inconnu\u202f: {{ nom }}" in body and "{{ structure }}, {{ contact }}" in body
    assert not EmailTemplate.objects.exists()


def test_an_attachment_that_is_not_a_document_is_refused(staff_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff_client.post(
        reverse("projects:mailing.template.create"),
        {
            "name": "Relance",
            "purpose": "reminder",
            "subject_fr": "Relance",
            "body_fr": "Bonjour",
            "attachment_file": SimpleUploadedFile("image.pdf", PNG_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "La pièce jointe doit être un PDF" in response.content.decode()
    assert not EmailTemplate.objects.exists()


# --- One message ------------------------------------------------------------------------------------------


def test_compose_from_a_prospect_sends_one_email_with_the_attachment_and_logs_it(staff_client, world):
    prospect = prospect_in(world, stage=Stage.CONTACTED, project_idea="Cantine")
    template = make_template(world)
    page = staff_client.get(
        reverse("projects:mailing.compose.prospect", args=[prospect.pk]) + f"?template={template.pk}"
    ).content.decode()
    assert "Voici le Programme Test pour Structure A." in page  # prefilled for the contact, in French
    assert "Bonjour Alice," in page
    response = staff_client.post(
        reverse("projects:mailing.compose.prospect", args=[prospect.pk]),
        compose_data(world.person_a, template, body="Bonjour {{ prenom }},\n\nMerci, {{ structure }}."),
    )
    assert response.status_code == 302 and response["Location"] == prospect.get_absolute_url()
    [message] = mail.outbox
    assert message.to == [world.person_a.email] and message.reply_to == [world.staff.email]
    assert message.body == "Bonjour Alice,\n\nMerci, Structure A."
    assert message.attachments[0][0] == "plaquette.pdf" and message.attachments[0][1] == PDF_BYTES
    exchange = Exchange.objects.get()
    assert (exchange.kind, exchange.prospect, exchange.contact, exchange.organisation) == (
        "email",
        prospect,
        world.person_a,
        world.org_a,
    )
    assert exchange.summary == message.body and exchange.subject == "Le programme"
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.SENT and email.exchange == exchange and email.sent_at is not None
    assert "Merci, Structure A." in staff_client.get(prospect.get_absolute_url()).content.decode()


def test_compose_from_a_contact_page(staff_client, world):
    staff_client.post(
        reverse("projects:mailing.compose.person", args=[world.person_b.pk]),
        compose_data(world.person_b, body="Bonjour {{ contact }} de {{ structure }}"),
    )
    [message] = mail.outbox
    assert message.body == "Bonjour Bruno Bravo de Structure B"
    assert Exchange.objects.get().organisation == world.org_b


def test_compose_from_a_project_links_the_exchange_to_it(staff_client, world):
    response = staff_client.post(
        reverse("projects:mailing.compose.project", args=[world.project_a.pk]),
        compose_data(world.person_a, subject="Point sur {{ projet }}"),
    )
    assert response.status_code == 302
    assert mail.outbox[0].subject == "Point sur Projet A"
    exchange = Exchange.objects.get()
    assert list(world.project_a.exchanges.all()) == [exchange]
    # Someone outside the collective cannot be written to from the project.
    response = staff_client.post(
        reverse("projects:mailing.compose.project", args=[world.project_a.pk]), compose_data(world.person_b)
    )
    assert response.status_code == 200 and len(mail.outbox) == 1


def test_language_english_version_and_the_contact_preference(staff_client, world):
    template = make_template(world)
    url = reverse("projects:mailing.compose.person", args=[world.person_a.pk])
    assert "Hello Alice" in staff_client.get(url + f"?template={template.pk}&lang=en").content.decode()
    assert "Bonjour Alice" in staff_client.get(url + f"?template={template.pk}").content.decode()
    staff_client.post(url, compose_data(world.person_a, template, language="en", body="Hello"))
    assert OutgoingEmail.objects.get().language == "en"
    # The last message to this contact was in English: the next one is prefilled in English.
    assert "Hello Alice" in staff_client.get(url + f"?template={template.pk}").content.decode()


def test_a_first_message_is_prefilled_in_the_language_of_the_contacts_account(staff_client, world):
    template = make_template(world)
    url = reverse("projects:mailing.compose.person", args=[world.person_a.pk])
    world.partner_a.language = "en"  # partner A reads the portal in English
    world.partner_a.save()
    assert world.partner_a.person == world.person_a
    assert "Hello Alice" in staff_client.get(url + f"?template={template.pk}").content.decode()


def test_a_template_without_english_offers_french(staff_client, world):
    template = make_template(world, english=False)
    url = reverse("projects:mailing.compose.person", args=[world.person_a.pk])
    page = staff_client.get(url + f"?template={template.pk}&lang=en").content.decode()
    assert "Bonjour Alice" in page and "pas de version anglaise" in page


def test_a_recipient_without_email_is_refused(staff_client, world):
    nobody = PersonFactory(organisation=world.org_a, email="", first_name="Sans", last_name="Adresse")
    url = reverse("projects:mailing.compose.person", args=[nobody.pk])
    assert "n’a pas d’adresse e-mail" in staff_client.get(url).content.decode()
    response = staff_client.post(url, compose_data(nobody))
    assert response.status_code == 200
    assert "Ce contact n’a pas d’adresse e-mail" in response.content.decode()
    assert not mail.outbox and not Exchange.objects.exists() and not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"subject": "  "}, "Écrivez l’objet du message."),
        ({"body": ""}, "Écrivez le texte du message."),
        ({"body": "Bonjour {{ civilite }} {{ nom }}"}, "Champ inconnu\u202f: {{ civilite }}, {{ nom }}"),
        ({"body": "Le {{ entretien }}"}, "Pas de valeur pour {{ entretien }}"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_sent(staff_client, world, changes, said):
    prospect = prospect_in(world)
    response = staff_client.post(
        reverse("projects:mailing.compose.prospect", args=[prospect.pk]),
        compose_data(world.person_a, **changes),
    )
    assert response.status_code == 200
    assert said in response.content.decode()
    assert not mail.outbox and not Exchange.objects.exists() and not OutgoingEmail.objects.exists()


def test_interview_date_placeholder(staff_client, world):
    from tests.prospects.factories import interview_for

    prospect = prospect_in(world, stage=Stage.INTERESTED)
    interview = interview_for(world, prospect=prospect)
    interview.scheduled_at = timezone.now() + timedelta(days=3)
    interview.save()
    staff_client.post(
        reverse("projects:mailing.compose.prospect", args=[prospect.pk]),
        compose_data(world.person_a, body="Rendez-vous le {{ entretien }}."),
    )
    assert " à " in mail.outbox[0].body and "{{" not in mail.outbox[0].body


def test_double_submit_sends_once(staff_client, world):
    url = reverse("projects:mailing.compose.person", args=[world.person_a.pk])
    data = {**compose_data(world.person_a), "submission_token": "t" * 32}
    staff_client.post(url, data)
    second = staff_client.post(url, data)
    assert second.status_code == 200 and "déjà été envoyé" in second.content.decode()
    assert len(mail.outbox) == 1 and OutgoingEmail.objects.count() == 1 and Exchange.objects.count() == 1


def test_a_redelivered_task_sends_nothing_twice(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False):
        email = services.email_send(
            actor=world.staff,
            person=world.person_a,
            draft=services.Draft(subject="Objet", body="Texte"),
        )
    assert not mail.outbox and email.status == EmailStatus.QUEUED
    from projects.mailing.tasks import send_emails

    assert send_emails.apply(args=[[email.pk]]).get() == 1
    assert send_emails.apply(args=[[email.pk]]).get() == 0  # redelivered: already sent
    assert services.outgoing_email_deliver(email_id=email.pk) == 0
    assert len(mail.outbox) == 1


def test_an_anonymised_contact_leaves_no_address_in_the_messages_sent(world):
    from programme.services import person_anonymise

    email = services.email_send(
        actor=world.staff, person=world.person_a, draft=services.Draft(subject="Objet", body="Texte")
    )
    person_anonymise(actor=world.staff, person=world.person_a)
    email.refresh_from_db()
    assert email.to == f"anonymise-{world.person_a.pk}@invalid.parcours"


def test_an_anonymised_contact_leaves_no_name_in_what_was_written_to_or_about_them(staff_client, world):
    """The messages sent to them and the team's exchanges with them keep their text, not the person: the
    name and address are erased everywhere the contact's export listed them."""
    from programme.services import person_anonymise

    address = world.person_a.email
    services.email_send(
        actor=world.staff,
        person=world.person_a,
        draft=services.Draft(
            subject="Pour Alice Alpha", body=f"Bonjour ALICE,\nVotre adresse {address} est notée. Alicette"
        ),
    )
    call = Exchange.objects.create(
        organisation=world.org_a,
        contact=world.person_a,
        kind="call",
        date=timezone.localdate(),
        user=world.staff,
        subject="Appel",
        summary="Appel avec Alpha Alice : budget validé.",
        next_action="Rappeler Alice",
    )
    export = staff_client.get(reverse("programme:person.export", args=[world.person_a.pk])).json()
    (received,) = export["e-mails reçus"]
    assert received["objet"] == "Pour Alice Alpha" and received["à"] == address
    assert "échanges" not in export  # the team's notes: erased with the contact, not exported

    person_anonymise(actor=world.staff, person=world.person_a)

    email = OutgoingEmail.objects.get()
    assert email.subject == "Pour [anonymisé]"
    assert email.body == "Bonjour [anonymisé],\nVotre adresse [anonymisé] est notée. Alicette"
    assert email.exchange.subject == "Pour [anonymisé]" and email.exchange.summary == email.body
    call.refresh_from_db()
    assert (
        call.summary == "Appel avec [anonymisé] : budget validé."
        and call.next_action == "Rappeler [anonymisé]"
    )
    page = staff_client.get(reverse("projects:mailing.sent.detail", args=[email.pk])).content.decode()
    assert "Alice " not in page and "Alice Alpha" not in page and address not in page


def test_a_failing_server_leaves_the_message_failed_with_the_error(world, monkeypatch):
    import smtplib

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"no")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    email = services.email_send(
        actor=world.staff, person=world.person_a, draft=services.Draft(subject="Objet", body="Texte")
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and "SMTPRecipientsRefused" in email.error
    assert Exchange.objects.count() == 1  # the exchange stays: the message page says it failed


def _failed(world, monkeypatch):
    """A message the server refused: the retries gave up, it shows as failed."""
    import smtplib

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"no")})

    with monkeypatch.context() as refusing:
        refusing.setattr("django.core.mail.EmailMessage.send", refuse)
        email = services.email_send(
            actor=world.staff, person=world.person_a, draft=services.Draft(subject="Relance", body="Texte")
        )
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    return email


def test_a_failed_message_is_in_its_senders_inbox_and_sent_again_to_the_corrected_address(
    staff_client, world, monkeypatch
):
    email = _failed(world, monkeypatch)
    inbox = staff_client.get(reverse("projects:inbox")).content.decode()
    assert "E-mails non partis" in inbox and "Relance" in inbox
    page = staff_client.get(reverse("projects:mailing.sent.detail", args=[email.pk])).content.decode()
    assert "SMTPRecipientsRefused" in page and "Renvoyer" in page and "Dernière erreur" not in page
    # Back in the queue, not sent yet: the error is the last attempt's, and there is nothing to send again.
    OutgoingEmail.objects.filter(pk=email.pk).update(status=EmailStatus.QUEUED)
    page = staff_client.get(reverse("projects:mailing.sent.detail", args=[email.pk])).content.decode()
    assert "Dernière erreur" in page and "Renvoyer" not in page
    OutgoingEmail.objects.filter(pk=email.pk).update(status=EmailStatus.FAILED)
    world.person_a.email = "alice.corrigee@exemple.fr"  # the address corrected on the contact
    world.person_a.save()

    url = reverse("projects:mailing.sent.retry", args=[email.pk])
    first = staff_client.post(url, follow=True).content.decode()
    again = staff_client.post(url, follow=True).content.decode()  # a double click

    assert "L’e-mail repart" in first and "Seul un e-mail en échec peut être renvoyé" in again
    assert [m.to for m in mail.outbox] == [["alice.corrigee@exemple.fr"]]
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.to == "alice.corrigee@exemple.fr"
    assert "Relance" not in staff_client.get(reverse("projects:inbox")).content.decode()
    entry = AuditEntry.objects.get(action="outgoing_email.retried")
    assert entry.changes == {"status": ["failed", "queued"], "to": ["…", "…"]}


def test_a_message_to_a_contact_anonymised_since_cannot_be_sent_again(staff_client, world, monkeypatch):
    from programme.services import person_anonymise

    email = _failed(world, monkeypatch)
    person_anonymise(actor=world.staff, person=world.person_a)
    page = staff_client.get(reverse("projects:mailing.sent.detail", args=[email.pk])).content.decode()
    assert "Renvoyer" not in page
    refused = staff_client.post(reverse("projects:mailing.sent.retry", args=[email.pk]), follow=True)
    assert "Ce contact a été anonymisé" in refused.content.decode()
    assert not mail.outbox
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED


def test_the_sweeper_hands_lost_messages_again(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False):
        email = services.email_send(
            actor=world.staff, person=world.person_a, draft=services.Draft(subject="Objet", body="Texte")
        )
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outgoing_emails_requeue_stuck() == 1
    assert len(mail.outbox) == 1
    assert services.outgoing_emails_requeue_stuck() == 0


# --- Bulk send --------------------------------------------------------------------------------------------


def bulk_world(world):
    """Three prospects with a recipient, one without contact, one whose contacts have no address."""
    prospects = [prospect_in(world, stage=Stage.CONTACTED)]
    for index in range(2):
        organisation = OrganisationFactory(name=f"Structure {index + 1}0")
        PersonFactory(organisation=organisation, first_name=f"P{index}")
        prospects.append(prospect_in(world, organisation=organisation, stage=Stage.CONTACTED))
    prospect_in(world, organisation=OrganisationFactory(name="Sans contact"), stage=Stage.CONTACTED)
    silent = OrganisationFactory(name="Sans adresse")
    PersonFactory(organisation=silent, email="")
    prospect_in(world, organisation=silent, stage=Stage.CONTACTED)
    prospect_in(world, organisation=OrganisationFactory(name="Autre étape"), stage=Stage.IDENTIFIED)
    return prospects


def bulk_data(**extra):
    return {
        "step": "preview",
        "filters": "stage=contacted",
        "language": "fr",
        "subject": "Le {{ programme }}",
        "body": "Bonjour {{ prenom }} ({{ structure }})",
        **extra,
    }


def test_bulk_link_counts_the_filtered_prospects(staff_client, world):
    bulk_world(world)
    response = staff_client.get(reverse("projects:mailing.bulk.link") + "?stage=contacted")
    assert "Envoyer un e-mail aux 5 prospects" in response.content.decode()
    assert (
        "Envoyer un e-mail aux 6 prospects"
        in staff_client.get(reverse("prospects:prospect.list")).content.decode()
    )


def test_bulk_preview_counts_recipients_and_says_who_is_skipped(staff_client, world):
    bulk_world(world)
    page = staff_client.get(reverse("projects:mailing.bulk") + "?stage=contacted").content.decode()
    assert "5 prospects dans la liste filtrée" in page
    response = staff_client.post(reverse("projects:mailing.bulk"), bulk_data())
    body = response.content.decode()
    assert "3 destinataires" in body and "sur 5 prospects filtrés" in body and "2 écartés" in body
    assert "Aucun contact enregistré pour cette structure." in body
    assert "Aucun contact de cette structure n’a d’adresse e-mail." in body
    assert "Bonjour P0 (Structure 10)" in body  # the sample: the first recipient's message
    assert not mail.outbox and not OutgoingEmail.objects.exists()


def test_bulk_confirmation_sends_one_per_prospect_each_logged(staff_client, world):
    prospects = bulk_world(world)
    template = make_template(world)
    response = staff_client.post(
        reverse("projects:mailing.bulk"), bulk_data(step="confirm", template=template.pk, attach="True")
    )
    assert response.status_code == 302 and response["Location"].endswith("?stage=contacted")
    assert len(mail.outbox) == 3
    assert sorted(m.body for m in mail.outbox)[0].startswith("Bonjour ")
    assert all(m.attachments[0][0] == "plaquette.pdf" for m in mail.outbox)
    for prospect in prospects:
        [exchange] = prospect.exchanges.all()
        assert exchange.kind == "email" and f"({prospect.organisation.name})" in exchange.summary
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_bulk_over_the_limit_needs_the_explicit_confirmation(staff_client, world, monkeypatch):
    monkeypatch.setattr(selectors, "LARGE_BULK", 2)
    bulk_world(world)
    preview = staff_client.post(reverse("projects:mailing.bulk"), bulk_data()).content.decode()
    assert "Je confirme l’envoi à plus de 1\u202f000 destinataires" in preview
    refused = staff_client.post(reverse("projects:mailing.bulk"), bulk_data(step="confirm"))
    assert refused.status_code == 200
    assert "cochez la case de confirmation" in refused.content.decode()
    assert not mail.outbox and not OutgoingEmail.objects.exists() and not Exchange.objects.exists()
    staff_client.post(reverse("projects:mailing.bulk"), bulk_data(step="confirm", confirm_large="on"))
    assert len(mail.outbox) == 3


def _previewed(page: str) -> str:
    """Who the preview page showed, as its confirmation form sends it."""
    return re.search(r'name="recipients" value="([0-9a-f]+)"', page).group(1)


def test_bulk_confirmation_refuses_a_list_changed_since_the_preview(staff_client, world):
    """A prospect entering the filtered list between the preview and the confirmation: nothing is sent, the
    page says so and shows the list as it is now, and confirming that one sends to everyone on it."""
    bulk_world(world)
    preview = staff_client.post(reverse("projects:mailing.bulk"), bulk_data()).content.decode()
    assert "3 destinataires" in preview
    newcomer = OrganisationFactory(name="Arrivée entre-temps")
    PersonFactory(organisation=newcomer, first_name="Nouvelle")
    prospect_in(world, organisation=newcomer, stage=Stage.CONTACTED)

    refused = staff_client.post(
        reverse("projects:mailing.bulk"), bulk_data(step="confirm", recipients=_previewed(preview))
    )
    page = refused.content.decode()
    assert refused.status_code == 200
    assert (
        "La liste a changé depuis la prévisualisation\u202f: elle compte maintenant 4 destinataires." in page
    )
    assert "Rien n’a été envoyé." in page and "Envoyer aux 4 destinataires" in page
    assert not mail.outbox and not OutgoingEmail.objects.exists() and not Exchange.objects.exists()

    staff_client.post(
        reverse("projects:mailing.bulk"), bulk_data(step="confirm", recipients=_previewed(page))
    )
    assert len(mail.outbox) == 4


def test_bulk_double_submit_sends_once(staff_client, world):
    bulk_world(world)
    data = bulk_data(step="confirm", submission_token="b" * 32)
    staff_client.post(reverse("projects:mailing.bulk"), data)
    staff_client.post(reverse("projects:mailing.bulk"), data)
    assert len(mail.outbox) == 3 and OutgoingEmail.objects.count() == 3


def test_bulk_unknown_placeholder_is_refused(staff_client, world):
    bulk_world(world)
    response = staff_client.post(reverse("projects:mailing.bulk"), bulk_data(body="Bonjour {{ nom }}"))
    assert "Champ inconnu\u202f: {{ nom }}" in response.content.decode()
    response = staff_client.post(
        reverse("projects:mailing.bulk"), bulk_data(step="confirm", body="{{ nom }}")
    )
    assert "Champ inconnu" in response.content.decode() and not mail.outbox


# --- Bulk send to the collectives of the filtered projects -----------------------------------------------


def collectives_world(world):
    """Projects A and B (Alice, Bruno) and C (nobody). In A's structure: a contact without address and one
    without legal basis; a structure in both A and B (Camille, written to once); one that left A."""
    from datetime import date

    from tests.factories import MembershipFactory, ProjectFactory

    PersonFactory(organisation=world.org_a, first_name="Sans", last_name="Adresse", email="")
    PersonFactory(organisation=world.org_a, first_name="Zoé", last_name="Zèbre", consent_basis="")
    both = OrganisationFactory(name="Structure commune")
    PersonFactory(organisation=both, first_name="Camille", last_name="Commun", email="camille@commun.fr")
    MembershipFactory(project=world.project_a, organisation=both)
    MembershipFactory(project=world.project_b, organisation=both)
    former = OrganisationFactory(name="Partie")
    PersonFactory(organisation=former, first_name="Ancien", last_name="Membre")
    MembershipFactory(project=world.project_a, organisation=former, left_on=date(2026, 3, 1))
    return ProjectFactory(programme=world.programme, cohort=world.cohort, title="Projet C")


def collectives_data(**extra):
    return {
        "step": "preview",
        "filters": "",
        "language": "fr",
        "subject": "Comité de {{ projet }}",
        "body": "Bonjour {{ prenom }} ({{ structure }}, {{ projet }})",
        **extra,
    }


COLLECTIVES = "projects:mailing.bulk.projects"


def test_collectives_link_counts_the_filtered_projects(staff_client, world):
    collectives_world(world)
    assert (
        "Envoyer un e-mail aux collectifs des 3 projets"
        in staff_client.get(reverse("projects:project.list")).content.decode()
    )
    link = staff_client.get(reverse("projects:mailing.bulk.projects.link") + "?q=Projet+C")
    assert "Envoyer un e-mail au collectif de ce projet" in link.content.decode()
    assert f'href="{reverse(COLLECTIVES)}?q=Projet+C"' in link.content.decode()


def test_collectives_preview_lists_every_contact_and_who_is_left_out(staff_client, world):
    collectives_world(world)
    page = staff_client.get(reverse(COLLECTIVES)).content.decode()
    assert (
        "3 projets dans la liste filtrée" in page and "E-mail aux collectifs des projets de la liste" in page
    )
    body = staff_client.post(reverse(COLLECTIVES), collectives_data()).content.decode()
    assert "3 destinataires" in body and "sur 3 projets filtrés" in body
    assert "4 contacts ou projets écartés" in body
    plan = selectors.collectives_plan(
        world.project_a.__class__.objects.all(), sender=world.staff, language="fr", texts=("", "")
    )
    assert [(r.row.title, r.person.first_name) for r in plan.recipients] == [
        ("Projet A", "Alice"),
        ("Projet A", "Camille"),
        ("Projet B", "Bruno"),
    ]
    assert [(s.row.title, s.person and s.person.first_name, s.reason) for s in plan.skipped] == [
        ("Projet A", "Sans", "Pas d’adresse e-mail."),
        ("Projet A", "Zoé", "Pas de base légale enregistrée (consentement…)."),
        ("Projet B", "Camille", "Cette adresse reçoit déjà ce message (autre projet)."),
        ("Projet C", None, "Personne dans le collectif de ce projet aujourd’hui."),
    ]
    assert "Ancien" not in body  # a structure that left the collective is not written to
    assert "Bonjour Alice (Structure A, Projet A)" in body  # the sample: the first recipient's message
    assert not mail.outbox and not OutgoingEmail.objects.exists()


def test_collectives_confirmation_sends_one_per_contact_logged_on_the_project(staff_client, world):
    collectives_world(world)
    response = staff_client.post(reverse(COLLECTIVES), collectives_data(step="confirm", filters="q=Projet"))
    assert response.status_code == 302 and response["Location"].endswith("/projets/?q=Projet")
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("camille@commun.fr", "Comité de Projet A"),
        (world.person_a.email, "Comité de Projet A"),
        (world.person_b.email, "Comité de Projet B"),
    ]
    assert [e.contact.first_name for e in world.project_a.exchanges.order_by("contact__first_name")] == [
        "Alice",
        "Camille",
    ]
    [exchange] = world.project_b.exchanges.all()
    assert exchange.organisation == world.org_b and exchange.kind == "email" and exchange.prospect is None
    assert sorted(
        AuditEntry.objects.filter(action="project.email_sent").values_list("object_repr", flat=True)
    ) == ["Projet A", "Projet A", "Projet B"]
    assert set(OutgoingEmail.objects.values_list("project__title", flat=True)) == {"Projet A", "Projet B"}


def test_collectives_with_nobody_to_write_to_send_nothing(staff_client, world):
    collectives_world(world)
    response = staff_client.post(reverse(COLLECTIVES), collectives_data(step="confirm", filters="q=Projet+C"))
    assert response.status_code == 200
    assert (
        "Aucun contact des collectifs de ces projets ne peut être écrit\u202f: rien n’a été envoyé."
        in response.content.decode()
    )
    assert not mail.outbox and not Exchange.objects.exists()


def test_collectives_double_submit_sends_once(staff_client, world):
    collectives_world(world)
    data = collectives_data(step="confirm", submission_token="c" * 32)
    staff_client.post(reverse(COLLECTIVES), data)
    staff_client.post(reverse(COLLECTIVES), data)
    assert len(mail.outbox) == 3 and OutgoingEmail.objects.count() == 3


def test_collectives_refuse_a_list_changed_since_the_preview(staff_client, world):
    collectives_world(world)
    preview = staff_client.post(reverse(COLLECTIVES), collectives_data()).content.decode()
    PersonFactory(organisation=world.org_b, first_name="Nouvelle")
    refused = staff_client.post(
        reverse(COLLECTIVES), collectives_data(step="confirm", recipients=_previewed(preview))
    )
    assert "elle compte maintenant 4 destinataires" in refused.content.decode()
    assert not mail.outbox


COLLECTIVES_PREVIEW_QUERIES = 7


@pytest.mark.parametrize("n", [2, 6])
def test_collectives_preview_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    from tests.factories import MembershipFactory, ProjectFactory

    for index in range(n):
        organisation = OrganisationFactory(name=f"Org {index}")
        PersonFactory(organisation=organisation)
        project = ProjectFactory(programme=world.programme, cohort=world.cohort, title=f"Extra {index}")
        MembershipFactory(project=project, organisation=organisation)
    with django_assert_num_queries(COLLECTIVES_PREVIEW_QUERIES):
        response = staff_client.post(reverse(COLLECTIVES), collectives_data(filters="q=Extra"))
    assert len(response.context["plan"].recipients) == n


# --- Lists and partners ---------------------------------------------------------------------------------


SENT_QUERIES = 4
BULK_PREVIEW_QUERIES = 5
TEMPLATES_QUERIES = 4


@pytest.mark.parametrize("n", [2, 6])
def test_templates_list_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    for index in range(n):
        make_template(world, name=f"Modèle {index}", attachment=False)
    with django_assert_num_queries(TEMPLATES_QUERIES):
        response = staff_client.get(reverse("projects:mailing.templates"))
    assert response.context["count"] == n


@pytest.mark.parametrize("n", [2, 6])
def test_sent_list_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    for index in range(n):
        services.email_send(
            actor=world.staff,
            person=world.person_a,
            draft=services.Draft(subject=f"Objet {index}", body="Texte"),
        )
    with django_assert_num_queries(SENT_QUERIES):
        response = staff_client.get(reverse("projects:mailing.sent"))
    assert response.context["count"] == n


@pytest.mark.parametrize("n", [2, 6])
def test_bulk_preview_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    for index in range(n):
        organisation = OrganisationFactory(name=f"Org {index}")
        PersonFactory(organisation=organisation)
        prospect_in(world, organisation=organisation, stage=Stage.CONTACTED)
    with django_assert_num_queries(BULK_PREVIEW_QUERIES):
        response = staff_client.post(reverse("projects:mailing.bulk"), bulk_data())
    assert len(response.context["plan"].recipients) == n


def test_partners_get_404_everywhere(world):
    from tests.conftest import client_for

    template = make_template(world)
    prospect = prospect_in(world)
    partner = client_for(world.partner_a)
    for url in [
        reverse("projects:mailing.templates"),
        template.get_absolute_url(),
        reverse("projects:mailing.template.attachment", args=[template.pk]),
        reverse("projects:mailing.compose.prospect", args=[prospect.pk]),
        reverse("projects:mailing.compose.person", args=[world.person_a.pk]),
        reverse("projects:mailing.compose.project", args=[world.project_a.pk]),
        reverse("projects:mailing.bulk"),
        reverse("projects:mailing.bulk.projects"),
        reverse("projects:mailing.bulk.projects.link"),
    ]:
        assert partner.get(url).status_code == 404, url
    response = partner.post(
        reverse("projects:mailing.compose.project", args=[world.project_a.pk]), compose_data(world.person_a)
    )
    assert response.status_code == 404 and not mail.outbox
    response = partner.post(reverse("projects:mailing.bulk.projects"), collectives_data(step="confirm"))
    assert response.status_code == 404 and not mail.outbox and not Exchange.objects.exists()


def test_demo_templates_are_built_once(world):
    from programme.demo import DemoContext
    from projects.mailing import demo

    ctx = DemoContext(users={"staff": world.staff})
    demo.build(ctx)
    demo.build(ctx)
    assert EmailTemplate.objects.count() == 3
    leaflet = EmailTemplate.objects.get(purpose="presentation")
    assert leaflet.attachment_type == "application/pdf" and leaflet.has_english
