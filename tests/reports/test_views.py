"""Report pages: order, follow (HTMX polling), download, retry, share — and who may do what."""

from django.urls import reverse
from django.utils.html import escape

from evaluation.models import Report, ReportStatus
from evaluation.reports import pdf as report_pdf

from .helpers import order_activity, order_funder


def _detail(report):
    return reverse("evaluation:report.detail", args=[report.pk])


def _order_through_the_form(world, client, capture, *, period_end="2026-01-31", render=False):
    """An activity report ordered with the form; left queued unless `render` (on-commit callbacks run)."""
    with capture(execute=render):
        response = client.post(
            reverse("evaluation:report.create"),
            {
                "kind": "activity",
                "programme": world.programme.pk,
                "period_start": "2026-01-01",
                "period_end": period_end,
            },
        )
    return Report.objects.get(), response


def test_a_director_orders_an_activity_report(world, director_client, django_capture_on_commit_callbacks):
    url = reverse("evaluation:report.create")
    page = director_client.get(url)
    assert page.status_code == 200
    assert "Commander un rapport" in page.content.decode()
    report, response = _order_through_the_form(
        world, director_client, django_capture_on_commit_callbacks, period_end="2026-06-30", render=True
    )
    assert response.status_code == 302 and response["Location"] == _detail(report)
    assert report.requested_by == world.director
    assert report.parameters == {"period_start": "2026-01-01", "period_end": "2026-06-30"}
    assert report.status == ReportStatus.DONE
    body = director_client.get(_detail(report)).content.decode()
    assert "Télécharger le PDF" in body and 'hx-trigger="every 2s"' not in body


def test_the_form_refuses_bad_input_and_keeps_it(world, staff_client):
    response = staff_client.post(
        reverse("evaluation:report.create"),
        {
            "kind": "activity",
            "programme": world.programme.pk,
            "period_start": "2026-06-30",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "La fin de la période précède son début." in body and 'value="2026-06-30"' in body
    response = staff_client.post(
        reverse("evaluation:report.create"), {"kind": "funder", "programme": world.programme.pk}
    )
    assert "Choisissez le projet du rapport financeur." in response.content.decode()
    assert not Report.objects.exists()


def test_a_second_identical_order_follows_the_first(world, staff_client, django_capture_on_commit_callbacks):
    data = {"kind": "funder", "programme": world.programme.pk, "project": world.project_a.pk}
    with django_capture_on_commit_callbacks(execute=False):
        first = staff_client.post(reverse("evaluation:report.create"), data)
        second = staff_client.post(reverse("evaluation:report.create"), data, follow=True)
    assert Report.objects.count() == 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "déjà en préparation" in second.content.decode()


def test_the_status_fragment_polls_only_while_pending(
    world, staff_client, django_capture_on_commit_callbacks
):
    report, _response = _order_through_the_form(world, staff_client, django_capture_on_commit_callbacks)
    status_url = reverse("evaluation:report.status", args=[report.pk])
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=60)
    pending = staff_client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in pending and f'hx-get="{status_url}"' in pending
    assert 'value="60"' in pending and "Mise en page" in pending
    assert "<html" not in pending  # a fragment, not a page
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="Pango a planté")
    failed = staff_client.get(status_url).content.decode()
    assert "hx-trigger" not in failed and "Pango a planté" in failed and "Relancer" in failed


