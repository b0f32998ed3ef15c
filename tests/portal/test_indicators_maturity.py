"""Indicator values and the maturity self-assessment in the portal."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import MaturityAssessment, Measurement
from evaluation.portal.selectors import open_periods
from programme.models import AuditEntry
from projects.services import project_move
from tests.evaluation.factories import assess, even_scores

from .helpers import pdf


def _current_quarter_key(pi):
    """The period the form proposes: the latest one already over with no value yet (the running quarter
    would be flagged as unfinished)."""
    today = timezone.localdate()
    measured = set(Measurement.objects.filter(project_indicator=pi).values_list("period_start", "period_end"))
    period = next(p for p in open_periods(pi, measured, today) if p.end < today)
    return period.key, period


def test_partner_submits_a_value_with_evidence(sides, partner_a_client, world):
    pi = sides["A"].project_indicator
    key, period = _current_quarter_key(pi)
    url = reverse("portal:indicator", args=[pi.pk])
    page = partner_a_client.get(url)
    assert page.status_code == 200 and period.label in page.content.decode()

    response = partner_a_client.post(
        url,
        {
            "period": key,
            "value": "12",
            "source": "Registre",
            "evidence": pdf("preuve.pdf"),
            "intent": "submit",
        },
    )

    assert response.status_code == 302
    m = Measurement.objects.get(project_indicator=pi, period_start=period.start, period_end=period.end)
    assert m.status == "submitted" and m.value == 12 and m.entered_by == world.partner_a
    assert m.evidence
    evidence = partner_a_client.get(reverse("portal:measurement.evidence", args=[m.pk]))
    assert evidence.status_code == 200


def test_a_draft_can_be_submitted_later(sides, partner_a_client):
    pi = sides["A"].project_indicator
    key, period = _current_quarter_key(pi)
    partner_a_client.post(
        reverse("portal:indicator", args=[pi.pk]), {"period": key, "value": "3", "intent": "draft"}
    )
    m = Measurement.objects.get(project_indicator=pi, period_start=period.start)
    assert m.status == "draft"
    partner_a_client.post(reverse("portal:measurement", args=[m.pk]), {"value": "4", "intent": "submit"})
    m.refresh_from_db()
    assert m.status == "submitted" and m.value == 4


def test_bad_values_are_refused_with_a_clear_message_and_nothing_saved(sides, partner_a_client):
    pi = sides["A"].project_indicator
    key, _period = _current_quarter_key(pi)
    url = reverse("portal:indicator", args=[pi.pk])
    before = Measurement.objects.count()
    cases = [
        # The value is checked by the evaluation service (its message, next to the field).
        ({"period": key, "value": "-2"}, 'id="id_value_error"'),
        ({"period": key, "value": ""}, 'id="id_value_error"'),
        (
            {"period": "2001-01-01_2001-03-31", "value": "2"},
            "Cette période n’est pas ouverte à la saisie.",
        ),
        (
            {"period": key, "value": "2", "evidence": SimpleUploadedFile("x.pdf", b"\x00\x01MZ")},
            "Type de fichier non accepté",
        ),
    ]
    for data, message in cases:
        response = partner_a_client.post(url, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), (data, message)
    assert Measurement.objects.count() == before


def test_returned_value_shows_the_reason_and_can_be_resubmitted(sides, partner_a_client, world):
    m = sides["A"].measurement
    services.measurement_return(actor=world.staff, measurement=m, comment="Joindre le registre signé")
    page = partner_a_client.get(reverse("portal:indicator", args=[m.project_indicator_id])).content.decode()
    assert "Joindre le registre signé" in page and "Renvoyée" in page

    response = partner_a_client.post(
        reverse("portal:measurement", args=[m.pk]),
        {"value": "8", "evidence": pdf("registre.pdf"), "intent": "submit"},
    )

    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "submitted" and m.value == 8 and m.return_comment == ""


def _text(page: str) -> str:
    """The page as a reader sees it: tags dropped, every kind of space one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_partner_sees_where_the_project_stands_as_the_team_does(sides, partner_a_client, staff_client, world):
    """The value so far and the progress towards the target due now and the final one: validated values
    only, the same figures as on the team's page (one definition, `indicator_summary`)."""
    pi = sides["A"].project_indicator
    pi.baseline_value, pi.target_value = 0, 20
    pi.save()
    url = reverse("portal:indicator", args=[pi.pk])

    waiting = _text(partner_a_client.get(url).content.decode())
    assert "Valeur validée" in waiting and "aucune pour l’instant" in waiting and "avancement" not in waiting
    assert "1 valeur attend la validation de l’équipe : elle comptera une fois validée." in waiting

    services.measurement_validate(actor=world.staff, measurement=sides["A"].measurement)
    partner_page = partner_a_client.get(url).content.decode()
    team_page = staff_client.get(
        reverse("evaluation:project_indicator.detail", args=[pi.pk])
    ).content.decode()

    partner_text, team_text = _text(partner_page), _text(team_page)
    assert "Valeur validée 7 (flux : additionné sur les périodes)" in partner_text
    assert "Cible à date 10 avancement 70 %" in partner_text and "Cible 20 avancement 35 %" in partner_text
    assert "attend la validation" not in partner_text
    # The team's page reads the same figures.
    assert "Valeur validée 7 Flux" in team_text
    assert "Cible à date 10 Avancement : 70 %" in team_text and "avancement 35 %" in team_text


