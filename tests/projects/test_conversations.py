"""Conversations with the collective: threads on the project, its deliverables, actions and measurements;
internal notes; mentions; who is told, once, at once or in the digest, in their language."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation import services as evaluation_services
from programme.models import AuditEntry
from projects import services
from projects.conversations import services as conversations
from projects.models import Comment, CommentNotice, DeliverableStatus
from projects.reminders import digest_send
from tests.conftest import client_for
from tests.evaluation.factories import ProjectIndicatorFactory
from tests.factories import UserFactory
from tests.projects.factories import ActionFactory, DeliverableFactory, pdf_file

NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _commit_now(monkeypatch):
    """What the services queue after commit runs at once (the test's transaction never commits)."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def followed(world):
    """Project A steered by the staff member, with a deliverable assigned to partner A's structure."""
    world.project_a.staff_leads.add(world.staff)
    world.staff.last_name = "Martin"
    world.staff.first_name = "Claire"
    world.staff.save()
    return DeliverableFactory(project=world.project_a, owner_organisation=world.org_a, title="Diagnostic")


def bodies(mail):
    return [m.body for m in mail]


# --- Posting and reading --------------------------------------------------------------------------------


def test_partner_question_reaches_the_staff_lead_and_the_answer_reaches_the_partner(
    world, followed, mailoutbox
):
    question = conversations.comment_post(
        actor=world.partner_a, project=world.project_a, target=followed, body="Faut-il un PDF ?"
    )
    assert [m.to for m in mailoutbox] == [[world.staff.email]]
    assert "Faut-il un PDF ?" in mailoutbox[0].body
    assert reverse("projects:comment.list", args=["deliverable", followed.pk]) in mailoutbox[0].body
    conversations.comment_post(
        actor=world.staff, project=world.project_a, target=followed, body="Oui, un PDF."
    )
    assert mailoutbox[1].to == [world.partner_a.email]
    assert reverse("portal:deliverable", args=[followed.pk]) in mailoutbox[1].body
    # Both are in the thread, oldest first, for the team and for the partner.
    for client in (client_for(world.staff), client_for(world.partner_a)):
        page = client.get(reverse("portal:deliverable", args=[followed.pk]))
        if page.status_code == 404:  # the team reads the thread through its own page
            page = client.get(reverse("projects:comment.list", args=["deliverable", followed.pk]))
        text = page.content.decode()
        assert text.index("Faut-il un PDF") < text.index("Oui, un PDF.")
    assert question.author == world.partner_a and not question.internal


def test_empty_comment_and_bad_mention_are_refused_and_nothing_is_saved_or_sent(world, followed, mailoutbox):
    with pytest.raises(ValidationError) as empty:
        conversations.comment_post(actor=world.staff, project=world.project_a, target=followed, body="   ")
    assert "Écrivez un message" in str(empty.value)
    with pytest.raises(ValidationError) as unknown:
        conversations.comment_post(
            actor=world.staff, project=world.project_a, body="Voir avec @personne.inconnue demain"
        )
    assert "@personne.inconnue ne correspond à aucun membre de l’équipe" in str(unknown.value)
    # A partner is not a team member: mentioning them is refused too.
    with pytest.raises(ValidationError):
        conversations.comment_post(
            actor=world.staff, project=world.project_a, body=f"@{world.partner_a.email}"
        )
    assert not Comment.objects.exists() and not CommentNotice.objects.exists() and mailoutbox == []
    # Through the page: the form says why, keeps the text, and nothing is saved.
    response = client_for(world.staff).post(
        reverse("projects:comment.post", args=["deliverable", followed.pk]),
        {"body": "Demander à @nobody.here"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "@nobody.here ne correspond à aucun membre" in text and "Demander à @nobody.here" in text
    response = client_for(world.partner_a).post(
        reverse("portal:comment.post", args=["deliverable", followed.pk]),
        {"body": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "Écrivez un message avant de l’envoyer." in response.content.decode()
    assert not Comment.objects.exists() and mailoutbox == []


def test_mentions_by_name_or_address_notify_the_team_member(world, followed, mailoutbox):
    colleague = UserFactory(email="remi@test.fr", role="staff", first_name="Rémi", last_name="Le Gall")
    comment = conversations.comment_post(
        actor=world.staff,
        project=world.project_a,
        body="@remi.le-gall et @director@test.fr, pouvez-vous relire ?",
        internal=True,
    )
    assert set(comment.mentions.all()) == {colleague, world.director}
    assert sorted(m.to[0] for m in mailoutbox) == ["director@test.fr", "remi@test.fr"]
    assert all("vous mentionne" in m.subject for m in mailoutbox)
    # An e-mail address in the text is not a mention.
    plain = conversations.comment_post(
        actor=world.staff, project=world.project_a, body="Écrire à contact@asso.fr"
    )
    assert not plain.mentions.exists()


def test_partner_b_cannot_read_or_post_on_a_threads(world, followed):
    conversations.comment_post(actor=world.staff, project=world.project_a, body="Message A SECRET")
    client = client_for(world.partner_b)
    assert (
        client.post(
            reverse("portal:comment.post", args=["project", world.project_a.pk]), {"body": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("portal:comment.post", args=["deliverable", followed.pk]), {"body": "x"}
        ).status_code
        == 404
    )
    assert "SECRET" not in client.get(reverse("portal:home")).content.decode()
    with pytest.raises(PermissionDenied):
        conversations.comment_post(actor=world.partner_b, project=world.project_a, body="intrus")
    with pytest.raises(PermissionDenied):  # a target of another project than the one named
        conversations.comment_post(actor=world.staff, project=world.project_b, target=followed, body="x")
    assert Comment.objects.count() == 1
    # The team's thread pages are the team's: partners get 404.
    url = reverse("projects:comment.list", args=["project", world.project_a.pk])
    assert client_for(world.partner_a).get(url).status_code == 404


def test_internal_notes_are_never_shown_or_sent_to_partners(world, followed, mailoutbox):
    action = ActionFactory(project=world.project_a, owner_person=world.person_a, title="Relancer la mairie")
    for target in (None, followed, action):
        conversations.comment_post(
            actor=world.staff,
            project=world.project_a,
            target=target,
            body="NOTE-INTERNE budget serré",
            internal=True,
        )
        conversations.comment_post(
            actor=world.staff, project=world.project_a, target=target, body="Message partagé"
        )
    assert all(m.to != [world.partner_a.email] or "NOTE-INTERNE" not in m.body for m in mailoutbox)
    assert not CommentNotice.objects.filter(user=world.partner_a, comment__internal=True).exists()
    partner = client_for(world.partner_a)
    for url in (
        reverse("portal:project", args=[world.project_a.pk]),
        reverse("portal:deliverable", args=[followed.pk]),
        reverse("portal:action.done", args=[action.pk]),
    ):
        text = partner.get(url).content.decode()
        assert "Message partagé" in text and "NOTE-INTERNE" not in text and "Note interne" not in text
    # The team sees the note, marked as such in words (not by colour alone).
    text = (
        client_for(world.staff)
        .get(reverse("projects:comment.list", args=["deliverable", followed.pk]))
        .content.decode()
    )
    assert "NOTE-INTERNE" in text and "Note interne" in text
    # A partner may not write one, even by forging the form.
    with pytest.raises(PermissionDenied):
        conversations.comment_post(actor=world.partner_a, project=world.project_a, body="x", internal=True)
    partner.post(
        reverse("portal:comment.post", args=["project", world.project_a.pk]),
        {"body": "Bonjour", "internal": "on"},
    )
    assert Comment.objects.get(author=world.partner_a).internal is False


# --- Notices: once, at once or in the digest, in the recipient's language ---------------------------------


def test_each_notice_is_sent_once(world, followed, mailoutbox):
    comment = conversations.comment_post(actor=world.partner_a, project=world.project_a, body="Une question")
    notice = CommentNotice.objects.get(comment=comment)
    assert len(mailoutbox) == 1
    assert conversations.comment_notify(notice_ids=[notice.pk]) == 0  # a re-delivered task
    assert len(mailoutbox) == 1


def test_digest_mode_waits_for_the_morning_digest(world, followed, mailoutbox):
    world.staff.comment_notifications = "digest"
    world.staff.save()
    conversations.comment_post(
        actor=world.partner_a, project=world.project_a, target=followed, body="Dépôt fait"
    )
    assert mailoutbox == []
    assert digest_send(user_id=world.staff.pk, run_id="") == 1
    digest = mailoutbox[0]
    assert "Nouveaux commentaires" in digest.alternatives[0][0] and "Dépôt fait" in digest.body
    assert "Nouveau commentaire (1)" in digest.subject
    assert digest_send(user_id=world.staff.pk, run_id="") == 0  # claimed: not twice
    assert CommentNotice.objects.get().sent_at is not None


def test_the_deadline_scan_queues_a_digest_for_pending_comments(world, followed, mailoutbox):
    from projects.reminders import deadline_scan

    world.staff.comment_notifications = "digest"
    world.staff.save()
    conversations.comment_post(actor=world.partner_a, project=world.project_a, body="Pour demain matin")
    deadline_scan()
    (digest,) = [m for m in mailoutbox if m.to == [world.staff.email]]
    assert "Pour demain matin" in digest.body


def test_comments_waiting_for_a_digest_turned_off_go_out_one_by_one(world, followed, mailoutbox):
    """Someone who chose the digest, then turned it off, still hears of the comments that were waiting for
    it: the next morning's scan sends them one e-mail each — once."""
    from projects.reminders import deadline_scan

    world.staff.comment_notifications = "digest"
    world.staff.save()
    conversations.comment_post(actor=world.partner_a, project=world.project_a, body="Avant le changement")
    # The digest turned off on the preferences page (its box left unticked).
    client_for(world.staff).post(reverse("programme:preferences"), {"comment_notifications": "digest"})
    world.staff.refresh_from_db()
    assert not world.staff.digest_enabled and mailoutbox == []

    deadline_scan()
    (mail,) = [m for m in mailoutbox if m.to == [world.staff.email]]
    assert "Avant le changement" in mail.body and "Nouveaux commentaires" not in mail.body
    assert CommentNotice.objects.get().sent_at is not None
    deadline_scan()  # the next morning: nothing twice
    assert len([m for m in mailoutbox if m.to == [world.staff.email]]) == 1


def test_the_email_is_written_in_the_recipient_language(world, followed, mailoutbox):
    world.partner_a.language = "en"
    world.partner_a.save()
    conversations.comment_post(actor=world.staff, project=world.project_a, target=followed, body="Merci !")
    conversations.comment_post(
        actor=world.partner_a, project=world.project_a, target=followed, body="Bien reçu"
    )
    english, french = mailoutbox
    assert english.to == [world.partner_a.email] and "wrote on" in english.body
    assert french.to == [world.staff.email] and "a écrit sur" in french.body
    assert f"«{NNBSP}Diagnostic{NNBSP}»{NNBSP}:" in french.body


# --- Return with a reason --------------------------------------------------------------------------------


def test_returning_a_deliverable_requires_a_reason_which_opens_the_thread(world, followed, mailoutbox):
    services.deliverable_upload(actor=world.partner_a, deliverable=followed, file=pdf_file())
    mailoutbox.clear()
    with pytest.raises(ValidationError):
        services.deliverable_review(actor=world.staff, deliverable=followed, status="returned", reason=" ")
    followed.refresh_from_db()
    assert followed.status == DeliverableStatus.SUBMITTED and not Comment.objects.exists()
    # Through the page: refused with the reason, nothing changes.
    staff = client_for(world.staff)
    url = reverse("projects:deliverable.review", args=[followed.pk])
    page = staff.post(url, {"status": "returned"}, follow=True).content.decode()
    assert "le motif est obligatoire" in page
    followed.refresh_from_db()
    assert followed.status == DeliverableStatus.SUBMITTED and mailoutbox == []
    staff.post(url, {"status": "returned", "reason": "Il manque la page 2."})
    followed.refresh_from_db()
    assert followed.status == DeliverableStatus.RETURNED
    comment = Comment.objects.get()
    assert (comment.body, comment.internal, comment.object_id) == ("Il manque la page 2.", False, followed.pk)
    assert [m.to for m in mailoutbox] == [[world.partner_a.email]]
    assert (
        "Il manque la page 2."
        in client_for(world.partner_a).get(reverse("portal:deliverable", args=[followed.pk])).content.decode()
    )
    assert AuditEntry.objects.filter(action="deliverable.reviewed").last().changes["motif"] == [
        None,
        "Il manque la page 2.",
    ]


def _partner_measurement(world, value: Decimal):
    """A value partner A reported for the first quarter of 2026, on a new indicator of project A."""
    return evaluation_services.measurement_record(
        actor=world.partner_a,
        project_indicator=ProjectIndicatorFactory(project=world.project_a, reporter="partner"),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        value=value,
        confirmed=True,
    )


def test_returning_a_measurement_posts_its_reason_to_the_measurement_thread(world, followed, mailoutbox):
    m = _partner_measurement(world, Decimal(7))
    mailoutbox.clear()
    evaluation_services.measurement_return(actor=world.staff, measurement=m, comment="Joindre la feuille")
    comment = Comment.objects.get()
    assert comment.object_id == m.pk and comment.body == "Joindre la feuille"
    assert [x.to for x in mailoutbox] == [[world.partner_a.email]]
    assert reverse("portal:measurement", args=[m.pk]) in mailoutbox[0].body
    text = client_for(world.partner_a).get(reverse("portal:measurement", args=[m.pk])).content.decode()
    assert "Joindre la feuille" in text


# --- Query counts -----------------------------------------------------------------------------------------


def test_a_thread_costs_the_same_queries_whatever_its_length(world, followed, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.staff)
    url = reverse("projects:comment.list", args=["deliverable", followed.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        return len(queries)

    conversations.comment_post(actor=world.staff, project=world.project_a, target=followed, body="un")
    few = count()
    for n in range(10):
        conversations.comment_post(
            actor=world.partner_a, project=world.project_a, target=followed, body=f"m{n}"
        )
    assert count() == few


def test_every_kind_of_thread_has_a_team_page_and_a_portal_page(world, followed):
    action = ActionFactory(project=world.project_a, owner_person=world.person_a, title="Relancer la mairie")
    m = _partner_measurement(world, Decimal(3))
    staff, partner = client_for(world.staff), client_for(world.partner_a)
    for key, obj, portal_url in (
        ("project", world.project_a, reverse("portal:project", args=[world.project_a.pk])),
        ("deliverable", followed, reverse("portal:deliverable", args=[followed.pk])),
        ("action", action, reverse("portal:action.done", args=[action.pk])),
        ("measurement", m, reverse("portal:measurement", args=[m.pk])),
    ):
        body = f"Question sur {key}"
        response = partner.post(
            reverse("portal:comment.post", args=[key, obj.pk]), {"body": body}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200 and body in response.content.decode()
        assert body in partner.get(portal_url).content.decode()
        page = staff.get(reverse("projects:comment.list", args=[key, obj.pk]))
        assert page.status_code == 200 and body in page.content.decode()
        # Without HTMX, the team's post comes back to the thread's page with a message.
        response = staff.post(
            reverse("projects:comment.post", args=[key, obj.pk]), {"body": f"Réponse {key}"}
        )
        assert response.status_code == 302
        assert f"Réponse {key}" in staff.get(response.url).content.decode()
    # The measurement's team page loads its thread.
    assert (
        reverse("projects:comment.list", args=["measurement", m.pk])
        in staff.get(reverse("evaluation:measurement.edit", args=[m.pk])).content.decode()
    )


def test_comment_mails_and_the_digest_section_read_as_french(world, followed, mailoutbox):
    from tests.test_typography import mail_faults

    world.director.comment_notifications = "digest"
    world.director.save()
    conversations.comment_post(
        actor=world.partner_a, project=world.project_a, target=followed, body="Voici la version corrigée."
    )
    conversations.comment_post(
        actor=world.staff, project=world.project_a, body="@director@test.fr à voir ensemble.", internal=True
    )
    digest_send(user_id=world.director.pk, run_id="")
    assert len(mailoutbox) == 2 and "Nouveaux commentaires" in mailoutbox[-1].alternatives[0][0]
    faults = [fault for message in mailoutbox for fault in mail_faults(message)]
    assert not faults, "\n".join(faults)
