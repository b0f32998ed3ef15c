"""Evaluation pages: it works, it checks access, it refuses bad input."""

from datetime import date
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    Lesson,
    MaturityAssessment,
    Measurement,
    ProjectIndicator,
)
from programme.models import AuditEntry, Theme
from tests.evaluation.factories import (
    IndicatorFactory,
    LessonFactory,
    ProjectIndicatorFactory,
    QuestionFactory,
)

Q1 = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}


def test_indicator_library_create_edit_and_refuse_bad_scale(world, staff_client):
    data = {
        "code": "repas-servis",
        "name": "Repas servis",
        "type": "count",
        "aggregation": "sum",
        "direction": "increase",
        "periodicity": "monthly",
        "scope": "project",
        "is_active": "on",
    }
    response = staff_client.post(reverse("evaluation:indicator.create"), data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="repas-servis")
    assert AuditEntry.objects.filter(action="indicator.created", object_id=str(indicator.pk)).exists()
    response = staff_client.post(
        reverse("evaluation:indicator.edit", args=[indicator.pk]),
        {**data, "type": "scale", "scale_min": "5", "scale_max": "1"},
    )
    assert response.status_code == 200 and "maximum plus grand" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.type == "count"
    # The starter library ships with the app (data migration).
    listing = staff_client.get(reverse("evaluation:indicator.list"), {"q": "fonds"})
    assert "Fonds levés" in listing.content.decode()


def test_protocol_questions_criteria_and_indicators(world, staff_client):
    project = world.project_a
    staff_client.post(
        reverse("evaluation:question.create", args=[project.pk]),
        {"text": "Le public visé est-il atteint ?", "order": 1},
    )
    question = EvaluationQuestion.objects.get(project=project)
    staff_client.post(
        reverse("evaluation:criterion.create", args=[question.pk]),
        {"text": "Diversité des publics", "order": 1},
    )
    criterion = EvaluationCriterion.objects.get(question=question)
    indicator = Indicator.objects.get(code="personnes-touchees")
    data = {
        "indicator": indicator.pk,
        "criterion": criterion.pk,
        "baseline_value": "40",
        "baseline_date": "2026-01-01",
        "target_value": "600",
        "target_date": "2027-12-31",
        "reporter": "partner",
        "reporter_organisation": world.org_a.pk,
    }
    response = staff_client.post(reverse("evaluation:project_indicator.create", args=[project.pk]), data)
    pi = ProjectIndicator.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == pi.get_absolute_url()
    again = staff_client.post(reverse("evaluation:project_indicator.create", args=[project.pk]), data)
    assert again.status_code == 200 and "déjà partie du protocole" in again.content.decode()
    page = staff_client.get(reverse("evaluation:protocol", args=[project.pk])).content.decode()
    assert (
        "Le public visé est-il atteint ?" in page
        and "Diversité des publics" in page
        and "Personnes bénéficiaires touchées" in page
    )
    # Criterion of another project cannot be picked.
    other = QuestionFactory(project=world.project_b).criteria.create(text="Autre")
    bad = staff_client.post(
        reverse("evaluation:project_indicator.create", args=[project.pk]),
        {**data, "indicator": IndicatorFactory().pk, "criterion": other.pk},
    )
    assert bad.status_code == 200 and ProjectIndicator.objects.count() == 1


def test_measurement_entry_with_evidence_validate_return_and_download(
    world, staff_client, partner_a_client, partner_b_client
):
    pi = ProjectIndicatorFactory(project=world.project_a, reporter="partner")
    url = reverse("evaluation:measurement.create", args=[pi.pk])
    bad = staff_client.post(url, {"period_start": "2026-04-01", "period_end": "2026-03-31", "value": "3"})
    assert bad.status_code == 200 and not Measurement.objects.exists()
    fake = SimpleUploadedFile("preuve.pdf", b"\x00\x01binary\x00", content_type="application/pdf")
    refused = staff_client.post(
        url, {"period_start": "2026-01-01", "period_end": "2026-03-31", "value": "3", "evidence": fake}
    )
    assert refused.status_code == 200 and "Type de fichier non accepté" in refused.content.decode()
    assert not Measurement.objects.exists()
    pdf = SimpleUploadedFile("preuve.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
    response = staff_client.post(
        url, {"period_start": "2026-01-01", "period_end": "2026-03-31", "value": "3", "evidence": pdf}
    )
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert (m.status, m.value) == ("validated", D(3))
    download = reverse("evaluation:measurement.evidence", args=[m.pk])
    for client in (staff_client, partner_a_client):
        got = client.get(download)
        assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
        assert f'filename="justificatif-{m.pk}.pdf"' in got["Content-Disposition"]
    assert partner_b_client.get(download).status_code == 404
    # Return without a comment: refused, nothing changes; with a comment: returned.
    staff_client.post(reverse("evaluation:measurement.return", args=[m.pk]), {"comment": ""})
    m.refresh_from_db()
    assert m.status == "validated"
    staff_client.post(reverse("evaluation:measurement.return", args=[m.pk]), {"comment": "Mauvais trimestre"})
    m.refresh_from_db()
    assert (m.status, m.return_comment) == ("returned", "Mauvais trimestre")


def test_validation_queue_lists_partner_submissions(world, staff_client):
    pi = ProjectIndicatorFactory(
        project=world.project_a, reporter="partner", indicator=IndicatorFactory(name="Repas distribués")
    )
    m = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(40), **Q1)
    page = staff_client.get(reverse("evaluation:measurement.queue"))
    assert "Repas distribués" in page.content.decode() and page.context["count"] == 1
    response = staff_client.post(reverse("evaluation:measurement.validate", args=[m.pk]), {"next": "queue"})
    assert response["Location"] == reverse("evaluation:measurement.queue")
    m.refresh_from_db()
    assert m.status == "validated"
    assert staff_client.get(reverse("evaluation:measurement.queue")).context["count"] == 0


