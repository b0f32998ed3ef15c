"""Ordering, claiming, failing, retrying, sharing and scheduling reports."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluation.models import Report, ReportKind, ReportStatus
from evaluation.reports import pdf as report_pdf
from evaluation.reports import services as report_services
from evaluation.reports.tasks import monthly_activity_report, render_report
from programme.models import AuditEntry
from tests.factories import CohortFactory, ProgrammeFactory, UserFactory

from .helpers import PERIOD, order_activity, order_funder


@pytest.fixture
def render_count(monkeypatch):
    calls = []
    original = report_pdf.html_to_pdf

    def counting(html, **kwargs):
        calls.append(1)
        return original(html, **kwargs)

    monkeypatch.setattr(report_pdf, "html_to_pdf", counting)
    return calls


@pytest.fixture
def queue(settings, monkeypatch):
    """A broker that takes every render (recorded): the report ids handed to it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(render_report, "delay", lambda report_id: sent.append(report_id))
    return sent


def _request(world, **overrides):
    return report_services.report_request(
        actor=overrides.pop("actor", world.director),
        kind=overrides.pop("kind", ReportKind.ACTIVITY),
        programme=overrides.pop("programme", world.programme),
        project=overrides.pop("project", None),
        parameters=overrides.pop("parameters", PERIOD),
        **overrides,
    )


def test_the_same_request_twice_renders_once(world, django_capture_on_commit_callbacks, render_count):
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(world)
        second = _request(world, actor=world.staff)
    assert first.pk == second.pk and first.created and not second.created
    assert Report.objects.count() == 1
    assert len(render_count) == 1
    assert AuditEntry.objects.filter(action="report.request").count() == 1
    # Once done, the same request is a new report (fresh figures).
    with django_capture_on_commit_callbacks(execute=True):
        third = _request(world)
    assert third.pk != first.pk and len(render_count) == 2


def test_dedupe_key_ignores_parameter_order(world):
    a = report_services.dedupe_key(
        kind="activity", programme=world.programme, project=None, parameters={"a": 1, "b": 2}
    )
    b = report_services.dedupe_key(
        kind="activity", programme=world.programme, project=None, parameters={"b": 2, "a": 1}
    )
    assert a == b and len(a) == 64


