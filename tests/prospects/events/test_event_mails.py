"""The registration e-mails of events (#20 item 2): a registration by the team or from the portal is
confirmed by e-mail like the public page's (on a seat or on the waiting list), and a person of the waiting
list given a freed seat is told their place is confirmed — each state once."""

import re
import smtplib
from datetime import date, time

import pytest
from django.core import mail
from django.urls import reverse

from prospects.events import services, tasks
from prospects.events.models import Registration, RegistrationStatus
from tests.test_typography import assert_mails_read_as_french

from .factories import OpenEventFactory

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 18)  # ahead of any run: the seat freed is given away


def _event(world, **extra):
    extra.setdefault("capacity", 1)
    return OpenEventFactory(
        programme=world.programme, name="Rencontre des tiers-lieux", date=DAY, start_time=time(9), **extra
    )


def _register(staff_client, event, person, capture):
    with capture(execute=True):
        staff_client.post(
            reverse("prospects:event.register", args=[event.pk]), {"register-email": person.email}
        )


def test_a_registration_by_the_team_is_confirmed_by_email_in_french(
    world, staff_client, django_capture_on_commit_callbacks
):
    event = _event(world)
    _register(staff_client, event, world.person_a, django_capture_on_commit_callbacks)
    assert Registration.objects.get(person=world.person_a).status == RegistrationStatus.REGISTERED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_a.email]
    message = mail.outbox[0]
    assert message.subject.endswith("Inscription confirmée\u202f: Rencontre des tiers-lieux")
    assert "Votre inscription à «\u202fRencontre des tiers-lieux\u202f» est confirmée." in message.body
    assert "18 mars 2030" in message.body and "9\xa0h\xa000" in message.body
    assert_mails_read_as_french(1)
    # Registered again: recognised, nothing sent; a redelivered task sends nothing either.
    _register(staff_client, event, world.person_a, django_capture_on_commit_callbacks)
    tasks.send_registration_confirmation.delay(Registration.objects.get(person=world.person_a).pk)
    assert len(mail.outbox) == 1


def test_over_capacity_the_email_says_the_waiting_list(
    world, staff_client, django_capture_on_commit_callbacks
):
    event = _event(world)
    _register(staff_client, event, world.person_a, django_capture_on_commit_callbacks)
    _register(staff_client, event, world.person_b, django_capture_on_commit_callbacks)
    assert Registration.objects.get(person=world.person_b).status == RegistrationStatus.WAITING
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [world.person_b.email]
    assert "Liste d’attente\u202f: Rencontre des tiers-lieux" in mail.outbox[1].subject
    assert "vous êtes sur la liste d’attente" in mail.outbox[1].body
    assert "18 mars 2030" in mail.outbox[1].body
    assert_mails_read_as_french(2)


