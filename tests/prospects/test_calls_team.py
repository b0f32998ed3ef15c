"""The team's pages of the calls for applications: open a call, edit its questions, read the applications
(filtered, counted, exported) and see them on the prospect's record."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospects.calls.models import Answer, Call, Question

from .calls_factories import draft_for, open_call, submitted_for


def _dt(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _call_data(world, **extra):
    return {
        "title": "Appel 2027",
        "programme": world.programme.pk,
        "cohort": world.cohort.pk,
        "opens_at": _dt(1),
        "closes_at": _dt(40),
        "text": "Présentation",
        "eligibility": "ESS",
        "stage": "identified",
        "is_published": "on",
        **extra,
    }


@pytest.mark.django_db
def test_staff_opens_a_call(world, staff_client):
    response = staff_client.post(reverse("prospects:call.create"), _call_data(world))
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert call.is_published and call.cohort == world.cohort and len(call.slug) >= 16
    page = staff_client.get(call.get_absolute_url()).content.decode()
    assert call.get_public_url() in page


@pytest.mark.django_db
def test_a_deadline_before_the_opening_is_refused(world, staff_client):
    response = staff_client.post(reverse("prospects:call.create"), _call_data(world, closes_at=_dt(0)))
    assert response.status_code == 200
    assert "La date limite doit suivre l’ouverture." in response.content.decode()
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_a_cohort_of_another_programme_is_refused(world, staff_client):
    from tests.factories import CohortFactory

    other = CohortFactory()
    response = staff_client.post(reverse("prospects:call.create"), _call_data(world, cohort=other.pk))
    assert "Cette promotion appartient à un autre programme." in response.content.decode()
    assert not Call.objects.exists()


def _rows(call, rows):
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"questions-{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_the_question_editor_adds_orders_and_deletes(world, staff_client):
    call = open_call(world)
    existing = list(call.questions.all())
    url = reverse("prospects:call.questions", args=[call.pk])
    rows = [
        {"id": existing[1].pk, "label": "Votre territoire", "kind": "short", "required": "on"},
        {"id": existing[0].pk, "label": "Effectif", "kind": "number"},
        {"id": existing[2].pk, "label": "Secteur", "kind": "choice", "options": "A\nB"},
        {"id": existing[3].pk, "label": "Vos motivations", "kind": "long", "DELETE": "on"},
        {"id": existing[4].pk, "label": "Statuts", "kind": "file"},
        {"label": "Site web", "kind": "short"},
    ]
    response = staff_client.post(url, _rows(call, rows))
    assert response.status_code == 302
    labels = list(call.questions.values_list("label", "position"))
    assert labels == [
        ("Votre territoire", 1),
        ("Effectif", 2),
        ("Secteur", 3),
        ("Statuts", 4),
        ("Site web", 5),
    ]


@pytest.mark.django_db
def test_the_question_editor_refuses_a_choice_without_options_and_an_answered_deletion(world, staff_client):
    call = open_call(world)
    url = reverse("prospects:call.questions", args=[call.pk])
    response = staff_client.post(url, _rows(call, [{"label": "Secteur", "kind": "choice"}]))
    assert "indiquez les choix proposés" in response.content.decode()
    assert call.questions.count() == 5
    application = submitted_for(call)
    answered = Answer.objects.filter(application=application).first().question
    rows = [{"id": answered.pk, "label": answered.label, "kind": answered.kind, "DELETE": "on"}]
    response = staff_client.post(url, _rows(call, rows))
    assert "a déjà des réponses" in response.content.decode()
    assert Question.objects.filter(pk=answered.pk).exists()


@pytest.mark.django_db
def test_the_team_lists_filters_and_counts_applications(world, staff_client):
    call = open_call(world)
    submitted_for(call, organisation_name="Épicerie A", email="a@example.org")
    draft_for(call, organisation_name="Brouillon B", email="b@example.org")
    url = reverse("prospects:call.applications", args=[call.pk])
    page = staff_client.get(url).content.decode()
    assert "2 candidatures" in page and "Épicerie A" in page and "Brouillon B" in page
    page = staff_client.get(url + "?status=submitted").content.decode()
    assert "1 candidature" in page and "Brouillon B" not in page
    listing = staff_client.get(reverse("prospects:call.list")).content.decode()
    assert call.title in listing and "1 appel" in listing


@pytest.mark.django_db
def test_the_applications_list_costs_the_same_queries_as_rows_grow(world, staff_client):
    call = open_call(world)
    submitted_for(call, organisation_name="Épicerie A", email="a@example.org", siren="")
    url = reverse("prospects:call.applications", args=[call.pk])
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for i in range(4):
        submitted_for(call, organisation_name=f"Structure {i}", email=f"s{i}@example.org")
    with CaptureQueriesContext(connection) as five:
        staff_client.get(url)
    # session, user, the call (with its counts), the count of applications, one page of them with their
    # prospects and structures (joined) — whatever the number of rows.
    assert len(five) == len(one) == 5, [q["sql"] for q in five.captured_queries]


@pytest.mark.django_db
def test_the_export_has_one_column_per_question(world, staff_client):
    call = open_call(world)
    submitted_for(call, organisation_name="=Épicerie", email="a@example.org")
    response = staff_client.get(reverse("prospects:call.applications.export", args=[call.pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-5:] == [q.label for q in call.questions.all()]
    assert rows[1][2] == "'=Épicerie"  # formula escaped
    assert "Alimentation" in rows[1] and "Lyon 8e" in rows[1]
    xlsx = staff_client.get(reverse("prospects:call.applications.export", args=[call.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_the_prospect_record_shows_the_answers(world, staff_client):
    call = open_call(world)
    application = submitted_for(call, project_idea="Une idée partagée")
    prospect = application.prospect
    page = staff_client.get(prospect.get_absolute_url()).content.decode()
    assert reverse("prospects:call.prospect", args=[prospect.pk]) in page  # loaded by URL
    partial = staff_client.get(reverse("prospects:call.prospect", args=[prospect.pk])).content.decode()
    assert call.title in partial and "Une idée partagée" in partial and "Alimentation" in partial
    assert "Votre territoire" in partial and "Lyon 8e" in partial


@pytest.mark.django_db
def test_a_prospect_without_application_gets_an_empty_partial(world, staff_client):
    from .factories import prospect_in

    prospect = prospect_in(world)
    response = staff_client.get(reverse("prospects:call.prospect", args=[prospect.pk]))
    assert response.status_code == 200 and response.content.strip() == b""


@pytest.mark.django_db
def test_the_pipeline_moves_on_to_the_interview_as_today(world, staff_client):
    call = open_call(world)
    prospect = submitted_for(call).prospect
    response = staff_client.get(reverse("prospects:interview.create", args=[prospect.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_calls_list_costs_the_same_queries_as_calls_grow(world, staff_client):
    submitted_for(open_call(world))
    url = reverse("prospects:call.list")
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for _ in range(3):
        draft_for(open_call(world))
    with CaptureQueriesContext(connection) as four:
        page = staff_client.get(url).content.decode()
    # session, user, the count of calls, one page of calls with their programme, cohort and counts (joined),
    # the programme filter's choices.
    assert len(four) == len(one) == 5, [q["sql"] for q in four.captured_queries]
    assert "4 appels" in page


# --- An application received by post or e-mail ----------------------------------------------------------


def _received(call, **extra):
    questions = {q.kind: q for q in call.questions.all()}
    return {
        "channel": "post",
        "organisation_name": "Régie des Pentes",
        "organisation_kind": "association",
        "town": "Lyon",
        "first_name": "Yasmine",
        "last_name": "Bouaziz",
        "email": "yasmine@regie.example",
        "project_idea": "Un atelier vélo partagé.",
        "consent": "on",
        f"q{questions['short'].pk}": "Lyon 1er",
        f"q{questions['choice'].pk}": "Mobilité",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "",
        **extra,
    }


def test_the_team_records_an_application_received_by_post_after_the_deadline(
    world, staff_client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from programme.models import AuditEntry
    from prospects.calls.models import Application
    from prospects.models import Prospect, Source

    call = open_call(world, closes_at=timezone.now() - timedelta(days=2))  # the letter came late
    url = reverse("prospects:call.application.add", args=[call.pk])
    assert "Ajouter une candidature reçue" in staff_client.get(call.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, _received(call))  # the acknowledgement left unticked
    application = Application.objects.get(call=call)
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == "submitted" and application.channel == "post"
    prospect = Prospect.objects.get(organisation__name="Régie des Pentes", programme=world.programme)
    assert prospect.source == Source.CALL and application.prospect == prospect
    assert application.contact.email == "yasmine@regie.example" and application.contact.consent_date
    assert mail.outbox == []
    assert AuditEntry.objects.filter(action="application.recorded", actor=world.staff).exists()
    assert "(par courrier)" in staff_client.get(application.get_absolute_url()).content.decode()


def test_recording_by_email_can_acknowledge_it(world, staff_client, django_capture_on_commit_callbacks):
    from django.core import mail

    call = open_call(world)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("prospects:call.application.add", args=[call.pk]),
            _received(call, channel="email", confirm="on"),
        )
    assert [m.to for m in mail.outbox] == [["yasmine@regie.example"]]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("organisation_name", "Ce champ est obligatoire pour envoyer la candidature."),
        ("consent", "Sans l’accord du candidat"),
        ("channel", "Ce champ est obligatoire."),
    ],
)
def test_a_received_application_missing_a_field_saves_nothing(world, staff_client, missing, message):
    from prospects.calls.models import Application
    from prospects.models import Prospect

    call = open_call(world)
    before = Prospect.objects.count()
    data = _received(call)
    data.pop(missing)
    response = staff_client.post(reverse("prospects:call.application.add", args=[call.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Application.objects.filter(call=call).exists() and Prospect.objects.count() == before
    assert "Yasmine" in response.content.decode()  # what was typed is kept
