"""Events and trainings (#20): what the team and a visitor notice — it works, it refuses bad input, it
leaks nothing, it counts once."""

import re
from datetime import date, time, timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programme.models import Person
from prospects.events.models import (
    Event,
    Registration,
    RegistrationStatus,
    Sequence,
    SequenceAttendance,
    SurveyAnswer,
)
from prospects.events.services import surveys_send
from prospects.models import Exchange, Prospect
from tests.factories import OrganisationFactory, PersonFactory

from .factories import ModuleFactory, OpenEventFactory, public_event, registration_of, sequence_of


def _event_post(world, **extra):
    return {
        "programme": world.programme.pk,
        "name": "Journée régionale des transitions",
        "kind": "regional_day",
        "date": "2026-06-12",
        "start_time": "09:00",
        "end_time": "17:00",
        "place": "Hôtel de Région",
        "capacity": "2",
        "staff": [world.staff.pk],
        **extra,
    }


# --- Events, agenda, co-organisers ----------------------------------------------------------------------


def test_staff_creates_an_event_with_its_agenda_and_co_organisers(world, staff_client):
    response = staff_client.post(reverse("prospects:event.create"), _event_post(world, is_public="on"))
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert event.public_key  # made public: its page's address
    url = reverse("prospects:event.sequence.create", args=[event.pk])
    staff_client.post(
        url,
        {
            "kind": "round_table",
            "title": "Table ronde des élus",
            "day": "2026-06-12",
            "start_time": "10:00",
            "end_time": "11:30",
            "room": "Salle Rhône",
            "speakers": "CRESS, Région",
        },
    )
    cress = OrganisationFactory(name="CRESS AURA")
    staff_client.post(
        reverse("prospects:event.partner.create", args=[event.pk]),
        {"organisation": cress.pk, "role": "co_organiser"},
    )
    page = staff_client.get(event.get_absolute_url()).content.decode()
    assert "Table ronde des élus" in page and "10\u00a0h\u00a000" in page and "Salle Rhône" in page
    assert "CRESS AURA" in page and "Co-organisateur" in page
    assert reverse("events:register", args=[event.public_key]) in page
    listing = staff_client.get(reverse("prospects:event.list"), {"when": "past"}).content.decode()
    assert "Journée régionale des transitions" not in listing or "2026" in listing


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(world, staff_client):
    response = staff_client.post(reverse("prospects:event.create"), _event_post(world, end_date="2026-06-11"))
    assert response.status_code == 200
    assert "La date de fin ne peut pas précéder la date de début." in response.content.decode()
    response = staff_client.post(
        reverse("prospects:event.create"), _event_post(world, start_time="17:00", end_time="09:00")
    )
    assert "L’heure de fin doit suivre l’heure de début." in response.content.decode()
    assert not Event.objects.exists()
    event = OpenEventFactory(programme=world.programme)
    for day, start_time, end_time, refusal in (
        ("2026-06-12", "11:00", "10:00", "La séquence doit finir après son début."),
        ("2026-07-01", "10:00", "11:00", "Ce jour n’est pas dans les dates de l’événement."),
    ):
        response = staff_client.post(
            reverse("prospects:event.sequence.create", args=[event.pk]),
            {
                "kind": "workshop",
                "title": "Atelier",
                "day": day,
                "start_time": start_time,
                "end_time": end_time,
            },
        )
        assert refusal in response.content.decode()
    assert not Sequence.objects.exists()


def test_a_training_session_needs_its_module(world, staff_client):
    response = staff_client.post(reverse("prospects:event.create"), _event_post(world, kind="training"))
    assert "Une session de formation se rattache à un module du catalogue." in response.content.decode()
    module = ModuleFactory(programme=world.programme)
    staff_client.post(
        reverse("prospects:event.create"), _event_post(world, kind="training", module=module.pk)
    )
    assert Event.objects.get().module == module


