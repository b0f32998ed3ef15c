"""Measurement workflow: who may enter, submit, validate, return, lock and unlock — and the roll-up."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation import services
from evaluation.models import Measurement, MeasurementRollup
from programme.models import AuditEntry
from projects.models import PhasePeriod
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, assess

Q1 = {"period_start": date(2026, 1, 1), "period_end": date(2026, 3, 31)}
Q2 = {"period_start": date(2026, 4, 1), "period_end": date(2026, 6, 30)}


@pytest.fixture
def pi(world):
    """An indicator of project A reported by the collective (partner A)."""
    return ProjectIndicatorFactory(
        project=world.project_a, reporter="partner", baseline_value=10, target_value=50
    )


def rollup(pi, year=2026):
    return MeasurementRollup.objects.filter(project_indicator=pi, year=year).first()


def test_staff_entry_is_validated_at_once_and_rolled_up(world, pi):
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), **Q1)
    assert m.status == "validated" and m.validated_by == world.staff
    r = rollup(pi)
    assert (r.count, r.value_sum, r.latest_value, r.is_current) == (1, D(12), D(12), True)
    assert AuditEntry.objects.filter(action="measurement.created", object_id=str(m.pk)).exists()


def test_staff_can_keep_a_draft_which_does_not_count(world, pi):
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), submit=False, **Q1)
    assert m.status == "draft"
    assert rollup(pi) is None


def test_partner_submission_waits_for_validation(world, pi):
    m = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(7), **Q1)
    assert m.status == "submitted" and m.submitted_at is not None
    assert rollup(pi) is None
    services.measurement_validate(actor=world.staff, measurement=m)
    m.refresh_from_db()
    assert m.status == "validated" and m.validated_by == world.staff
    assert rollup(pi).value_sum == D(7)


def test_partner_may_not_report_staff_indicators_nor_other_projects(world):
    staff_reported = ProjectIndicatorFactory(project=world.project_a, reporter="staff")
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.partner_a, project_indicator=staff_reported, value=D(1), **Q1)
    another_member = ProjectIndicatorFactory(
        project=world.project_a, reporter="partner", reporter_organisation=world.org_b
    )
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.partner_a, project_indicator=another_member, value=D(1), **Q1)
    other_project = ProjectIndicatorFactory(project=world.project_b, reporter="partner")
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.partner_a, project_indicator=other_project, value=D(1), **Q1)
    assert not Measurement.objects.exists()


def test_only_the_team_validates_returns_locks_and_unlocks(world, pi):
    m = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(7), **Q1)
    with pytest.raises(PermissionDenied):
        services.measurement_validate(actor=world.partner_a, measurement=m)
    with pytest.raises(PermissionDenied):
        services.measurement_return(actor=world.partner_a, measurement=m, comment="non")
    with pytest.raises(PermissionDenied):
        services.measurement_lock_period(actor=world.partner_a, project=world.project_a, **Q1)
    with pytest.raises(PermissionDenied):
        services.measurement_unlock(actor=world.partner_a, measurement=m, reason="non")
    # Directors are part of the team: they may validate.
    services.measurement_validate(actor=world.director, measurement=m)


def test_return_needs_a_comment_and_the_partner_corrects_and_resubmits(world, pi):
    m = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(7), **Q1)
    with pytest.raises(ValidationError):
        services.measurement_return(actor=world.staff, measurement=m, comment="   ")
    m.refresh_from_db()
    assert m.status == "submitted"
    services.measurement_return(actor=world.staff, measurement=m, comment="Joindre la feuille d'émargement")
    m.refresh_from_db()
    assert (m.status, m.return_comment) == ("returned", "Joindre la feuille d'émargement")
    entry = AuditEntry.objects.get(action="measurement.returned")
    assert entry.changes["return_comment"] == [None, "Joindre la feuille d'émargement"]
    again = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(8), **Q1)
    assert again.pk == m.pk and again.status == "submitted" and again.return_comment == ""


def test_returning_a_validated_value_takes_it_out_of_the_figures(world, pi):
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), **Q1)
    services.measurement_record(actor=world.staff, project_indicator=pi, value=D(3), **Q2)
    assert rollup(pi).value_sum == D(15)
    services.measurement_return(actor=world.staff, measurement=m, comment="Doublon avec Q2")
    r = rollup(pi)
    assert (r.count, r.value_sum, r.latest_value) == (1, D(3), D(3))


def test_partner_cannot_overwrite_a_validated_value(world, pi):
    services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), **Q1)
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(99), **Q1)
    assert Measurement.objects.get().value == D(12)


def test_lock_only_fully_validated_periods_then_read_only_for_everyone(world, pi):
    validated = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), **Q1)
    pending = services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(5), **Q2)
    year = {"period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)}
    with pytest.raises(ValidationError):
        services.measurement_lock_period(actor=world.staff, project=world.project_a, **year)
    assert not Measurement.objects.filter(locked=True).exists()
    services.measurement_return(actor=world.staff, measurement=pending, comment="À revoir")
    with pytest.raises(ValidationError):
        services.measurement_lock_period(actor=world.staff, project=world.project_a, **year)
    # Locking the first quarter alone works.
    assert services.measurement_lock_period(actor=world.staff, project=world.project_a, **Q1) == 1
    validated.refresh_from_db()
    assert validated.locked and validated.locked_at
    for actor in (world.staff, world.director):
        with pytest.raises(ValidationError):
            services.measurement_record(actor=actor, project_indicator=pi, value=D(1), **Q1)
        with pytest.raises(ValidationError):
            services.measurement_return(actor=actor, measurement=validated, comment="x")
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.partner_a, project_indicator=pi, value=D(1), **Q1)
    validated.refresh_from_db()
    assert validated.value == D(12)


def test_unlock_needs_the_team_and_a_reason_kept_in_the_audit_trail(world, pi):
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(12), **Q1)
    services.measurement_lock_period(actor=world.staff, project=world.project_a, **Q1)
    with pytest.raises(ValidationError):
        services.measurement_unlock(actor=world.staff, measurement=m, reason="")
    services.measurement_unlock(actor=world.staff, measurement=m, reason="Erreur de report signalée")
    m.refresh_from_db()
    assert not m.locked
    entry = AuditEntry.objects.get(action="measurement.unlocked")
    assert entry.changes["reason"] == [None, "Erreur de report signalée"]
    with pytest.raises(ValidationError):
        services.measurement_unlock(actor=world.staff, measurement=m, reason="encore")


def test_values_are_checked_against_the_indicator_type(world):
    percentage = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(type="percentage")
    )
    with pytest.raises(ValidationError) as error:
        services.measurement_record(
            actor=world.staff, project_indicator=percentage, numerator=D(5), denominator=D(4), **Q1
        )
    assert "numerator" in error.value.message_dict
    m = services.measurement_record(
        actor=world.staff, project_indicator=percentage, numerator=D(0), denominator=D(0), **Q1
    )
    assert m.value is None  # 0 / 0: recorded, but no percentage
    scale = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(type="scale", scale_min=1, scale_max=5)
    )
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.staff, project_indicator=scale, value=D(6), **Q1)
    count = ProjectIndicatorFactory(project=world.project_a)
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.staff, project_indicator=count, value=D(-1), **Q1)
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.staff, project_indicator=count, value=D(1), **{**Q1, "period_end": date(2025, 1, 1)}
        )
    boolean = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(type="boolean"))
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.staff, project_indicator=boolean, value=D(2), **Q1)
    assert services.measurement_record(actor=world.staff, project_indicator=boolean, value=1, **Q1).value == 1
    text = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(type="text"))
    with pytest.raises(ValidationError):
        services.measurement_record(actor=world.staff, project_indicator=text, text_value=" ", **Q1)


def test_evidence_type_is_read_from_the_content_and_stored_under_a_new_name(
    world, pi, settings, django_capture_on_commit_callbacks
):
    pdf = SimpleUploadedFile("preuve.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    m = services.measurement_record(
        actor=world.staff, project_indicator=pi, value=D(1), evidence=pdf, submit=False, **Q1
    )
    assert m.evidence.name.startswith("evaluation/evidence/") and m.evidence.name.endswith(".pdf")
    assert "preuve" not in m.evidence.name
    first_name = m.evidence.name
    png = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        m = services.measurement_record(
            actor=world.staff, project_indicator=pi, value=D(1), evidence=png, **Q1
        )
    assert m.evidence.name.endswith(".png") and not m.evidence.storage.exists(first_name)
    disguised = SimpleUploadedFile(
        "photo.pdf", b"MZ\x90\x00\x03\x00\x00\x00binary", content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.staff, project_indicator=pi, value=D(1), evidence=disguised, **Q2
        )
    settings.PARCOURS_MAX_UPLOAD_MB = 0
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.staff,
            project_indicator=pi,
            value=D(1),
            evidence=SimpleUploadedFile("a.csv", b"a;b\n1;2\n"),
            **Q2,
        )
    assert not Measurement.objects.filter(period_end=Q2["period_end"]).exists()


def test_rollup_marks_the_latest_year_current(world, pi):
    services.measurement_record(
        actor=world.staff,
        project_indicator=pi,
        value=D(4),
        period_start=date(2025, 10, 1),
        period_end=date(2025, 12, 31),
    )
    assert rollup(pi, 2025).is_current
    m = services.measurement_record(actor=world.staff, project_indicator=pi, value=D(6), **Q1)
    assert not rollup(pi, 2025).is_current and rollup(pi, 2026).is_current
    services.measurement_return(actor=world.staff, measurement=m, comment="Période erronée")
    assert rollup(pi, 2026) is None and rollup(pi, 2025).is_current


def test_maturity_self_assessment_by_partner_of_the_project_only(world):
    # Project A is in Émergence since January: its start-of-phase self-assessment is open to the collective.
    PhasePeriod.objects.create(
        project=world.project_a,
        phase="emergence",
        planned_start=date(2026, 1, 5),
        actual_start=date(2026, 1, 5),
    )
    scores = {"shared_vision": 1, "governance": 2, "trust": 3, "shared_resources": 4, "capacity": 2}
    a = assess(world.partner_a, world.project_a, scores)
    assert {s.dimension: s.score for s in a.scores.all()} == scores
    end = {"moment": "end", "assessed_on": date(2026, 9, 1)}
    with pytest.raises(PermissionDenied):
        assess(world.partner_b, world.project_a, scores, **end)
    with pytest.raises(ValidationError):
        assess(world.staff, world.project_a, {**scores, "trust": 5}, **end)
    # Saving the same moment again replaces the scores (one assessment per phase and moment).
    assess(world.staff, world.project_a, {**scores, "trust": 4}, assessed_on=date(2026, 2, 2))
    a.refresh_from_db()
    assert a.scores.get(dimension="trust").score == 4


def test_a_draft_is_submitted_by_whoever_reports_it(world, pi):
    draft = services.measurement_record(
        actor=world.partner_a, project_indicator=pi, value=D(3), submit=False, **Q1
    )
    assert draft.status == "draft"
    with pytest.raises(PermissionDenied):
        services.measurement_submit(actor=world.partner_b, measurement=draft)
    submitted = services.measurement_submit(actor=world.partner_a, measurement=draft)
    assert submitted.status == "submitted" and submitted.submitted_at
    with pytest.raises(ValidationError):
        services.measurement_submit(actor=world.partner_a, measurement=submitted)
    validated = services.measurement_validate(actor=world.staff, measurement=submitted)
    with pytest.raises(ValidationError):
        services.measurement_validate(actor=world.staff, measurement=validated)