def test_my_project_shows_each_indicator_s_progress_from_validated_values(
    sides, partner_a_client, partner_b_client, world
):
    """« Mon projet »'s table of indicators says how far each one is towards the target due now, by the
    same definition as the indicator's page; a value waiting for validation does not count yet."""
    pi = sides["A"].project_indicator
    pi.baseline_value, pi.target_value = 0, 20
    pi.save()
    home = reverse("portal:project", args=[pi.project_id])

    def progress_cell() -> str:
        page = partner_a_client.get(home).content.decode()
        row = page[page.index(pi.indicator.name) :]
        cell = row[row.index('data-label="Avancement"') :]
        return _text(cell[: cell.index("</td>")])

    assert progress_cell().endswith("aucune mesure validée")
    services.measurement_validate(actor=world.staff, measurement=sides["A"].measurement)
    assert progress_cell().endswith("70 %")  # 7 of the 10 due now, as the indicator's page says
    # Partner B's home has its own indicators only.
    assert (
        pi.indicator.name
        not in partner_b_client.get(
            reverse("portal:project", args=[sides["B"].project_indicator.project_id])
        ).content.decode()
    )


def test_validated_and_locked_values_are_read_only(sides, partner_a_client, world):
    m = sides["A"].measurement
    services.measurement_validate(actor=world.staff, measurement=m)
    url = reverse("portal:measurement", args=[m.pk])
    page = partner_a_client.get(url).content.decode()
    assert "Validée" in page and '<form method="post" enctype' not in page
    partner_a_client.post(url, {"value": "99"})
    m.refresh_from_db()
    assert m.value == 7 and m.status == "validated"

    services.measurement_lock_period(
        actor=world.staff,
        project=m.project_indicator.project,
        period_start=m.period_start,
        period_end=m.period_end,
    )
    response = partner_a_client.post(url, {"value": "99"}, follow=True)
    assert "verrouillée" in response.content.decode()
    m.refresh_from_db()
    assert m.value == 7 and m.locked


def test_posting_status_or_validation_fields_changes_nothing(sides, partner_a_client, world):
    a = sides["A"]
    m = a.measurement
    partner_a_client.post(
        reverse("portal:measurement", args=[m.pk]),
        {
            "value": "9",
            "status": "validated",
            "locked": "on",
            "validated_by": world.staff.pk,
            "project_indicator": sides["B"].project_indicator.pk,
            "period_start": "2000-01-01",
            "intent": "submit",
        },
    )
    m.refresh_from_db()
    assert (m.status, m.locked, m.validated_by_id, m.project_indicator_id) == (
        "submitted",
        False,
        None,
        a.project_indicator.pk,
    )
    assert m.period_start != date(2000, 1, 1)


def test_team_reported_indicators_and_other_collectives_are_out_of_reach(sides, partner_a_client):
    a, b = sides["A"], sides["B"]
    for url in (
        reverse("portal:indicator", args=[a.staff_project_indicator.pk]),
        reverse("portal:measurement", args=[a.staff_measurement.pk]),
        reverse("portal:indicator", args=[b.project_indicator.pk]),
        reverse("portal:measurement", args=[b.measurement.pk]),
        reverse("portal:measurement.evidence", args=[b.measurement.pk]),
    ):
        assert partner_a_client.get(url).status_code == 404
        assert partner_a_client.post(url, {"value": "1"}).status_code == 404
    home = partner_a_client.get(reverse("portal:home")).content.decode()
    assert a.indicator.name in home and a.staff_indicator.name not in home