def test_a_cohort_gathering_is_an_event_of_its_cohort(world, staff_client):
    """A cohort-wide session (once a workshop of no project) is a « rencontre de promotion » of a cohort."""
    response = staff_client.post(reverse("prospects:event.create"), _event_post(world, kind="cohort"))
    assert "Une rencontre de promotion se rattache à une promotion." in response.content.decode()
    assert not Event.objects.exists()
    form = staff_client.get(reverse("prospects:event.create") + f"?cohort={world.cohort.pk}").content.decode()
    assert f'<option value="{world.cohort.pk}" selected>' in form
    staff_client.post(
        reverse("prospects:event.create"), _event_post(world, kind="cohort", cohort=world.cohort.pk)
    )
    assert Event.objects.get().cohort == world.cohort


def test_the_prospecting_events_of_before_keep_their_prospects_and_exchanges(world, staff_client):
    """The merge: a prospecting event of before #20 is an event like any other, its rows untouched."""
    event = Event.objects.create(
        programme=world.programme, name="Salon ESS", kind="fair", date=date(2025, 3, 2)
    )
    staff_client.post(
        reverse("prospects:event.prospects", args=[event.pk]),
        {"new-name": "Asso du Salon", "new-kind": "association", "new-town": "Lyon"},
    )
    prospect = Prospect.objects.get(organisation__name="Asso du Salon")
    assert prospect.source == "event"
    assert Exchange.objects.filter(event=event, prospect=prospect).exists()
    page = staff_client.get(event.get_absolute_url()).content.decode()
    assert "Asso du Salon" in page and "Salon" in page


# --- Invitations and registrations --------------------------------------------------------------------------


def test_inviting_a_cohorts_collectives_counts_each_person_once(world, staff_client):
    event = OpenEventFactory(programme=world.programme, kind="cohort", cohort=world.cohort)
    extra = PersonFactory(organisation=world.org_b, email="second@b.fr")
    url = reverse("prospects:event.invite", args=[event.pk])
    response = staff_client.post(url, {"invite-cohort": world.cohort.pk})
    assert set(Registration.objects.values_list("person_id", flat=True)) == {
        world.person_a.pk,
        world.person_b.pk,
        extra.pk,
    }
    assert all(r.status == "invited" for r in Registration.objects.all())
    response = staff_client.post(url, {"invite-people": f"{world.person_a.email}, second@b.fr"}, follow=True)
    assert Registration.objects.count() == 3
    assert "0 contact invité. 2 l’étaient déjà : laissés tels quels." in response.content.decode()
    response = staff_client.post(url, {})
    assert "Choisissez une promotion, un territoire ou des contacts à inviter." in response.content.decode()


def test_over_capacity_goes_to_the_waiting_list_and_a_duplicate_is_recognised(world, staff_client):
    event = OpenEventFactory(
        programme=world.programme, capacity=1, date=timezone.localdate() + timedelta(days=30)
    )
    url = reverse("prospects:event.register", args=[event.pk])
    first = staff_client.post(url, {"register-email": world.person_a.email}, follow=True).content.decode()
    assert "Alice Alpha est inscrit·e." in first
    second = staff_client.post(url, {"register-email": world.person_b.email}, follow=True).content.decode()
    assert "L’événement est complet : Bruno Bravo est placé·e sur la liste d’attente." in second
    again = staff_client.post(url, {"register-email": world.person_a.email}, follow=True).content.decode()
    assert "Alice Alpha est déjà inscrit·e : rien n’a été ajouté." in again
    assert Registration.objects.count() == 2
    assert Registration.objects.get(person=world.person_b).status == RegistrationStatus.WAITING
    # Alice excused before the event: Bruno gets her seat.
    alice = Registration.objects.get(person=world.person_a)
    staff_client.post(
        reverse("prospects:event.registration.move", args=[event.pk, alice.pk]), {"status": "excused"}
    )
    assert Registration.objects.get(person=world.person_b).status == RegistrationStatus.REGISTERED