def test_lock_and_unlock_through_the_pages(world, staff_client):
    pi = ProjectIndicatorFactory(project=world.project_a)
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(4), **Q1)
    staff_client.post(
        reverse("evaluation:measurement.lock", args=[world.project_a.pk]),
        {"period_start": "2026-01-01", "period_end": "2026-12-31"},
    )
    m.refresh_from_db()
    assert m.locked
    edit = staff_client.get(reverse("evaluation:measurement.edit", args=[m.pk]))
    assert edit.status_code == 302  # locked: back to the indicator with a message
    staff_client.post(reverse("evaluation:measurement.unlock", args=[m.pk]), {"reason": ""})
    m.refresh_from_db()
    assert m.locked
    staff_client.post(
        reverse("evaluation:measurement.unlock", args=[m.pk]),
        {"reason": "Correction demandée par le financeur"},
    )
    m.refresh_from_db()
    assert not m.locked


def test_intermediate_targets(world, staff_client):
    pi = ProjectIndicatorFactory(project=world.project_a)
    staff_client.post(
        reverse("evaluation:target.add", args=[pi.pk]), {"period_end": "2026-12-31", "value": "25"}
    )
    target = pi.targets.get()
    assert target.value == D(25)
    page = staff_client.get(pi.get_absolute_url())
    expected = D(25) if date.today() <= date(2026, 12, 31) else D(50)
    assert page.context["target_now"] == expected
    staff_client.post(reverse("evaluation:target.delete", args=[target.pk]))
    assert not pi.targets.exists()


def test_maturity_questionnaire(world, staff_client):
    url = reverse("evaluation:maturity.create", args=[world.project_a.pk])
    form = staff_client.get(url).content.decode()
    assert "Vision partagée" in form and "La vision commune guide les décisions" in form
    data = {
        "phase": "emergence",
        "moment": "start",
        "assessed_on": "2026-02-01",
        **{
            f"score_{d}": "2"
            for d in ("shared_vision", "governance", "trust", "shared_resources", "capacity")
        },
    }
    incomplete = staff_client.post(url, {**data, "score_trust": ""})
    assert incomplete.status_code == 400 and not MaturityAssessment.objects.exists()
    assert staff_client.post(url, data).status_code == 302
    assessment = MaturityAssessment.objects.get()
    staff_client.post(reverse("evaluation:maturity.edit", args=[assessment.pk]), {**data, "score_trust": "3"})
    assert assessment.scores.get(dimension="trust").score == 3


def test_lessons_search_filter_and_kit(world, staff_client):
    food = Theme.objects.create(name="Alimentation durable")
    mobility = Theme.objects.create(name="Mobilité solidaire")
    response = staff_client.post(
        reverse("evaluation:lesson.create"),
        {
            "title": "Associer la ville tôt",
            "kind": "good_practice",
            "body": "Inviter l'élu dès l'analyse des besoins.",
            "phase": "emergence",
            "themes": [food.pk, mobility.pk],
            "projects": [world.project_a.pk],
        },
    )
    lesson = Lesson.objects.get()
    assert (
        response.status_code == 302 and lesson.author == world.staff and lesson.programme == world.programme
    )
    other = LessonFactory(
        programme=world.programme, title="Bénévoles épuisés", kind="difficulty", body="Prévoir un salarié."
    )
    other.themes.add(mobility)
    listing = reverse("evaluation:lesson.list")
    assert staff_client.get(listing, {"q": "élu"}).context["count"] == 1
    assert staff_client.get(listing, {"kind": "difficulty"}).context["count"] == 1
    assert staff_client.get(listing, {"theme": mobility.pk}).context["count"] == 2
    assert staff_client.get(listing, {"project": world.project_a.pk}).context["count"] == 1
    kit = staff_client.get(reverse("evaluation:lesson.kit"))
    groups = {g["theme"]: [lesson.title for lesson in g["lessons"]] for g in kit.context["groups"]}
    assert groups == {
        "Alimentation durable": ["Associer la ville tôt"],
        "Mobilité solidaire": ["Associer la ville tôt", "Bénévoles épuisés"],
    }


def test_partners_never_reach_team_pages_nor_other_projects(world, partner_a_client):
    pi_b = ProjectIndicatorFactory(project=world.project_b)
    m_b = services.measurement_record(actor=world.staff, project_indicator=pi_b, value=D(1), **Q1)
    for url in (
        reverse("evaluation:home"),
        reverse("evaluation:protocol", args=[world.project_a.pk]),
        reverse("evaluation:protocol", args=[world.project_b.pk]),
        reverse("evaluation:project_indicator.detail", args=[pi_b.pk]),
        reverse("evaluation:measurement.evidence", args=[m_b.pk]),
        reverse("evaluation:lesson.list"),
    ):
        assert partner_a_client.get(url).status_code == 404, url
    assert partner_a_client.post(reverse("evaluation:measurement.validate", args=[m_b.pk])).status_code == 404


def test_evaluation_home(world, staff_client):
    pi = ProjectIndicatorFactory(project=world.project_a, reporter="partner")
    services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(1), **Q1)
    page = staff_client.get(reverse("evaluation:home"))
    assert page.context["submitted_count"] == 1
    projects = {p.title: (p.indicator_count, p.pending) for p in page.context["projects"]}
    assert projects["Projet A"] == (1, 1) and projects["Projet B"] == (0, 0)