def _scores(level=3):
    return {
        f"score_{d}": str(level)
        for d in ("shared_vision", "governance", "trust", "shared_resources", "capacity")
    }


def test_partner_fills_the_self_assessment_the_team_opened(sides, partner_a_client, world):
    assessment = sides["A"].maturity
    home = partner_a_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:maturity", args=[assessment.pk]) in home

    response = partner_a_client.post(
        reverse("portal:maturity", args=[assessment.pk]),
        {**_scores(2), "participants": "Structure A, Ville", "phase": "deployment", "moment": "end"},
    )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.phase, assessment.moment) == ("emergence", "start")
    assert {s.score for s in assessment.scores.all()} == {2}
    assert assessment.assessed_by == world.partner_a
    # Still open to the collective until the team finalises it.
    assert (
        partner_a_client.get(reverse("portal:maturity", args=[assessment.pk])).content.count(b'type="radio"')
        == 20
    )


def test_an_incomplete_self_assessment_is_refused(sides, partner_a_client):
    assessment = sides["A"].maturity
    data = _scores()
    del data["score_trust"]
    response = partner_a_client.post(reverse("portal:maturity", args=[assessment.pk]), data)
    assert response.status_code == 400
    assert "Choisissez un niveau pour cette dimension." in response.content.decode()
    assert not assessment.scores.exists()


def test_once_the_team_fills_it_the_assessment_is_closed(sides, partner_a_client, world):
    assessment = sides["A"].maturity
    assess(world.staff, assessment.project, even_scores(4), assessed_on=timezone.localdate())
    url = reverse("portal:maturity", args=[assessment.pk])
    assert "close" in partner_a_client.get(url).content.decode()
    partner_a_client.post(url, _scores(1))
    assert {s.score for s in assessment.scores.all()} == {4}


def test_the_team_opens_a_self_assessment(sides, staff_client, partner_a_client):
    project = sides["A"].project
    response = staff_client.post(reverse("portal:maturity.open", args=[project.pk]), {"moment": "end"})
    assert response.status_code == 302
    opened = MaturityAssessment.objects.get(project=project, phase="emergence", moment="end")
    assert not opened.scores.exists()
    assert (
        reverse("portal:maturity", args=[opened.pk])
        in partner_a_client.get(reverse("portal:home")).content.decode()
    )
    # A bad moment is refused, nothing created.
    staff_client.post(reverse("portal:maturity.open", args=[project.pk]), {"moment": "whenever"})
    assert MaturityAssessment.objects.filter(project=project).count() == 2


# --- Maturity moments follow the phase -------------------------------------------------------------


def _move_to_experimentation(world, project):
    """The director's gate decision (the projects' service): Émergence → Expérimentation, today."""
    project.refresh_from_db()
    project_move(
        actor=world.director,
        project=project,
        to_phase="experimentation",
        outcome="continue",
        decided_on=timezone.localdate(),
        committee="Comité d’engagement",
        rationale="Le prototype est concluant.",
    )


def test_a_phase_move_opens_the_next_start_and_keeps_the_closing_end_open(sides, partner_a_client, world):
    project = sides["A"].project
    _move_to_experimentation(world, project)

    home = partner_a_client.get(reverse("portal:home")).content.decode()
    end_url = reverse("portal:maturity.moment", args=[project.pk, "emergence", "end"])
    start_url = reverse("portal:maturity.moment", args=[project.pk, "experimentation", "start"])
    assert end_url in home and start_url in home
    # The Émergence start the team opened was never filled: too late now, it is no longer offered.
    assert reverse("portal:maturity", args=[sides["A"].maturity.pk]) not in home

    response = partner_a_client.post(end_url, {**_scores(2), "participants": "Structure A"})
    assert response.status_code == 302
    filled = MaturityAssessment.objects.get(project=project, phase="emergence", moment="end")
    assert filled.assessed_by == world.partner_a and {s.score for s in filled.scores.all()} == {2}
    # The collective may still revise it while Expérimentation runs.
    assert (
        reverse("portal:maturity", args=[filled.pk])
        in partner_a_client.get(reverse("portal:home")).content.decode()
    )
    assert partner_a_client.get(end_url)["Location"] == reverse("portal:maturity", args=[filled.pk])


