"""The public call page (no login): apply, save and come back through the e-mailed link, send; what is
refused (after the deadline, a wrong SIREN, a missing answer, a bad file, a robot, too many requests) and
what an anonymous visitor never sees."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from programme.models import Organisation, Person
from prospects.calls.models import Answer, Application, ApplicationStatus, QuestionKind
from prospects.models import Prospect, Source, Stage, StageChange
from tests.clients import FormClient

from .calls_factories import CallFactory, draft_for, open_call, submitted_for
from .factories import VALID_SIRENS, ProspectFactory


def _questions(call):
    return {q.kind: q for q in call.questions.all()}


def _complete(call, **extra):
    q = _questions(call)
    data = {
        "organisation_name": "La Cagette des Pentes",
        "siren": VALID_SIRENS[0],
        "organisation_kind": "association",
        "postcode": "69001",
        "town": "Lyon",
        "first_name": "Claire",
        "last_name": "Martin",
        "email": "claire@cagette.example",
        "phone": "04 00 00 00 00",
        "job_title": "Coordinatrice",
        "project_idea": "Une épicerie coopérative partagée entre trois quartiers.",
        "consent": "on",
        f"q{q[QuestionKind.NUMBER].pk}": "12",
        f"q{q[QuestionKind.SHORT].pk}": "Lyon 1er",
        f"q{q[QuestionKind.CHOICE].pk}": "Alimentation",
        f"q{q[QuestionKind.LONG].pk}": "Coopérer plutôt que concurrencer.",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "Paul Durand",
        "members-0-organisation": "Régie de quartier",
        "members-0-role": "Logistique",
        "members-1-name": "",
        "action": "submit",
    }
    data.update(extra)
    return data


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST as a browser does, the tasks queued after commit run at once (the e-mails leave)."""

    def send(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return send


def _link_in(message) -> str:
    return re.search(r"https?://\S+/reprendre/\S+/", message.body).group(0)


@pytest.mark.django_db
def test_the_public_page_shows_the_call_and_nothing_else(world):
    call = open_call(world)
    CallFactory(programme=world.programme, title="Appel caché", is_published=False)
    other = open_call(world, title="Autre appel")
    draft_for(other, organisation_name="Brouillon d’un autre")
    response = FormClient().get(call.get_public_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert call.title in body and "Nous cherchons des collectifs" in body and "Votran territoire" not in body
    assert "Votre territoire" in body  # the call's own questions
    for hidden in ("Appel caché", "Autre appel", "Brouillon d’un autre", "Structure A", "Projet A"):
        assert hidden not in body


@pytest.mark.django_db
def test_save_then_resume_through_the_emailed_link_then_submit(world, post):
    call = open_call(world, stage=Stage.CONTACTED)
    client = FormClient()
    data = _complete(call, action="save", project_idea="")
    response = post(client, call.get_public_url(), data)
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_resume_url()
    assert application.status == ApplicationStatus.DRAFT and application.prospect is None
    assert Prospect.objects.count() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["claire@cagette.example"]
    link = _link_in(mail.outbox[0])
    assert link.endswith(application.get_resume_url())

    # Another browser, through the link: what was typed is there.
    other = FormClient()
    page = other.get(application.get_resume_url())
    assert "La Cagette des Pentes" in page.content.decode() and "Lyon 1er" in page.content.decode()
    response = post(other, application.get_resume_url(), _complete(call))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    prospect = application.prospect
    assert prospect.source == Source.CALL and prospect.stage == Stage.CONTACTED
    assert prospect.cohort == world.cohort and prospect.programme == world.programme
    assert prospect.organisation.siren == VALID_SIRENS[0] and prospect.organisation.kind == "association"
    assert StageChange.objects.filter(prospect=prospect, to_stage=Stage.CONTACTED).exists()
    person = Person.objects.get(email="claire@cagette.example")
    assert person.organisation == prospect.organisation and person.consent_basis == "consent"
    assert person.consent_date is not None and call.title in person.consent_source
    assert application.members == [
        {"name": "Paul Durand", "organisation": "Régie de quartier", "role": "Logistique"}
    ]
    assert Answer.objects.get(application=application, question__kind=QuestionKind.NUMBER).value == "12"
    assert len(mail.outbox) == 2 and "reçue" in mail.outbox[1].subject
    # The link now shows the application as sent, read only.
    page = other.get(application.get_resume_url())
    assert (
        "Candidature envoyée" in page.content.decode()
        and '<form method="post" enctype' not in page.content.decode()
    )


@pytest.mark.django_db
def test_a_second_save_with_the_same_address_sends_no_second_link(world, post):
    call = open_call(world)
    client = FormClient()
    post(client, call.get_public_url(), _complete(call, action="save"))
    application = Application.objects.get()
    post(client, application.get_resume_url(), _complete(call, action="save", town="Villeurbanne"))
    application.refresh_from_db()
    assert application.town == "Villeurbanne" and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_submission_is_deduplicated_by_siren(world):
    call = open_call(world)
    organisation = Organisation.objects.create(
        name="Cagette (ancien nom)", kind="association", siren=VALID_SIRENS[0]
    )
    existing = ProspectFactory(programme=world.programme, organisation=organisation, stage=Stage.INTERESTED)
    FormClient().post(call.get_public_url(), _complete(call))
    application = Application.objects.get()
    assert application.prospect == existing
    assert Prospect.objects.count() == 1 and Organisation.objects.filter(siren=VALID_SIRENS[0]).count() == 1
    existing.refresh_from_db()
    assert existing.stage == Stage.INTERESTED  # an existing prospect keeps its stage


@pytest.mark.django_db
def test_double_submission_creates_one_draft(world):
    call = open_call(world)
    data = _complete(call, action="save", submission_token="a" * 32)
    client = FormClient()
    client.post(call.get_public_url(), data)
    client.post(call.get_public_url(), data)
    assert Application.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"siren": "123456789"}, "clé de contrôle"),
        ({"organisation_name": ""}, "obligatoire pour envoyer"),
        ({"consent": ""}, "Votre accord est nécessaire"),
        ({"email": "pas-une-adresse"}, "adresse de courriel valide"),
    ],
)
def test_bad_input_is_said_and_nothing_is_saved(world, change, field_error):
    call = open_call(world)
    data = _complete(call)
    data.update(change)
    response = FormClient().post(call.get_public_url(), data)
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert Application.objects.count() == 0 and Prospect.objects.count() == 0 and len(mail.outbox) == 0