def test_a_partner_registering_from_the_portal_gets_the_email(
    world, partner_a_client, django_capture_on_commit_callbacks
):
    event = _event(world, capacity=5)
    Registration.objects.create(event=event, person=world.person_a, status=RegistrationStatus.INVITED)
    with django_capture_on_commit_callbacks(execute=True):
        partner_a_client.post(reverse("portal:event.register", args=[event.pk]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_a.email]
    assert "Inscription confirmée" in mail.outbox[0].subject
    assert_mails_read_as_french(1)


def test_the_person_moved_up_from_the_waiting_list_is_told_once(
    world, staff_client, django_capture_on_commit_callbacks
):
    event = _event(world)
    _register(staff_client, event, world.person_a, django_capture_on_commit_callbacks)
    _register(staff_client, event, world.person_b, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    alice = Registration.objects.get(person=world.person_a)
    for _ in range(2):  # the same move twice: the second changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            services.registration_set_status(actor=world.staff, registration=alice, status="excused")
    bruno = Registration.objects.get(person=world.person_b)
    assert bruno.status == RegistrationStatus.REGISTERED
    assert len(mail.outbox) == 3 and mail.outbox[2].to == [world.person_b.email]
    promoted = mail.outbox[2]
    assert "Place confirmée\u202f: Rencontre des tiers-lieux" in promoted.subject
    assert "votre place est confirmée" in promoted.body and "18 mars 2030" in promoted.body
    # The e-mail services (a redelivered task) called again: nothing more leaves.
    assert services.registration_promoted_send(registration_id=bruno.pk) is False
    assert services.registration_confirmation_send(registration_id=bruno.pk) is False
    tasks.send_registration_promoted.delay(bruno.pk)
    assert len(mail.outbox) == 3
    assert_mails_read_as_french(3)


def _smtp_down(monkeypatch) -> None:
    """Every e-mail sent from now on fails as a dropped SMTP connection does (undo: it works again)."""
    from programme import emails

    def down(**kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(emails, "send_template_mail", down)


def test_a_failed_send_gives_the_claim_back(world, monkeypatch):
    event = _event(world)
    registration = Registration.objects.create(
        event=event, person=world.person_a, status=RegistrationStatus.REGISTERED
    )
    _smtp_down(monkeypatch)
    with pytest.raises(smtplib.SMTPException):
        services.registration_confirmation_send(registration_id=registration.pk)
    registration.refresh_from_db()
    assert registration.mailed_status == ""
    monkeypatch.undo()
    assert services.registration_confirmation_send(registration_id=registration.pk) is True
    assert len(mail.outbox) == 1


def test_the_questionnaire_task_carries_ids_only_and_e_mails_each_participant_once(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    """No clear token goes through the broker: the task gets the registration's id and the worker issues
    the personal link; a redelivered task or a second send e-mails nobody again."""
    event = _event(world, capacity=5)
    alice = Registration.objects.create(event=event, person=world.person_a, status="present")
    Registration.objects.create(event=event, person=world.person_b, status="absent")
    queued: list[tuple] = []
    monkeypatch.setattr(tasks.send_survey, "delay", lambda *args, **kwargs: queued.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send(actor=world.staff, event=event) == 1
    assert queued == [((alice.pk,), {})]
    alice.refresh_from_db()
    assert alice.survey_sent_at is not None and alice.survey_token_hash == ""  # no link issued yet
    monkeypatch.undo()

    tasks.send_survey.delay(alice.pk)  # the worker
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_a.email]
    link = re.search(r"/evenements/questionnaire/(\S+)/", mail.outbox[0].body)
    alice.refresh_from_db()
    assert alice.survey_token_hash == services.hash_survey_token(link.group(1))
    assert "Votre avis sur" in client.get(link.group(0)).content.decode()
    # Redelivered, sent again, the service called again: nothing more leaves and the link stays valid.
    tasks.send_survey.delay(alice.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.surveys_send(actor=world.staff, event=event) == 0
    assert services.survey_mail_send(registration_id=alice.pk) is False
    assert len(mail.outbox) == 1
    assert "Votre avis sur" in client.get(link.group(0)).content.decode()


def test_a_failed_questionnaire_send_gives_the_claim_back(world, monkeypatch):
    event = _event(world, capacity=5)
    alice = Registration.objects.create(event=event, person=world.person_a, status="present")
    services.surveys_send(actor=world.staff, event=event)  # its task is queued after commit: not run here
    _smtp_down(monkeypatch)
    with pytest.raises(smtplib.SMTPException):
        services.survey_mail_send(registration_id=alice.pk)
    alice.refresh_from_db()
    assert alice.survey_token_hash == ""  # the retry will issue a link and send it
    monkeypatch.undo()
    assert services.survey_mail_send(registration_id=alice.pk) is True
    assert len(mail.outbox) == 1 and "/evenements/questionnaire/" in mail.outbox[0].body


@pytest.mark.parametrize("status", ["absent", "excused", "cancelled"])
def test_a_participant_no_longer_present_when_the_worker_runs_gets_no_questionnaire(world, status):
    """« Envoyer » queued the questionnaire; the person is then marked absent (or excused, or their
    registration cancelled) before the worker runs: the task re-checks and sends nothing. Marked present
    again, the next « Envoyer » does send it."""
    event = _event(world, capacity=5)
    alice = Registration.objects.create(event=event, person=world.person_a, status="present")
    assert services.surveys_send(actor=world.staff, event=event) == 1  # its task queued, not run yet
    if status == "absent":  # the team's move, as from the registrations table
        services.registration_set_status(actor=world.staff, registration=alice, status="absent")
    else:
        Registration.objects.filter(pk=alice.pk).update(status=status)

    tasks.send_survey.delay(alice.pk)  # the worker
    assert mail.outbox == []
    alice.refresh_from_db()
    assert alice.status == status and alice.survey_token_hash == "" and alice.survey_sent_at is None

    Registration.objects.filter(pk=alice.pk).update(status="present")
    assert services.surveys_send(actor=world.staff, event=event) == 1
    assert services.survey_mail_send(registration_id=alice.pk) is True
    assert len(mail.outbox) == 1 and "/evenements/questionnaire/" in mail.outbox[0].body


def _invite(staff_client, event, emails, capture):
    with capture(execute=True):
        return staff_client.post(
            reverse("prospects:event.invite", args=[event.pk]),
            {"invite-people": ", ".join(emails)},
            follow=True,
        )


def test_an_invitation_is_emailed_once_with_the_way_to_register(
    world, staff_client, django_capture_on_commit_callbacks
):
    """Invited from the event's page: the contact is e-mailed the invitation — what, when, where — with the
    public registration page when the event has one; a redelivered task sends nothing again."""
    event = _event(world, capacity=None, place="Maison de l’ESS", is_public=True)
    event.ensure_public_key()
    event.save()
    response = _invite(staff_client, event, [world.person_a.email], django_capture_on_commit_callbacks)
    assert "1 contact invité. 1 reçoit l’invitation par e-mail." in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_a.email]
    message = mail.outbox[0]
    assert message.subject.endswith("Invitation\u202f: Rencontre des tiers-lieux")
    assert "L’équipe du programme vous invite à «\u202fRencontre des tiers-lieux\u202f»." in message.body
    assert "18 mars 2030" in message.body and "Maison de l’ESS" in message.body
    assert f"/evenements/{event.public_key}/" in message.body
    html, _type = message.alternatives[0]
    assert 'href="http' in html and f"/evenements/{event.public_key}/" in html
    assert_mails_read_as_french(1)
    tasks.send_invitation.delay(Registration.objects.get(person=world.person_a).pk)
    assert len(mail.outbox) == 1


def test_without_a_public_page_the_invitation_says_whom_to_write_to(
    world, staff_client, django_capture_on_commit_callbacks
):
    from tests.factories import PersonFactory

    event = _event(world, capacity=None)
    event.staff.add(world.staff)
    world.staff.last_name = "Martin"
    world.staff.save()
    no_account = PersonFactory(organisation=world.org_b, first_name="Zoé")
    _invite(staff_client, event, [no_account.email], django_capture_on_commit_callbacks)
    body = mail.outbox[-1].body
    assert "Pour vous inscrire, écrivez à l’équipe du programme\u202f: Sam Martin <staff@test.fr>." in body
    # A contact with a Parcours account is sent to its events page instead.
    event2 = OpenEventFactory(programme=world.programme, name="Atelier des partenaires", date=DAY)
    _invite(staff_client, event2, [world.person_a.email], django_capture_on_commit_callbacks)
    assert "Inscrivez-vous depuis votre espace Parcours, rubrique «\u202fÉvénements\u202f»\u202f:" in (
        mail.outbox[-1].body
    )


def test_no_invitation_is_emailed_without_an_address_or_a_legal_basis(
    world, staff_client, django_capture_on_commit_callbacks
):
    from tests.factories import PersonFactory

    event = _event(world, capacity=None)
    unsure = PersonFactory(organisation=world.org_a, first_name="Sans", consent_basis="")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.registrations_invite(actor=world.staff, event=event, person_ids=[unsure.pk])
    assert result.invited == 1 and result.mailed == 0
    assert Registration.objects.get(person=unsure).status == RegistrationStatus.INVITED
    assert mail.outbox == []
    assert services.invitation_send(registration_id=Registration.objects.get(person=unsure).pk) is False
    assert mail.outbox == []


def test_a_contact_with_an_english_account_is_written_to_in_english(
    world, staff_client, django_capture_on_commit_callbacks
):
    world.partner_a.language = "en"
    world.partner_a.save()
    event = _event(world, capacity=None)
    _invite(staff_client, event, [world.person_a.email], django_capture_on_commit_callbacks)
    _register(staff_client, event, world.person_a, django_capture_on_commit_callbacks)
    invitation, confirmation = mail.outbox[-2:]
    assert invitation.subject.endswith("Invitation: Rencontre des tiers-lieux")
    assert "The programme team invites you to “Rencontre des tiers-lieux”." in invitation.body
    assert '<html lang="en">' in invitation.alternatives[0][0]
    assert "Rencontre des tiers-lieux" in confirmation.subject and "Inscription" not in confirmation.subject
