"""Every URL of events and trainings (#20) as every role: the team pages (partners 404), the public pages
(anyone, only while public / with a valid link) and evaluation's pieces of an event (team only)."""

from prospects.events.services import hash_survey_token
from tests.access import EVERYONE_404, LOGIN, PARTNERS, PUBLIC, TEAM, TEAM_REDIRECT, Case, invalid_post, pk_of

from .factories import ModuleFactory, OpenEventFactory, public_event, registration_of, sequence_of

SURVEY_TOKEN = "jeton-de-questionnaire-de-test-0123456789"


def _event(w):
    return OpenEventFactory(programme=w.programme, notes="note interne secrète")


def _with_sequence(w):
    event = _event(w)
    return {"pk": event.pk, "sequence_pk": sequence_of(event).pk}


def _with_partner(w):
    event = _event(w)
    partner = event.partners.create(organisation=w.org_a)
    return {"pk": event.pk, "partner_pk": partner.pk}


def _with_registration(w):
    event = _event(w)
    return {"pk": event.pk, "registration_pk": registration_of(event, w.person_a).pk}


def _present(w):
    return registration_of(_event(w), w.person_a, status="present")


def _survey_link(w):
    registration = registration_of(public_event(w), w.person_a, status="present")
    registration.survey_token_hash = hash_survey_token(SURVEY_TOKEN)
    registration.save()
    return {"token": SURVEY_TOKEN}


def _attachment(w):
    from django.core.files.base import ContentFile

    from prospects.events.models import EventAttachment

    attachment = EventAttachment(
        event=_event(w), original_name="cr.pdf", extension=".pdf", content_type="application/pdf", size=4
    )
    attachment.file.save("cr.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return attachment


def _invited_a(w):
    """An event partner A's structure is invited to (partner B's is not)."""
    event = _event(w)
    registration_of(event, w.person_a, status="invited")
    return event


#: Registering from the portal: partner A (invited) is redirected back to the list; B and the team 404.
INVITED_A = {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 302, "partner_b": 404}


def _module(w):
    return ModuleFactory(programme=w.programme)


def event_cases() -> list[Case]:
    return [
        Case("prospects:event.list", TEAM),
        Case(
            "prospects:event.list", TEAM, query="when=upcoming&kind=training", id="get:event.list (filtered)"
        ),
        Case("prospects:event.create", TEAM),
        invalid_post("prospects:event.create", TEAM),
        Case("prospects:event.panel", TEAM),
        Case("prospects:event.detail", TEAM, kwargs=pk_of(_event), secret=lambda w: "note interne secrète"),
        Case("prospects:event.edit", TEAM, kwargs=pk_of(_event)),
        invalid_post("prospects:event.prospects", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.prospects_from_attendees", TEAM_REDIRECT, method="post", kwargs=pk_of(_event)),
        Case("prospects:event.sequence.create", TEAM, kwargs=pk_of(_event)),
        invalid_post("prospects:event.sequence.create", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.sequence.edit", TEAM, kwargs=_with_sequence),
        Case("prospects:event.sequence.delete", TEAM_REDIRECT, method="post", kwargs=_with_sequence),
        Case("prospects:event.partner.create", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.partner.delete", TEAM_REDIRECT, method="post", kwargs=_with_partner),
        Case("prospects:event.registrations", TEAM, kwargs=pk_of(_event)),
        invalid_post("prospects:event.invite", TEAM, kwargs=pk_of(_event)),
        invalid_post("prospects:event.register", TEAM, kwargs=pk_of(_event)),
        Case(
            "prospects:event.registration.move",
            TEAM_REDIRECT,
            method="post",
            kwargs=_with_registration,
            data=lambda w: {"status": "present"},
        ),
        Case("prospects:event.checkin", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.attendance", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.write_up", TEAM, kwargs=pk_of(_event)),
        invalid_post("prospects:event.attachment.upload", TEAM, kwargs=pk_of(_event)),
        Case("prospects:event.attachment.download", TEAM, kwargs=pk_of(_attachment)),
        Case("prospects:event.survey.send", TEAM_REDIRECT, method="post", kwargs=pk_of(_event)),
        Case("prospects:event.module.list", TEAM),
        Case("prospects:event.module.create", TEAM),
        Case("prospects:event.module.detail", TEAM, kwargs=pk_of(_module)),
        Case("prospects:event.module.edit", TEAM, kwargs=pk_of(_module)),
        Case("prospects:event.person_trainings", TEAM, kwargs=lambda w: {"pk": w.person_a.pk}),
        # Public pages: anyone while the event is public; an unknown address or link is a 404 for all.
        Case(
            "events:register",
            PUBLIC,
            kwargs=lambda w: {"public_key": public_event(w).public_key},
            secret=lambda w: "Note interne",
        ),
        Case(
            "events:register",
            EVERYONE_404,
            kwargs=lambda w: {"public_key": "inconnu"},
            id="get:register (unknown)",
        ),
        Case("events:survey", PUBLIC, kwargs=_survey_link),
        Case("events:survey", EVERYONE_404, kwargs=lambda w: {"token": "faux"}, id="get:survey (unknown)"),
        # The portal: the events a partner's structure is invited to.
        Case("portal:events", PARTNERS),
        Case("portal:event.register", INVITED_A, method="post", kwargs=pk_of(_invited_a)),
        # Evaluation's pieces of an event.
        Case("evaluation:event.figures", TEAM, kwargs=pk_of(_event)),
        Case("evaluation:event.sheet", TEAM, kwargs=pk_of(_event)),
        Case("evaluation:event.certificate", TEAM, kwargs=pk_of(_present)),
    ]