@pytest.mark.django_db
def test_a_required_question_left_empty_blocks_sending_not_saving(world):
    call = open_call(world)
    short = _questions(call)[QuestionKind.SHORT]
    response = FormClient().post(call.get_public_url(), _complete(call, **{f"q{short.pk}": ""}))
    assert "obligatoire pour envoyer" in response.content.decode() and Application.objects.count() == 0
    FormClient().post(call.get_public_url(), _complete(call, action="save", **{f"q{short.pk}": ""}))
    assert Application.objects.get().status == ApplicationStatus.DRAFT


@pytest.mark.django_db
def test_after_the_deadline_the_page_says_so_and_refuses(world):
    call = open_call(world)
    draft = draft_for(call)
    Application.objects.filter(pk=draft.pk)  # the draft stays readable by its applicant
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.opens_at = timezone.now() - timedelta(days=10)
    call.save()
    page = FormClient().get(call.get_public_url())
    assert "La date limite de dépôt est passée" in page.content.decode()
    assert "Envoyer ma candidature" not in page.content.decode()
    response = FormClient().post(draft.get_resume_url(), _complete(call))
    assert "La date limite de dépôt est passée" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT and Prospect.objects.count() == 0


@pytest.mark.django_db
def test_a_call_not_yet_open_takes_no_application(world):
    call = open_call(world, opens_at=timezone.now() + timedelta(days=2))
    response = FormClient().post(call.get_public_url(), _complete(call))
    assert "pas encore ouvert" in response.content.decode() and Application.objects.count() == 0


