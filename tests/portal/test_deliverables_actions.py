"""Deliverables and actions in the portal: upload and replace (versions kept, team notified after commit),
mark an action done — it works, it checks access, it refuses bad input and changes nothing."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programme.models import AuditEntry
from projects.models import Deliverable, DeliverableVersion, Membership

from .helpers import pdf


def test_partner_uploads_then_replaces_a_deliverable_and_the_team_is_told(
    sides, partner_a_client, world, django_capture_on_commit_callbacks
):
    a = sides["A"]
    deliverable = a.deliverable
    deliverable.status = "returned"
    deliverable.save()
    url = reverse("portal:deliverable", args=[deliverable.pk])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = partner_a_client.post(url, {"file": pdf("v2.pdf"), "comment": "Corrigé"})
        # Nothing leaves before the commit.
        assert mail.outbox == []

    assert response.status_code == 302
    assert len(callbacks) == 1
    deliverable.refresh_from_db()
    assert deliverable.status == "submitted"
    assert list(deliverable.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    latest = deliverable.versions.get(number=2)
    assert latest.uploaded_by == world.partner_a and latest.comment == "Corrigé"
    # One e-mail to the project's staff lead, after commit (tasks run inline in tests).
    assert [m.to for m in mail.outbox] == [[world.staff.email]]
    assert deliverable.title in mail.outbox[0].subject
    assert reverse("projects:project.deliverables", args=[deliverable.project_id]) in mail.outbox[0].body
    # The page lists both versions, each downloadable by A.
    page = partner_a_client.get(url)
    assert b"v2.pdf" in page.content and b"v1" in page.content
    download = partner_a_client.get(reverse("portal:deliverable.download", args=[deliverable.pk, 2]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_notification_is_sent_once_per_version(sides, world):
    from projects.services import deliverable_version_notify

    version = sides["A"].deliverable_version
    mail.outbox.clear()
    assert deliverable_version_notify(version_id=version.pk) == 1
    assert deliverable_version_notify(version_id=version.pk) == 0
    assert len(mail.outbox) == 1


def test_a_retried_task_sends_nothing_twice(sides, world):
    from projects.tasks import notify_deliverable_uploaded

    version = sides["A"].deliverable_version
    mail.outbox.clear()
    notify_deliverable_uploaded.delay(version.pk)
    notify_deliverable_uploaded.delay(version.pk)
    assert len(mail.outbox) == 1
    version.refresh_from_db()
    assert version.notified_at is not None


def test_two_workers_racing_send_one(sides, world, monkeypatch):
    """The second worker runs while the first one is sending: the version is already claimed."""
    from projects import services
    from projects.services import deliverable_version_notify

    version = sides["A"].deliverable_version
    real_send = services.send_template_mail
    second_worker: list[int] = []

    def send_while_another_worker_runs(**kwargs):
        if not second_worker:
            second_worker.append(deliverable_version_notify(version_id=version.pk))
        return real_send(**kwargs)

    monkeypatch.setattr(services, "send_template_mail", send_while_another_worker_runs)
    mail.outbox.clear()
    assert deliverable_version_notify(version_id=version.pk) == 1
    assert second_worker == [0]
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_for_the_retry(sides, world, monkeypatch):
    import smtplib

    import pytest

    from projects import services
    from projects.services import deliverable_version_notify

    version = sides["A"].deliverable_version
    real_send = services.send_template_mail

    def broken_send(**kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(services, "send_template_mail", broken_send)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliverable_version_notify(version_id=version.pk)
    version.refresh_from_db()
    assert version.notified_at is None

    monkeypatch.setattr(services, "send_template_mail", real_send)
    mail.outbox.clear()
    assert deliverable_version_notify(version_id=version.pk) == 1
    assert len(mail.outbox) == 1


def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_saved(sides, partner_a_client):
    deliverable = sides["A"].deliverable
    before = DeliverableVersion.objects.count()
    mail.outbox.clear()
    fake = SimpleUploadedFile(
        "rapport.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = partner_a_client.post(reverse("portal:deliverable", args=[deliverable.pk]), {"file": fake})

    assert response.status_code == 400
    assert "Type de fichier non accepté" in response.content.decode()
    assert DeliverableVersion.objects.count() == before
    assert mail.outbox == []


def test_extra_posted_fields_change_nothing(sides, partner_a_client, world):
    a, b = sides["A"], sides["B"]
    deliverable = a.deliverable
    partner_a_client.post(
        reverse("portal:deliverable", args=[deliverable.pk]),
        {
            "file": pdf(),
            "status": "accepted",
            "project": b.project.pk,
            "owner_organisation": world.org_b.pk,
            "owner_user": world.partner_a.pk,
            "due_date": "2001-01-01",
        },
    )
    deliverable.refresh_from_db()
    assert deliverable.status == "submitted"
    assert deliverable.project_id == a.project.pk
    assert deliverable.owner_organisation_id == world.org_a.pk
    assert deliverable.owner_user_id is None
    assert deliverable.due_date != "2001-01-01"


def test_only_deliverables_assigned_to_the_partners_organisation(sides, partner_a_client):
    a = sides["A"]
    # The team's own deliverable in A's project: not A's to see or upload.
    for url in (
        reverse("portal:deliverable", args=[a.staff_deliverable.pk]),
        reverse("portal:deliverable", args=[sides["B"].deliverable.pk]),
        reverse("portal:deliverable.download", args=[sides["B"].deliverable.pk, 1]),
    ):
        assert partner_a_client.get(url).status_code == 404
        assert partner_a_client.post(url, {"file": pdf()}).status_code == 404
    assert not a.staff_deliverable.versions.exists()
    home = partner_a_client.get(reverse("portal:home")).content.decode()
    assert a.deliverable.title in home
    assert a.staff_deliverable.title not in home


def test_an_accepted_deliverable_is_read_only(sides, partner_a_client):
    deliverable = sides["A"].deliverable
    Deliverable.objects.filter(pk=deliverable.pk).update(status="accepted")
    response = partner_a_client.post(
        reverse("portal:deliverable", args=[deliverable.pk]), {"file": pdf()}, follow=True
    )
    assert "Ce livrable est validé" in response.content.decode()
    assert deliverable.versions.count() == 1


def test_partner_marks_their_action_done_with_a_comment(sides, partner_a_client, world):
    action = sides["A"].action
    url = reverse("portal:action.done", args=[action.pk])
    assert partner_a_client.get(url).status_code == 200

    response = partner_a_client.post(
        url, {"comment": "Convention signée", "status": "cancelled", "title": "X"}
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.title.startswith("Action du partenaire")
    entry = AuditEntry.objects.get(action="action.done", object_id=str(action.pk))
    assert entry.actor == world.partner_a
    assert entry.changes["commentaire"] == [None, "Convention signée"]
    # Once done, it cannot be closed again.
    again = partner_a_client.post(url, {"comment": ""})
    assert again.status_code == 400
    assert "déjà" in again.content.decode()


def test_a_too_long_comment_is_refused_and_changes_nothing(sides, partner_a_client):
    action = sides["A"].action
    response = partner_a_client.post(reverse("portal:action.done", args=[action.pk]), {"comment": "x" * 1001})
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == "open"


def test_only_the_partners_own_actions(sides, partner_a_client):
    a, b = sides["A"], sides["B"]
    for action in (a.staff_action, b.action):
        url = reverse("portal:action.done", args=[action.pk])
        assert partner_a_client.get(url).status_code == 404
        assert partner_a_client.post(url, {"comment": "x"}).status_code == 404
        action.refresh_from_db()
        assert action.status == "open"


def test_leaving_the_collective_removes_access_at_once(sides, partner_a_client, world):
    from django.utils import timezone

    a = sides["A"]
    urls = [
        reverse("portal:project", args=[a.project.pk]),
        reverse("portal:deliverable", args=[a.deliverable.pk]),
        reverse("portal:workshop", args=[a.workshop.pk]),
        reverse("portal:indicator", args=[a.project_indicator.pk]),
        reverse("portal:measurement", args=[a.measurement.pk]),
        reverse("portal:maturity", args=[a.maturity.pk]),
        reverse("portal:document.download", args=[a.document.pk]),
        reverse("projects:deliverable.download", args=[a.deliverable.pk, 1]),
    ]
    assert all(partner_a_client.get(u).status_code == 200 for u in urls)

    Membership.objects.filter(project=a.project, organisation=world.org_a).update(
        left_on=timezone.localdate()
    )

    assert [partner_a_client.get(u).status_code for u in urls] == [404] * len(urls)
    home = partner_a_client.get(reverse("portal:home"))
    assert home.status_code == 200
    assert a.marker not in home.content.decode()
    assert "aucun collectif" in home.content.decode()