def test_a_moment_not_owed_is_not_offered(sides, partner_a_client):
    project = sides["A"].project  # in Émergence: its end is not owed before the gate
    url = reverse("portal:maturity.moment", args=[project.pk, "emergence", "end"])
    assert partner_a_client.get(url).status_code == 404
    assert partner_a_client.post(url, _scores(3)).status_code == 404
    assert not MaturityAssessment.objects.filter(project=project, moment="end").exists()


def test_the_team_waives_an_owed_moment_with_a_reason(sides, staff_client, partner_a_client, world):
    project = sides["A"].project
    _move_to_experimentation(world, project)
    url = reverse("evaluation:maturity.waive", args=[project.pk])

    refused = staff_client.post(url, {"phase": "emergence", "moment": "end", "reason": "  "}, follow=True)
    assert "Indiquez pourquoi cette auto-évaluation n" in refused.content.decode()
    assert not MaturityAssessment.objects.filter(project=project, moment="end").exists()

    staff_client.post(
        url, {"phase": "emergence", "moment": "end", "reason": "Deux membres ont quitté le collectif."}
    )
    waived = MaturityAssessment.objects.get(project=project, phase="emergence", moment="end")
    assert waived.waived_by == world.staff and waived.waiver_reason == "Deux membres ont quitté le collectif."
    assert not waived.scores.exists()
    entry = AuditEntry.objects.get(action="maturity.waived")
    assert entry.changes == {"dispense": [None, "Deux membres ont quitté le collectif."]}
    end_url = reverse("portal:maturity.moment", args=[project.pk, "emergence", "end"])
    assert end_url not in partner_a_client.get(reverse("portal:home")).content.decode()
    # Waived means closed to the collective: its page is read-only and a post changes nothing.
    partner_a_client.post(reverse("portal:maturity", args=[waived.pk]), _scores(1))
    assert not waived.scores.exists()


def test_a_partner_cannot_fill_a_moment_the_service_says_is_closed(sides, world):
    project = sides["A"].project
    _move_to_experimentation(world, project)
    with pytest.raises(ValidationError):
        assess(world.partner_a, project, even_scores(2), assessed_on=timezone.localdate())


def test_an_assessment_cannot_predate_its_phase(sides, world):
    project = sides["A"].project
    before = sides["A"].period.actual_start - timedelta(days=1)
    with pytest.raises(ValidationError, match="ne peut pas la précéder"):
        assess(world.staff, project, even_scores(2), assessed_on=before)


def test_the_team_form_refuses_a_date_before_the_phase_and_saves_nothing(sides, staff_client):
    project = sides["A"].project
    before = sides["A"].period.actual_start - timedelta(days=3)
    response = staff_client.post(
        reverse("evaluation:maturity.create", args=[project.pk]),
        {**_scores(3), "phase": "emergence", "moment": "end", "assessed_on": before.isoformat()},
    )
    assert response.status_code == 400
    assert "l’auto-évaluation ne peut pas la précéder" in html.unescape(response.content.decode())
    assert not MaturityAssessment.objects.filter(project=project, moment="end").exists()


def test_filling_a_waived_moment_lifts_the_waiver(sides, world):
    project = sides["A"].project
    _move_to_experimentation(world, project)
    services.maturity_moment_waive(
        actor=world.staff, project=project, phase="emergence", moment="end", reason="Atelier annulé"
    )
    assessment = assess(world.staff, project, even_scores(3), moment="end", assessed_on=timezone.localdate())
    assert assessment.waived_at is None and assessment.waiver_reason == ""
    entry = AuditEntry.objects.filter(action="maturity.updated").latest("pk")
    assert entry.changes["dispense"] == ["Atelier annulé", None]


def test_indicator_page_query_count_does_not_grow_with_the_values(
    sides, partner_a_client, world, django_assert_num_queries
):
    pi = sides["A"].project_indicator
    url = reverse("portal:indicator", args=[pi.pk])
    partner_a_client.get(url)  # warm caches (content types)
    first = sides["A"].measurement.period_start
    for quarters in (2, 6):  # N older values, then 3N
        while Measurement.objects.filter(project_indicator=pi).count() <= quarters:
            end = first - timedelta(days=1)
            first = date(end.year, end.month - 2, 1)
            services.measurement_record(  # entered by the team: validated at once
                actor=world.staff,
                project_indicator=pi,
                period_start=first,
                period_end=end,
                value=1,
                source="x",
            )
        # session · user · the indicator with its project · its targets · its values (the table, the
        # figures and the open periods all read these)
        with django_assert_num_queries(5):
            page = partner_a_client.get(url).content.decode()
        assert "avancement" in page