def test_a_concurrent_twin_is_joined_not_duplicated(world, monkeypatch, django_capture_on_commit_callbacks):
    """Two requests racing past the first check: the partial unique constraint decides."""
    with django_capture_on_commit_callbacks(execute=False):
        first = _request(world)
    monkeypatch.setattr(report_services, "_pending_twin", lambda key: None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = _request(world)
    assert second.pk == first.pk and not second.created
    assert callbacks == []  # nothing more enqueued
    assert Report.objects.count() == 1


def test_a_claimed_report_is_not_rendered_again(world, django_capture_on_commit_callbacks, render_count):
    with django_capture_on_commit_callbacks(execute=False):
        report = _request(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now())
    assert report_services.report_render(report_id=report.pk) is None
    render_report.delay(report.pk)  # a second delivery of the task does nothing either
    assert render_count == []
    # A worker that died long ago leaves a stale claim, which may be taken over.
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        rendered = report_services.report_render(report_id=report.pk)
    assert rendered.status == ReportStatus.DONE and len(render_count) == 1


def test_a_done_report_is_never_rendered_again(world, django_capture_on_commit_callbacks, render_count):
    report = order_activity(world, django_capture_on_commit_callbacks)
    assert report_services.report_render(report_id=report.pk) is None
    assert len(render_count) == 1


def test_a_failure_is_recorded_with_its_reason_and_retry_works(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(html, **kwargs):
        raise RuntimeError("Pango a planté")

    monkeypatch.setattr(report_pdf, "html_to_pdf", broken)
    report = order_activity(world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED
    assert "Pango a planté" in report.error
    assert not report.file
    assert "Échec du rapport" in mail.outbox[-1].subject
    assert AuditEntry.objects.filter(action="report.fail", object_id=str(report.pk)).exists()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = report_services.report_retry(actor=world.staff, report=report)
    retried.refresh_from_db()
    assert retried.pk == report.pk
    assert retried.status == ReportStatus.DONE and retried.error == "" and retried.pages


def test_the_soft_time_limit_fails_the_report(world, django_capture_on_commit_callbacks, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(html, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(report_pdf, "html_to_pdf", slow)
    report = order_activity(world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED and "temps" in report.error


def test_only_a_failed_report_can_be_retried(world, django_capture_on_commit_callbacks):
    report = order_activity(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        report_services.report_retry(actor=world.staff, report=report)


def test_a_broker_that_does_not_answer_keeps_the_report_queued_and_says_so(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []

    def down(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(render_report, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(world)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert "démarrera automatiquement dès qu’elle sera rétablie" in report.error
    # The same order again joins it (it will be rendered), and the sweeper hands it over once the queue is back.
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(world)
    assert again.pk == report.pk and not again.created
    monkeypatch.setattr(render_report, "delay", lambda report_id: sent.append(report_id))
    assert report_services.reports_requeue_stuck() == 1
    report.refresh_from_db()
    assert sent == [report.pk] and report.status == ReportStatus.QUEUED and report.error == ""
    # Ordered again while still not taken: handed to the queue at once, not at the next sweep.
    Report.objects.filter(pk=report.pk).update(error=report_services.queue_down_text())
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        third = _request(world)
    assert third.pk == report.pk and sent == [report.pk]


def test_the_sweeper_hands_over_reports_queued_too_long_and_leaves_fresh_ones(
    world, queue, django_capture_on_commit_callbacks
):
    sent = queue
    with django_capture_on_commit_callbacks(execute=True):
        lost = _request(world)
        fresh = _request(world, parameters={"period_start": "2026-02-01", "period_end": "2026-02-28"})
    sent.clear()
    Report.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - report_services.REQUEUE_AFTER - timedelta(minutes=1)
    )
    assert report_services.reports_requeue_stuck() == 1
    assert sent == [lost.pk]
    fresh.refresh_from_db()
    assert fresh.status == ReportStatus.QUEUED


def test_a_redelivered_message_takes_over_a_report_its_killed_worker_left_running(
    world, django_capture_on_commit_callbacks, render_count
):
    with django_capture_on_commit_callbacks(execute=False):
        report = _request(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now())
    # A duplicate message (not a redelivery) does not touch a render in progress…
    assert report_services.report_render(report_id=report.pk) is None and not render_count
    # …but the message handed back by reject_on_worker_lost renders it at once.
    with django_capture_on_commit_callbacks(execute=False):
        rendered = report_services.report_render(report_id=report.pk, redelivered=True)
    assert rendered is not None and rendered.status == ReportStatus.DONE and render_count


def test_the_render_task_reads_the_redelivered_flag(world, monkeypatch):
    seen = []
    monkeypatch.setattr(report_services, "report_render", lambda **kwargs: seen.append(kwargs))
    render_report.push_request(delivery_info={"redelivered": True})  # as the worker sets it up
    try:
        render_report.run(7)
    finally:
        render_report.pop_request()
    render_report.apply(args=[8])
    assert seen == [{"report_id": 7, "redelivered": True}, {"report_id": 8, "redelivered": False}]


def test_relancer_works_on_a_stuck_report_but_not_on_one_in_progress(
    world, queue, django_capture_on_commit_callbacks
):
    sent = queue
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(world)
    with pytest.raises(ValidationError, match="en cours"):
        report_services.report_retry(actor=world.staff, report=report)
    Report.objects.filter(pk=report.pk).update(error=report_services.queue_down_text())
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retried = report_services.report_retry(actor=world.staff, report=report)
    assert retried.pk == report.pk and retried.status == ReportStatus.QUEUED and sent == [report.pk]
    retried.refresh_from_db()
    assert retried.error == ""
    assert AuditEntry.objects.filter(action="report.retry", object_id=str(report.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "weekly"}, "Type de rapport inconnu"),
        ({"kind": ReportKind.FUNDER}, "Choisissez le projet"),
        ({"parameters": {"period_start": "2026-12-31", "period_end": "2026-01-01"}}, "précède"),
        ({"parameters": {"period_start": "demain", "period_end": "2026-01-01"}}, "période valide"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(world, overrides, message):
    with pytest.raises(ValidationError) as error:
        _request(world, **overrides)
    assert message in " ".join(error.value.messages)
    assert not Report.objects.exists()


def test_cohort_and_project_must_belong_to_the_programme(world):
    other = CohortFactory(programme=ProgrammeFactory())
    with pytest.raises(ValidationError):
        _request(world, parameters={**PERIOD, "cohort": other.pk})
    with pytest.raises(ValidationError):
        _request(world, kind=ReportKind.FUNDER, programme=ProgrammeFactory(), project=world.project_a)


def test_partners_cannot_order_reports(world):
    with pytest.raises(ValidationError):
        _request(world, actor=world.partner_a, kind=ReportKind.FUNDER, project=world.project_a)
    assert not Report.objects.exists()


def test_sharing_is_for_finished_funder_reports(world, django_capture_on_commit_callbacks):
    activity = order_activity(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        report_services.report_share(actor=world.staff, report=activity, shared=True)
    with django_capture_on_commit_callbacks(execute=False):
        pending = report_services.report_request(
            actor=world.staff, kind=ReportKind.FUNDER, programme=world.programme, project=world.project_a
        )
    with pytest.raises(ValidationError):
        report_services.report_share(actor=world.staff, report=pending, shared=True)
    Report.objects.filter(pk=pending.pk).delete()
    funder = order_funder(world, django_capture_on_commit_callbacks)
    report_services.report_share(actor=world.staff, report=funder, shared=True)
    funder.refresh_from_db()
    assert funder.shared_with_partners
    assert AuditEntry.objects.filter(action="report.share", object_id=str(funder.pk)).exists()


def test_monthly_report_once_per_programme_and_month(world, django_capture_on_commit_callbacks, render_count):
    second_director = UserFactory(email="direction2@test.fr", role="director")
    ProgrammeFactory(name="Programme clos", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ordered = report_services.report_order_monthly(today=date(2026, 12, 1))
    assert [r.programme for r in ordered] == [world.programme]
    report = Report.objects.get()
    assert report.scheduled and report.requested_by is None and report.status == ReportStatus.DONE
    assert report.parameters == {"period_start": "2026-11-01", "period_end": "2026-11-30"}
    # Every director hears about it; staff do not.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.director.email, second_director.email])
    # Beat fires again the same month (or twice): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.report_order_monthly(today=date(2026, 12, 15)) == []
    assert Report.objects.count() == 1 and len(render_count) == 1


def test_monthly_task_is_the_beat_entry(world, django_capture_on_commit_callbacks):
    assert monthly_activity_report.name == "evaluation.reports.tasks.monthly_activity_report"
    with django_capture_on_commit_callbacks(execute=True):
        monthly_activity_report.delay()
    assert Report.objects.filter(scheduled=True).count() == 1


def test_tasks_are_reliable(world):
    assert render_report.acks_late and render_report.soft_time_limit < render_report.time_limit
    assert render_report.name == "evaluation.reports.tasks.render_report"


def test_an_abandoned_render_restarts_by_itself_then_fails_with_a_retry_button(
    world, staff_client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=False):
        report = _request(world)
    long_ago = timezone.now() - report_services.STALE_AFTER - timedelta(seconds=5)
    status_url = reverse("evaluation:report.status", args=[report.pk])
    for _ in range(report_services.MAX_RESTARTS):
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.RUNNING, started_at=long_ago, progress=60
        )
        with django_capture_on_commit_callbacks(execute=False) as restarts:
            body = staff_client.get(status_url).content.decode()
        assert "reprend automatiquement" in body and 'hx-trigger="every 2s"' in body
        assert len(restarts) == 1  # handed to the queue again
        report.refresh_from_db()
        assert report.status == ReportStatus.QUEUED
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=long_ago, progress=60)
    body = staff_client.get(status_url).content.decode()
    assert "interrompu" in body and "Relancer" in body and "hx-trigger" not in body
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    # A running report that is merely slow keeps polling, without a retry button.
    with django_capture_on_commit_callbacks(execute=False):
        fresh = _request(world)
    assert fresh.pk != report.pk
    Report.objects.filter(pk=fresh.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now())
    body = staff_client.get(reverse("evaluation:report.status", args=[fresh.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in body and "Relancer" not in body


def test_an_abandoned_twin_is_restarted_and_a_new_request_joins_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = _request(world)
    long_ago = timezone.now() - report_services.STALE_AFTER - timedelta(seconds=5)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = _request(world)
    assert again.pk == report.pk and not again.created and len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED


def test_the_sweepers_are_beat_entries():
    from programme.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "evaluation.reports.tasks.requeue_stuck_reports",
        "prospects.tasks.requeue_stuck_imports",
    } <= tasks