def test_download_is_a_private_pdf_attachment(world, director_client, django_capture_on_commit_callbacks):
    report = order_activity(world, django_capture_on_commit_callbacks)
    response = director_client.get(reverse("evaluation:report.download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_of_an_unfinished_report_is_404(world, staff_client, django_capture_on_commit_callbacks):
    report, _response = _order_through_the_form(world, staff_client, django_capture_on_commit_callbacks)
    assert staff_client.get(reverse("evaluation:report.download", args=[report.pk])).status_code == 404


def test_retry_from_the_page(world, staff_client, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(
        report_pdf, "html_to_pdf", lambda html, **k: (_ for _ in ()).throw(MemoryError("trop gros"))
    )
    report = order_activity(world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.FAILED
    body = staff_client.get(_detail(report)).content.decode()
    assert "trop gros (MemoryError)" in body and "Relancer" in body
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("evaluation:report.retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_partner_reads_their_funder_report_only_once_shared(
    world, staff_client, partner_a_client, partner_b_client, django_capture_on_commit_callbacks
):
    report = order_funder(world, django_capture_on_commit_callbacks)
    detail, download = _detail(report), reverse("evaluation:report.download", args=[report.pk])
    assert partner_a_client.get(detail).status_code == 404
    assert partner_a_client.get(download).status_code == 404
    assert "Projet A" not in partner_a_client.get(reverse("evaluation:report.list")).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as rerender:
        staff_client.post(reverse("evaluation:report.share", args=[report.pk]), {"shared": "1"})
    report.refresh_from_db()
    assert report.shared_with_partners
    # The team's edition is gone at once: nothing to download until the collective's edition is rendered.
    assert not report.file and partner_a_client.get(download).status_code == 404
    for callback in rerender:
        callback()
    page = partner_a_client.get(detail)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Télécharger le PDF" in body
    assert "Partager avec le collectif" not in body and "Ne plus partager" not in body  # staff's button
    assert "Historique des modifications" not in body  # the audit trail stays with the team
    assert b"".join(partner_a_client.get(download).streaming_content).startswith(b"%PDF")
    assert "Projet A" in partner_a_client.get(reverse("evaluation:report.list")).content.decode()
    # Partner B never sees partner A's report.
    assert partner_b_client.get(detail).status_code == 404
    assert partner_b_client.get(download).status_code == 404
    assert "Projet A" not in partner_b_client.get(reverse("evaluation:report.list")).content.decode()
    # Partners cannot share or unshare.
    assert (
        partner_a_client.post(
            reverse("evaluation:report.share", args=[report.pk]), {"shared": "0"}
        ).status_code
        == 404
    )
    # Unsharing closes the door again.
    staff_client.post(reverse("evaluation:report.share", args=[report.pk]), {"shared": "0"})
    assert partner_a_client.get(detail).status_code == 404


def test_partners_never_read_activity_reports(world, partner_a_client, django_capture_on_commit_callbacks):
    report = order_activity(world, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=report.pk).update(shared_with_partners=True)  # even if the flag were set
    assert partner_a_client.get(_detail(report)).status_code == 404
    assert partner_a_client.get(reverse("evaluation:report.download", args=[report.pk])).status_code == 404


def test_the_list_shows_reports_with_their_state(world, staff_client, django_capture_on_commit_callbacks):
    report = order_activity(world, django_capture_on_commit_callbacks)
    response = staff_client.get(reverse("evaluation:report.list"))
    body = response.content.decode()
    assert "1 rapport" in body and escape(report.title) in body and "Terminé" in body
    filtered = staff_client.get(
        reverse("evaluation:report.list"), {"status": "failed"}, headers={"HX-Request": "true"}
    )
    assert "0 rapport" in filtered.content.decode() and "<html" not in filtered.content.decode()


def test_the_list_runs_a_constant_number_of_queries(world, staff_client, django_assert_max_num_queries):
    from evaluation.models import Report

    def add(n):
        for i in range(n):
            Report.objects.create(
                kind="funder",
                programme=world.programme,
                project=world.project_a,
                dedupe_key=f"k{Report.objects.count()}-{i}",
                title=f"Rapport {i}",
                requested_by=world.staff,
                status="done",
            )

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("evaluation:report.list"))
    add(10)
    # session, user, count, page of reports (with programme, project and requester joined)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = staff_client.get(reverse("evaluation:report.list"))
    assert "11 rapports" in response.content.decode()