@pytest.mark.django_db
def test_a_file_is_checked_from_its_content_and_stored_privately(world, settings):
    call = open_call(world)
    question = _questions(call)[QuestionKind.FILE]
    fake = SimpleUploadedFile(
        "statuts.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = FormClient().post(call.get_public_url(), {**_complete(call), f"q{question.pk}": fake})
    assert response.status_code == 200 and Application.objects.count() == 0
    assert "type" in response.content.decode().lower()
    pdf = SimpleUploadedFile(
        "statuts.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF", content_type="application/pdf"
    )
    FormClient().post(call.get_public_url(), {**_complete(call), f"q{question.pk}": pdf})
    answer = Answer.objects.get(question=question)
    assert answer.file_name == "statuts.pdf" and answer.file_type == "application/pdf"
    assert answer.file.name.startswith("calls/") and "statuts" not in answer.file.name
    assert str(settings.MEDIA_ROOT) in answer.file.path


@pytest.mark.django_db
def test_the_honeypot_saves_nothing(world):
    call = open_call(world)
    response = FormClient().post(call.get_public_url(), _complete(call, website="http://spam.example"))
    assert response.status_code == 200 and "Merci" in response.content.decode()
    assert Application.objects.count() == 0 and len(mail.outbox) == 0


@pytest.mark.django_db
def test_the_public_pages_are_rate_limited(world, settings):
    settings.PARCOURS_CALL_RATE_LIMITS = {"post": (2, 600), "page": (5, 600)}
    call = open_call(world)
    client = FormClient()
    for _ in range(2):
        assert (
            client.post(
                call.get_public_url(), _complete(call, action="save", email="x@example.org")
            ).status_code
            == 302
        )
    response = client.post(call.get_public_url(), _complete(call, action="save"))
    assert response.status_code == 429 and "Réessayez" in response.content.decode()
    # Guessing tokens: the page budget runs out too.
    codes = [client.get(reverse("apply:resume", args=[call.slug, f"guess{i}"])).status_code for i in range(4)]
    assert codes[-1] == 429


@pytest.mark.django_db
def test_anonymous_visitors_reach_no_draft_by_guessing(world):
    call = open_call(world)
    draft = draft_for(call)
    other_call = open_call(world)
    client = FormClient()
    assert client.get(reverse("apply:resume", args=[call.slug, draft.token[:-1] + "x"])).status_code == 404
    assert client.get(reverse("apply:resume", args=[other_call.slug, draft.token])).status_code == 404
    assert (
        client.post(
            reverse("apply:resume", args=[other_call.slug, draft.token]), _complete(other_call)
        ).status_code
        == 404
    )
    unpublished = CallFactory(programme=world.programme, is_published=False)
    assert client.get(unpublished.get_public_url()).status_code == 404
    # The team's pages stay behind login.
    assert client.get(reverse("prospects:call.application", args=[draft.pk])).status_code == 302


@pytest.mark.django_db
def test_a_submitted_application_cannot_change(world):
    call = open_call(world)
    application = submitted_for(call)
    response = FormClient().post(application.get_resume_url(), _complete(call, organisation_name="Autre nom"))
    assert response.status_code == 200 and "Candidature envoyée" in response.content.decode()
    application.refresh_from_db()
    assert application.organisation_name == "Épicerie Coopérative"


@pytest.mark.django_db
def test_the_applicants_emails_read_as_french(world, post):
    from tests.test_typography import assert_mails_read_as_french

    call = open_call(world)
    client = FormClient()
    post(client, call.get_public_url(), _complete(call, action="save"))
    post(client, Application.objects.get().get_resume_url(), _complete(call))
    assert_mails_read_as_french(2)
    assert "Date limite de dépôt" in mail.outbox[0].body


@pytest.mark.django_db
def test_anonymising_the_contact_erases_them_from_their_application(world):
    from programme.services import person_anonymise

    application = submitted_for(open_call(world), email="claire@cagette.example")
    person = application.contact
    assert person is not None and person.email == "claire@cagette.example"
    person_anonymise(actor=world.staff, person=person)
    application.refresh_from_db()
    assert application.first_name == "" and application.last_name == ""
    assert "claire" not in application.email


@pytest.mark.django_db
def test_the_contacts_export_lists_their_applications_sent_and_drafts(world, staff_client):
    call = open_call(world)
    sent = submitted_for(call, email="claire@cagette.example", project_idea="Idée envoyée")
    draft_for(
        open_call(world, title="Second appel"), email="Claire@Cagette.example", organisation_name="Brouillon"
    )
    draft_for(call, email="autre@example.org", organisation_name="Pas elle")
    response = staff_client.get(reverse("programme:person.export", args=[sent.contact.pk]))
    data = response.json()["candidatures aux appels"]
    assert [(a["statut"], a["structure"]) for a in data] == [
        ("Envoyée", "Épicerie Coopérative"),
        ("Brouillon", "Brouillon"),
    ]
    assert data[0]["idée de projet"] == "Idée envoyée" and data[0]["e-mail"] == "claire@cagette.example"
    assert {"question": "Secteur", "réponse": "Alimentation"} in data[0]["réponses"]
    assert data[1]["appel"] == "Second appel" and data[1]["envoyée le"] is None


@pytest.mark.django_db
def test_anonymising_the_contact_deletes_their_drafts_with_their_files(
    world, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from programme.services import person_anonymise

    call = open_call(world)
    sent = submitted_for(call, email="claire@cagette.example")
    draft = draft_for(open_call(world), email="claire@cagette.example")
    other = draft_for(call, email="autre@example.org")
    question = draft.call.questions.get(kind=QuestionKind.FILE)
    answer = Answer(application=draft, question=question, file_name="cv.pdf", file_type="application/pdf")
    answer.file.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"), save=True)
    stored = answer.file.name
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(actor=world.staff, person=sent.contact)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not default_storage.exists(stored)
    sent.refresh_from_db()
    assert sent.first_name == "" and "claire" not in sent.email and sent.project_idea  # the project stays
    assert Application.objects.filter(pk=other.pk, email="autre@example.org").exists()


@pytest.mark.django_db
def test_drafts_of_calls_closed_long_ago_are_purged(world):
    from prospects.calls.services import STALE_DRAFT_DAYS, applications_purge_stale_drafts

    call = open_call(world)
    draft = draft_for(call)
    sent = submitted_for(call, email="sent@example.org")
    assert applications_purge_stale_drafts() == 0
    later = call.closes_at + timedelta(days=STALE_DRAFT_DAYS + 1)
    assert applications_purge_stale_drafts(now=later) == 1
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert Application.objects.filter(pk=sent.pk).exists()
