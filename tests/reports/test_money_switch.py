"""The collective's edition of a funder report follows the project's money switch (issue #13): a report
shared while the money was shared loses its financial section as soon as the team stops sharing the
money — the next download renders it again, and the file with the money is never served."""

import pytest
from django.urls import reverse

from evaluation.models import Report, ReportStatus
from evaluation.reports import services as report_services
from projects.funding import services as funding_services
from projects.models import GateDecision
from tests.reports.helpers import order_funder, pdf_text

pytestmark = pytest.mark.django_db

MONEY = "Budget et financements"


def _shared_report(world, capture) -> Report:
    report = order_funder(world, capture)
    with capture(execute=True):
        report_services.report_share(actor=world.staff, report=report, shared=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


def _share_money(world, shared: bool) -> None:
    funding_services.funding_share(actor=world.staff, project=world.project_a, shared=shared)


@pytest.mark.usefixtures("convention")
def test_the_collective_s_edition_loses_the_money_when_the_team_stops_sharing_it(
    world, partner_a_client, django_capture_on_commit_callbacks
):
    _share_money(world, True)
    report = _shared_report(world, django_capture_on_commit_callbacks)
    assert MONEY in pdf_text(report)

    _share_money(world, False)
    url = reverse("evaluation:report.download", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_a_client.get(url)
        # The edition with the money is gone at once: the partner is sent to the report's status.
        assert response.status_code == 302
        assert response["Location"] == reverse("evaluation:report.detail", args=[report.pk])
        assert not Report.objects.get(pk=report.pk).file
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    assert MONEY not in pdf_text(report)
    assert partner_a_client.get(url).status_code == 200


@pytest.mark.usefixtures("convention")
def test_the_collective_s_edition_gains_the_money_once_it_is_shared(
    world, partner_a_client, django_capture_on_commit_callbacks
):
    report = _shared_report(world, django_capture_on_commit_callbacks)
    assert MONEY not in pdf_text(report)
    _share_money(world, True)
    with django_capture_on_commit_callbacks(execute=True):
        detail = partner_a_client.get(reverse("evaluation:report.detail", args=[report.pk]))
    assert detail.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and MONEY in pdf_text(report)


@pytest.mark.usefixtures("convention")
def test_the_team_s_edition_keeps_the_money_whatever_the_switch(
    world, staff_client, django_capture_on_commit_callbacks
):
    report = order_funder(world, django_capture_on_commit_callbacks)
    response = staff_client.get(reverse("evaluation:report.download", args=[report.pk]))
    assert response.status_code == 200
    report.refresh_from_db()
    assert MONEY in pdf_text(report)


def test_the_collective_s_edition_tells_the_gate_decisions(world, django_capture_on_commit_callbacks):
    """Gate decisions stay in the collective's edition: they decide the collective's own path, their
    conditions are addressed to it, and every member may read them (`GateDecision.access_rule`)."""
    GateDecision.objects.create(
        project=world.project_a,
        from_phase="emergence",
        to_phase="experimentation",
        outcome="continue",
        decided_on=world.project_a.created_at.date(),
        committee="Comité d'engagement",
        rationale="Le prototype est concluant.",
        conditions="Recruter une coordinatrice.",
        decided_by=world.director,
    )
    report = _shared_report(world, django_capture_on_commit_callbacks)
    html = report_services.render_report_html(report)
    assert "Le prototype est concluant." in html and "Recruter une coordinatrice." in html


@pytest.mark.usefixtures("convention")
def test_when_an_identical_report_is_rendering_the_old_edition_is_withdrawn_all_the_same(
    world, partner_a_client, django_capture_on_commit_callbacks
):
    _share_money(world, True)
    report = _shared_report(world, django_capture_on_commit_callbacks)
    Report.objects.create(
        kind=report.kind,
        programme=report.programme,
        project=report.project,
        dedupe_key=report.dedupe_key,
        title=report.title,
        status=ReportStatus.QUEUED,
    )
    _share_money(world, False)
    response = partner_a_client.get(reverse("evaluation:report.download", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.file
    assert "Le partage du budget a changé" in report.error


@pytest.mark.usefixtures("convention")
def test_a_final_holding_the_money_stops_being_shared_when_the_money_is_not_any_more(
    world, partner_a_client, django_capture_on_commit_callbacks
):
    """A final report is never rendered again (#19): it holds the money the team no longer shares, so it
    stops being shared — the partner gets 404 — and its file and fingerprint stay as they were."""
    capture = django_capture_on_commit_callbacks
    _share_money(world, True)
    with capture(execute=True):
        report = report_services.report_request(
            actor=world.staff, kind="funder", programme=world.programme, project=world.project_a, draft=True
        )
    with capture(execute=True):
        report_services.report_finalise(actor=world.staff, report=report, for_collective=True)
    report.refresh_from_db()
    assert report.sealed and MONEY in pdf_text(report)
    sha, name = report.sha256, report.file.name

    _share_money(world, False)
    for url_name in ("evaluation:report.download_docx", "evaluation:report.download"):
        assert partner_a_client.get(reverse(url_name, args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert not report.shared_with_partners
    assert (report.sha256, report.file.name, report.status) == (sha, name, ReportStatus.DONE)