def test_an_impossible_status_move_is_refused(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    registration = registration_of(event, world.person_a, status="invited")
    response = staff_client.post(
        reverse("prospects:event.registration.move", args=[event.pk, registration.pk]),
        {"status": "absent"},
        follow=True,
    )
    assert "Impossible de passer de « Invité » à « Absent »." in response.content.decode()
    assert Registration.objects.get().status == "invited"


def _offered(page: str, registration) -> list[str]:
    menu = re.search(rf'<select name="status" id="status-{registration.pk}">(.*?)</select>', page, re.S)
    return re.findall(r'<option value="([a-z]+)"', menu.group(1))


def test_each_row_offers_only_the_moves_allowed_from_its_status(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    invited = registration_of(event, world.person_a, status="invited")
    present = registration_of(event, world.person_b, status="present")
    page = staff_client.get(reverse("prospects:event.registrations", args=[event.pk])).content.decode()
    assert _offered(page, invited) == ["registered", "excused"]
    assert _offered(page, present) == ["registered", "absent"]
    # A move the menu does not offer, posted anyway, is refused with the reason and changes nothing.
    response = staff_client.post(
        reverse("prospects:event.registration.move", args=[event.pk, present.pk]),
        {"status": "excused"},
        follow=True,
    )
    assert "Impossible de passer de « Présent » à « Excusé »." in response.content.decode()
    present.refresh_from_db()
    assert present.status == "present"


# --- The public page --------------------------------------------------------------------------------------


def _public_post(**extra):
    return {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille@tiers-lieu.fr",
        "structure": "Tiers-lieu des Pentes",
        "consent": "on",
        **extra,
    }


def test_a_visitor_registers_on_the_public_page_and_gets_an_email(
    world, client, django_capture_on_commit_callbacks
):
    event = public_event(world)
    registration_of(event, PersonFactory(first_name="Secrète", last_name="Inscrite"))
    url = reverse("events:register", args=[event.public_key])
    page = client.get(url).content.decode()
    assert event.name in page and "Une journée pour les transitions." in page
    # Nothing but the public fields: no note, no registrant, no team member.
    assert "Note interne" not in page and "Inscrite" not in page and world.staff.email not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _public_post())
    assert "Merci, votre inscription est enregistrée." in response.content.decode()
    person = Person.objects.get(email="camille@tiers-lieu.fr")
    assert person.consent_basis == "consent" and person.consent_date is not None
    assert "Inscription à « Journée régionale" in person.consent_source
    registration = Registration.objects.get(person=person)
    assert registration.source == "public" and registration.structure_name == "Tiers-lieu des Pentes"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["camille@tiers-lieu.fr"]
    assert "Inscription confirmée" in mail.outbox[0].subject
    # The same person again: recognised, not duplicated, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, _public_post(email="Camille@Tiers-Lieu.fr"))
    assert "Vous êtes déjà inscrit·e à cet événement" in again.content.decode()
    assert Registration.objects.filter(person=person).count() == 1 and len(mail.outbox) == 1


def test_a_registrant_is_matched_to_the_existing_contact_by_email(world, client):
    event = public_event(world)
    client.post(reverse("events:register", args=[event.public_key]), _public_post(email=world.person_a.email))
    assert Registration.objects.get().person == world.person_a
    assert Person.objects.filter(email=world.person_a.email).count() == 1


def test_the_public_page_refuses_without_consent_traps_robots_and_rate_limits(world, client, settings):
    event = public_event(world)
    url = reverse("events:register", args=[event.public_key])
    response = client.post(url, _public_post(consent=""))
    assert "Votre accord est nécessaire pour vous inscrire." in response.content.decode()
    robot = client.post(url, _public_post(website="http://spam.example"))
    assert "Merci" in robot.content.decode() and not Registration.objects.exists()
    settings.PARCOURS_EVENT_REGISTRATION_LIMIT = 3
    client.post(url, _public_post(email="a@x.fr"))  # the 3rd attempt of this address
    refused = client.post(url, _public_post(email="b@x.fr"))
    assert refused.status_code == 429
    assert "Trop d’inscriptions ont été envoyées depuis votre connexion." in refused.content.decode()
    assert not Person.objects.filter(email="b@x.fr").exists()


def test_a_closed_event_has_no_public_page(world, client):
    event = public_event(world)
    event.is_public = False
    event.save()
    assert client.get(reverse("events:register", args=[event.public_key])).status_code == 404


def test_over_capacity_on_the_public_page_is_said(world, client):
    event = public_event(world, capacity=1)
    url = reverse("events:register", args=[event.public_key])
    client.post(url, _public_post())
    response = client.post(url, _public_post(email="autre@x.fr", first_name="Lou"))
    assert "L’événement est complet : vous êtes sur la liste d’attente." in response.content.decode()


# --- On the day and afterwards ---------------------------------------------------------------------------


def test_check_in_from_the_tablet_page(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    registration = registration_of(event, world.person_a)
    page = staff_client.get(reverse("prospects:event.checkin", args=[event.pk])).content.decode()
    assert "Alice Alpha" in page and "Arrivé·e" in page
    response = staff_client.post(
        reverse("prospects:event.registration.move", args=[event.pk, registration.pk]),
        {"status": "present", "back": "checkin"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Annuler l’arrivée" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "present" and registration.checked_in_at is not None


def test_the_tablet_page_finds_a_registrant_typed_without_accents(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    registration_of(event, world.person_a)
    registration_of(event, PersonFactory(first_name="Élodie", last_name="Bérard", organisation=world.org_a))
    url = reverse("prospects:event.checkin", args=[event.pk])
    for typed in ("berard", "ÉLODIE", "elodie berard"):
        page = staff_client.get(url, {"q": typed}).content.decode()
        assert "Élodie Bérard" in page and "Alice Alpha" not in page, typed


def test_attendance_per_sequence_gives_the_training_hours_and_a_certificate(world, staff_client):
    module = ModuleFactory(programme=world.programme)
    event = OpenEventFactory(programme=world.programme, kind="training", module=module)
    morning = sequence_of(event, 9, 3, title="Diagnostic")
    afternoon = sequence_of(event, 14, 2, title="Stratégie")
    alice = registration_of(event, world.person_a)
    bruno = registration_of(event, world.person_b)
    staff_client.post(
        reverse("prospects:event.attendance", args=[event.pk]),
        {f"a-{alice.pk}": [morning.pk, afternoon.pk], f"a-{bruno.pk}": [morning.pk]},
    )
    assert SequenceAttendance.objects.count() == 3
    assert Registration.objects.filter(status="present").count() == 2
    figures = staff_client.get(reverse("evaluation:event.figures", args=[event.pk])).content.decode()
    assert "Heures de formation suivies" in figures and "8\u00a0h" in figures
    history = staff_client.get(reverse("prospects:event.person_trainings", args=[world.person_a.pk]))
    assert event.name in history.content.decode() and "5\u00a0h suivies" in history.content.decode()
    certificate = staff_client.get(reverse("evaluation:event.certificate", args=[alice.pk]))
    assert certificate["Content-Type"] == "application/pdf" and certificate.content.startswith(b"%PDF")


def test_the_attendance_sheet_is_a_pdf(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    registration_of(event, world.person_a)
    response = staff_client.get(reverse("evaluation:event.sheet", args=[event.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_questionnaire_answered_twice_updates_and_says_so(
    world, staff_client, client, django_capture_on_commit_callbacks
):
    event = OpenEventFactory(programme=world.programme)
    registration_of(event, world.person_a, status="present")
    registration_of(event, world.person_b, status="absent")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("prospects:event.survey.send", args=[event.pk]))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.person_a.email]
    link = re.search(r"/evenements/questionnaire/\S+/", mail.outbox[0].body).group(0)
    answers = {
        "overall": "5",
        "content": "4",
        "organisation": "3",
        "usefulness": "5",
        "comment": "Très utile",
    }
    first = client.post(link, answers).content.decode()
    assert "Merci, vos réponses sont enregistrées." in first
    assert "Vous avez déjà répondu" in client.get(link).content.decode()
    second = client.post(link, {**answers, "overall": "2"}).content.decode()
    assert "Vos réponses ont été mises à jour : seule la dernière version compte." in second
    assert SurveyAnswer.objects.get().overall == 2
    bad = client.post(link, {**answers, "overall": "9"})
    assert SurveyAnswer.objects.get().overall == 2 and bad.status_code == 200
    page = staff_client.get(event.get_absolute_url()).content.decode()
    assert "1 réponse au questionnaire" in page and "Très utile" in page
    figures = staff_client.get(reverse("evaluation:event.figures", args=[event.pk])).content.decode()
    assert "Taux de satisfaction" in figures and "0\u00a0%" in figures  # one answer, overall 2/5
    # Sent once: a second send skips whoever already has a link.
    assert surveys_send(actor=world.staff, event=event) == 0


def test_the_write_up_keeps_its_attachments_checked_from_their_content(world, staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    event = OpenEventFactory(programme=world.programme)
    url = reverse("prospects:event.attachment.upload", args=[event.pk])
    fake = SimpleUploadedFile("synthese.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = staff_client.post(url, {"file-file": fake})
    assert response.status_code == 200 and not event.attachments.exists()
    pdf = SimpleUploadedFile("synthese.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    response = staff_client.post(url, {"file-file": pdf}, follow=True)
    assert "Pièce jointe ajoutée." in response.content.decode()
    attachment = event.attachments.get()
    page = staff_client.get(reverse("prospects:event.write_up", args=[event.pk])).content.decode()
    assert "synthese.pdf" in page
    download = staff_client.get(reverse("prospects:event.attachment.download", args=[attachment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_structures_of_the_people_present_become_prospects_once(world, staff_client):
    event = OpenEventFactory(programme=world.programme)
    registration_of(event, world.person_a, status="present")
    registration_of(event, PersonFactory(organisation=world.org_a), status="present")
    stranger = Person.objects.create(first_name="Lou", last_name="Neuf", email="lou@x.fr")
    Registration.objects.create(
        event=event, person=stranger, status="present", structure_name="Ressourcerie Neuve"
    )
    url = reverse("prospects:event.prospects_from_attendees", args=[event.pk])
    response = staff_client.post(url, follow=True)
    assert "2 structures rencontrées ajoutées aux prospects de l’événement." in response.content.decode()
    assert set(event.prospects.values_list("organisation__name", flat=True)) == {
        "Structure A",
        "Ressourcerie Neuve",
    }
    assert Prospect.objects.get(organisation__name="Ressourcerie Neuve").source == "event"
    staff_client.post(url)
    assert Prospect.objects.count() == 2  # deduplicated as always


def test_an_existing_prospect_met_at_the_event_shows_it_on_its_timeline(world, staff_client):
    from tests.prospects.factories import prospect_in

    prospect = prospect_in(world)  # Structure A, before the event
    event = OpenEventFactory(programme=world.programme, name="Forum des coopérations")
    registration_of(event, world.person_a, status="present")
    staff_client.post(reverse("prospects:event.prospects_from_attendees", args=[event.pk]))
    assert Prospect.objects.get() == prospect and prospect in event.prospects.all()
    assert Exchange.objects.filter(event=event, prospect=prospect).count() == 1
    assert "Forum des coopérations" in staff_client.get(prospect.get_absolute_url()).content.decode()


def test_the_event_list_query_count_does_not_grow(world, staff_client, django_assert_num_queries):
    for _ in range(2):
        registration_of(OpenEventFactory(programme=world.programme), world.person_a)
    url = reverse("prospects:event.list")
    staff_client.get(url)
    # 1 session · 2 user · 3 count · 4 the page of events with their counts · 5–8 the filters' choices
    # (programmes, cohorts, territories, themes)
    with django_assert_num_queries(8):
        staff_client.get(url)
    for _ in range(3):
        registration_of(OpenEventFactory(programme=world.programme), world.person_b)
    with django_assert_num_queries(8):
        staff_client.get(url)


def test_partners_never_reach_the_team_pages(world, partner_a_client):
    event = OpenEventFactory(programme=world.programme)
    registration_of(event, world.person_a)
    assert partner_a_client.get(event.get_absolute_url()).status_code == 404
    assert partner_a_client.get(reverse("prospects:event.registrations", args=[event.pk])).status_code == 404


def test_a_sequence_of_an_hour_and_a_half_counts_1_5_training_hours(world):
    event = OpenEventFactory(programme=world.programme)
    sequence = Sequence.objects.create(
        event=event, title="Table ronde", day=event.date, start_time=time(9), end_time=time(10, 30)
    )
    assert sequence.hours == 1.5
    assert sequence_of(event, 14, 3).hours == 3


# --- Portal, calendar, home, contact page -------------------------------------------------------------------


def test_an_invited_partner_sees_the_event_in_the_portal_and_registers(
    world, partner_a_client, partner_b_client
):
    event = OpenEventFactory(programme=world.programme, name="Rencontre de la promotion", capacity=5)
    registration_of(event, world.person_a, status="invited")
    page = partner_a_client.get(reverse("portal:events")).content.decode()
    assert "Rencontre de la promotion" in page and "Je m’inscris" in page
    assert "Note interne" not in page
    assert "Rencontre de la promotion" not in partner_b_client.get(reverse("portal:events")).content.decode()
    response = partner_a_client.post(reverse("portal:event.register", args=[event.pk]), follow=True)
    assert "Alice Alpha est inscrit·e." in response.content.decode()
    registration = Registration.objects.get(person=world.person_a)
    assert registration.status == "registered" and registration.registered_at is not None
    assert partner_b_client.post(reverse("portal:event.register", args=[event.pk])).status_code == 404


def test_events_are_in_the_team_calendar_feed(world, client):
    from icalendar import Calendar

    from projects.services import calendar_token_rotate

    event = OpenEventFactory(programme=world.programme, date=timezone.localdate() + timedelta(days=10))
    event.staff.add(world.staff)
    OpenEventFactory(programme=world.programme, name="Pas mon événement", date=timezone.localdate())
    calendar_token_rotate(user=world.staff)
    world.staff.refresh_from_db()
    response = client.get(reverse("projects:calendar.feed", args=[world.staff.calendar_token]))
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert f"Journée régionale\u202f: {event.name}" in summaries
    assert not any("Pas mon événement" in s for s in summaries)


def test_a_partners_calendar_feed_has_the_events_their_structure_is_invited_to(world, client):
    from icalendar import Calendar

    from projects.services import calendar_token_rotate

    soon = timezone.localdate() + timedelta(days=10)
    invited = OpenEventFactory(programme=world.programme, name="Rencontre des tiers-lieux", date=soon)
    registration_of(invited, world.person_a, status="invited")
    other = OpenEventFactory(programme=world.programme, name="Rencontre de B", date=soon)
    registration_of(other, world.person_b, status="invited")
    calendar_token_rotate(user=world.partner_a)
    world.partner_a.refresh_from_db()
    response = client.get(reverse("projects:calendar.feed", args=[world.partner_a.calendar_token]))
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert any("Rencontre des tiers-lieux" in s for s in summaries)
    assert not any("Rencontre de B" in s for s in summaries)


def test_the_home_panel_and_the_contact_page_load_the_events_pieces(world, staff_client):
    OpenEventFactory(
        programme=world.programme, name="Webinaire à venir", date=timezone.localdate() + timedelta(days=3)
    )
    home = staff_client.get(reverse("home")).content.decode()
    assert reverse("prospects:event.panel") in home
    panel = staff_client.get(reverse("prospects:event.panel")).content.decode()
    assert "Webinaire à venir" in panel
    contact = staff_client.get(world.person_a.get_absolute_url()).content.decode()
    assert reverse("prospects:event.person_trainings", args=[world.person_a.pk]) in contact


def test_the_prospect_lists_bulk_action_invites_their_contacts(world, staff_client):
    from tests.prospects.factories import prospect_in

    event = OpenEventFactory(programme=world.programme, date=timezone.localdate() + timedelta(days=20))
    with_contact = prospect_in(world)  # Structure A: Alice
    without = prospect_in(world, organisation=OrganisationFactory(name="Sans contact"))
    url = reverse("prospects:prospect.bulk")
    data = {"action": "invite", "ids": [with_contact.pk, without.pk], "event": event.pk}
    preview = staff_client.post(url, {**data, "step": "preview"}).content.decode()
    assert "Aucun contact enregistré pour cette structure." in preview
    staff_client.post(url, {**data, "step": "apply"})
    assert list(Registration.objects.values_list("person_id", "status")) == [(world.person_a.pk, "invited")]


def test_a_past_event_takes_no_more_public_registrations(world, client):
    event = public_event(world, date=timezone.localdate() - timedelta(days=1))
    response = client.post(reverse("events:register", args=[event.public_key]), _public_post())
    assert "Cet événement est passé : les inscriptions sont closes." in response.content.decode()
    assert not Registration.objects.exists()
