"""Writes of events and trainings: keyword-only, typed, atomic, audited (programme.audit)."""

import hashlib
import secrets
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from programme.audit import Edit, audit_log, delete_audited, save_audited
from programme.bulk_actions import BulkResult
from programme.files import check_upload
from programme.models import ConsentBasis, Person, User
from programme.selectors import account_language

from ..models import Prospect
from ..services import _bulk_rows, event_create_prospect, event_link_prospect
from .models import (
    SEATED,
    Event,
    EventAttachment,
    EventPartner,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Sequence,
    SequenceAttendance,
    SurveyAnswer,
    TrainingModule,
)

# --- Events, agenda, co-organisers ------------------------------------------------------------------------


def _check_dates(event: Event) -> None:
    """An end before the start is refused with the reason next to the field."""
    if event.end_date and event.end_date < event.date:
        raise ValidationError({"end_date": _("La date de fin ne peut pas précéder la date de début.")})
    if (
        event.start_time
        and event.end_time
        and (event.end_date is None or event.end_date == event.date)
        and event.end_time <= event.start_time
    ):
        raise ValidationError({"end_time": _("L’heure de fin doit suivre l’heure de début.")})


@transaction.atomic
def event_save(*, actor: User, edit: Edit[Event]) -> Event:
    """Create or change an event; making it public gives it its public page's address (kept after)."""
    _check_dates(edit.obj)
    if edit.obj.is_public:
        edit.obj.ensure_public_key()
    return save_audited(actor=actor, edit=edit)


@transaction.atomic
def sequence_save(*, actor: User, edit: Edit[Sequence], event: Event) -> Sequence:
    """A sequence of the agenda, on one of the event's days."""
    sequence = edit.obj
    if not event.date <= sequence.day <= event.last_day:
        raise ValidationError({"day": _("Ce jour n’est pas dans les dates de l’événement.")})
    if sequence.end_time <= sequence.start_time:
        raise ValidationError({"end_time": _("La séquence doit finir après son début.")})
    return save_audited(actor=actor, edit=edit, on_create={"event": event})


@transaction.atomic
def sequence_delete(*, actor: User, sequence: Sequence) -> None:
    delete_audited(
        actor=actor,
        obj=sequence,
        on=sequence.event,
        action="event.sequence_deleted",
        removed={"séquence": str(sequence)},
    )


@transaction.atomic
def event_partner_save(*, actor: User, edit: Edit[EventPartner], event: Event) -> EventPartner:
    return save_audited(actor=actor, edit=edit, on_create={"event": event})


@transaction.atomic
def event_partner_delete(*, actor: User, partner: EventPartner) -> None:
    delete_audited(
        actor=actor,
        obj=partner,
        on=partner.event,
        action="event.partner_removed",
        removed={"structure": str(partner)},
    )


@transaction.atomic
def training_module_save(*, actor: User, edit: Edit[TrainingModule]) -> TrainingModule:
    return save_audited(actor=actor, edit=edit)


# --- Invitations and registrations -----------------------------------------------------------------------


def _seats_taken(event: Event) -> int:
    return Registration.objects.filter(event=event, status__in=SEATED).count()


def _has_seat(event: Event) -> bool:
    return event.capacity is None or _seats_taken(event) < event.capacity


@dataclass(frozen=True)
class InviteResult:
    invited: int
    already: int
    #: the new invitations e-mailed (to the contacts with an address and a legal basis for being written to)
    mailed: int = 0


#: What an invitation does beyond the list of invited people (said before inviting from a list).
INVITATION_MAILED = _lazy(
    "Ceux qui ont une adresse e-mail et une base légale reçoivent l’invitation par e-mail."
)


@transaction.atomic
def registrations_invite(*, actor: User, event: Event, person_ids: Iterable[int]) -> InviteResult:
    """Invite contacts (anonymised ones left out); a person already invited or registered stays as they are.
    Each new invitation is e-mailed after commit to the contacts with an address and a legal basis for
    being written to (`invitation_send`)."""
    Event.objects.select_for_update().filter(pk=event.pk).first()
    ids = set(person_ids)
    existing = set(
        Registration.objects.filter(event=event, person_id__in=ids).values_list("person_id", flat=True)
    )
    people = list(
        Person.objects.filter(pk__in=ids - existing, anonymised_at__isnull=True).values_list("pk", flat=True)
    )
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(event=event, person_id=pk, status=RegistrationStatus.INVITED, invited_at=now)
            for pk in people
        ]
    )
    if people:
        audit_log(actor=actor, obj=event, action="event.invited", changes={"invités": [None, len(people)]})
        from . import tasks

        to_mail = list(
            Registration.objects.filter(event=event, person_id__in=people, status=RegistrationStatus.INVITED)
            .exclude(person__email="")
            .exclude(person__consent_basis="")
            .values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: [tasks.send_invitation.delay(pk) for pk in to_mail])
        return InviteResult(invited=len(people), already=len(existing), mailed=len(to_mail))
    return InviteResult(invited=len(people), already=len(existing))


@dataclass(frozen=True)
class RegisterResult:
    registration: Registration
    registered: bool  # registered by this call (False: already registered — recognised, not duplicated)
    waiting: bool  # over capacity: on the waiting list


@transaction.atomic
def registration_register(
    *,
    actor: User | None,
    event: Event,
    person: Person,
    source: str = RegistrationSource.TEAM,
    structure_name: str = "",
) -> RegisterResult:
    """Register a person: a seat when there is one, else the waiting list. An invitation becomes a
    registration; a person already registered (or waiting, or present) is recognised and left as is."""
    Event.objects.select_for_update().filter(pk=event.pk).first()  # one seat count at a time per event
    registration = Registration.objects.filter(event=event, person=person).first()
    if registration is not None and registration.status not in (
        RegistrationStatus.INVITED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.EXCUSED,
    ):
        return RegisterResult(
            registration, registered=False, waiting=registration.status == RegistrationStatus.WAITING
        )
    if registration is None:
        registration = Registration(event=event, person=person, source=source)
    status = RegistrationStatus.REGISTERED if _has_seat(event) else RegistrationStatus.WAITING
    registration.status = status
    registration.registered_at = timezone.now()
    registration.mailed_status = ""  # a new registration: its confirmation e-mail is owed
    if structure_name:
        registration.structure_name = structure_name
    registration.save()
    audit_log(
        actor=actor,
        obj=event,
        action="event.registered" if status == RegistrationStatus.REGISTERED else "event.waiting_listed",
        changes={"contact": [None, str(person)]},
    )
    _queue_mail(registration.pk)
    return RegisterResult(registration, registered=True, waiting=status == RegistrationStatus.WAITING)


#: The moves the check-in page and the registrations table offer.
STATUS_MOVES = {
    RegistrationStatus.INVITED: (RegistrationStatus.REGISTERED, RegistrationStatus.EXCUSED),
    RegistrationStatus.REGISTERED: (
        RegistrationStatus.PRESENT,
        RegistrationStatus.EXCUSED,
        RegistrationStatus.ABSENT,
    ),
    RegistrationStatus.WAITING: (RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED),
    RegistrationStatus.PRESENT: (RegistrationStatus.REGISTERED, RegistrationStatus.ABSENT),
    RegistrationStatus.EXCUSED: (RegistrationStatus.REGISTERED,),
    RegistrationStatus.ABSENT: (RegistrationStatus.PRESENT,),
    RegistrationStatus.CANCELLED: (RegistrationStatus.REGISTERED,),
}


@transaction.atomic
def registration_set_status(*, actor: User, registration: Registration, status: str) -> Registration:
    """Move a registration (checked in, excused, absent…). Registering goes through the capacity;
    a seat freed before the event goes to the first person of the waiting list."""
    registration = (
        Registration.objects.select_for_update().select_related("event", "person").get(pk=registration.pk)
    )
    event = registration.event
    before = registration.status
    if status == before:
        return registration
    if status not in STATUS_MOVES.get(RegistrationStatus(before), ()):
        raise ValidationError(
            _("Impossible de passer de « %(from)s » à « %(to)s ».")
            % {"from": RegistrationStatus(before).label, "to": RegistrationStatus(status).label}
        )
    if status == RegistrationStatus.REGISTERED and before not in SEATED and not _has_seat(event):
        status = RegistrationStatus.WAITING
    registration.status = status
    if (
        status != before
        and status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)
        and before not in SEATED
    ):
        if before != RegistrationStatus.WAITING:  # registered (again): its confirmation is owed
            registration.mailed_status = ""
        _queue_mail(registration.pk, promoted=before == RegistrationStatus.WAITING)
    if status == RegistrationStatus.PRESENT:
        registration.checked_in_at = timezone.now()
    if status == RegistrationStatus.REGISTERED and registration.registered_at is None:
        registration.registered_at = timezone.now()
    registration.save()
    audit_log(
        actor=actor,
        obj=event,
        action="event.registration_status",
        changes={
            str(registration.person): [
                str(RegistrationStatus(before).label),
                str(RegistrationStatus(status).label),
            ]
        },
    )
    if before in SEATED and status not in SEATED and event.date >= timezone.localdate():
        _promote_waiting(actor=actor, event=event)
    return registration


def _promote_waiting(*, actor: User | None, event: Event) -> None:
    first = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITING)
        .order_by("registered_at", "pk")
        .first()
    )
    if first is not None and _has_seat(event):
        first.status = RegistrationStatus.REGISTERED
        first.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor, obj=event, action="event.promoted", changes={"contact": [None, str(first.person)]}
        )
        _queue_mail(first.pk, promoted=True)


def _queue_mail(registration_id: int, *, promoted: bool = False) -> None:
    """After commit, the e-mail of a registration's new state (registered or waiting; `promoted`: the place
    a person of the waiting list was given). The task claims the state first: never sent twice."""
    from . import tasks

    task = tasks.send_registration_promoted if promoted else tasks.send_registration_confirmation
    transaction.on_commit(lambda: task.delay(registration_id))


@dataclass(frozen=True)
class PublicRegistration:
    first_name: str
    last_name: str
    email: str
    structure: str
    consent: bool


@transaction.atomic
def public_register(*, event: Event, data: PublicRegistration) -> RegisterResult:
    """A registration from the public page: the contact with this e-mail address (the oldest not
    anonymised) or a new contact carrying the consent given on the page; the confirmation e-mail leaves
    after commit."""
    if not event.is_public:
        raise ValidationError(_("Les inscriptions en ligne sont fermées pour cet événement."))
    if event.last_day < timezone.localdate():
        raise ValidationError(_("Cet événement est passé : les inscriptions sont closes."))
    if not data.consent:
        raise ValidationError({"consent": _("Votre accord est nécessaire pour vous inscrire.")})
    email = data.email.strip().lower()
    person = Person.objects.filter(email__iexact=email, anonymised_at__isnull=True).order_by("pk").first()
    today = timezone.localdate()
    if person is None:
        person = Person.objects.create(
            first_name=data.first_name.strip(),
            last_name=data.last_name.strip(),
            email=email,
            consent_date=today,
            consent_basis=ConsentBasis.CONSENT,
            consent_source=_("Inscription à « %(event)s »") % {"event": event.name},
        )
        audit_log(
            actor=None, obj=person, action="person.created", changes={"source": [None, person.consent_source]}
        )
    elif person.consent_date is None:
        person.consent_date = today
        person.consent_basis = ConsentBasis.CONSENT
        person.consent_source = _("Inscription à « %(event)s »") % {"event": event.name}
        person.save(update_fields=["consent_date", "consent_basis", "consent_source", "updated_at"])
    result = registration_register(
        actor=None,
        event=event,
        person=person,
        source=RegistrationSource.PUBLIC,
        structure_name=data.structure.strip(),
    )
    return result  # registration_register queued the confirmation e-mail


def _mail_state(
    *,
    registration_id: int,
    template: str,
    states: tuple[str, ...],
    extra: "Callable[[Registration], dict[str, Any]] | None" = None,
    needs_basis: bool = False,
) -> bool:
    """Claim the registration's current state (one of `states`) for its e-mail with one conditional UPDATE,
    then send: a state already announced, or a redelivered task, sends nothing. An SMTP or network error
    gives the claim back (the task's retry sends it). `extra`: more of the e-mail's context; `needs_basis`: only
    to a contact with a legal basis for being written to (what the person did not ask for)."""
    from programme.emails import send_template_mail

    registration = Registration.objects.select_related("event", "person").filter(pk=registration_id).first()
    if registration is None or registration.status not in states or not registration.person.email:
        return False
    if needs_basis and not registration.person.consent_basis:
        return False
    state = registration.status
    claimed = (
        Registration.objects.filter(pk=registration.pk, status=state)
        .exclude(mailed_status=state)
        .update(mailed_status=state)
    )
    if not claimed:
        return False
    try:
        send_template_mail(
            template=template,
            to=[registration.person.email],
            language=account_language(registration.person_id),  # else French
            context={
                "registration": registration,
                "event": registration.event,
                "person": registration.person,
                **(extra(registration) if extra else {}),
            },
        )
    except (smtplib.SMTPException, OSError):
        Registration.objects.filter(pk=registration.pk, mailed_status=state).update(mailed_status="")
        raise
    return True


def registration_confirmation_send(*, registration_id: int) -> bool:
    """The confirmation e-mail of a registration, on a seat or on the waiting list (called by the task)."""
    return _mail_state(
        registration_id=registration_id,
        template="emails/event_registration",
        states=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITING),
    )


def _invitation_context(registration: Registration) -> dict[str, Any]:
    """How an invited contact registers: the public page's address when the event has one, else their
    Parcours account's events (they have one), else by writing to the event's team (named, with addresses)."""
    event = registration.event
    register_url = ""
    if event.is_public and event.public_key:
        register_url = settings.SITE_URL + reverse("events:register", args=[event.public_key])
    return {
        "register_url": register_url,
        "has_account": User.objects.filter(person_id=registration.person_id, is_active=True).exists(),
        "team": [
            {"name": user.get_full_name() or user.email, "email": user.email}
            for user in event.staff.filter(is_active=True).order_by("first_name", "last_name")
        ],
    }


def invitation_send(*, registration_id: int) -> bool:
    """The invitation e-mail of a contact invited to an event (called by the task), to a contact with an
    address and a legal basis for being written to; claimed like the other states: sent once."""
    return _mail_state(
        registration_id=registration_id,
        template="emails/event_invitation",
        states=(RegistrationStatus.INVITED,),
        extra=_invitation_context,
        needs_basis=True,
    )


def registration_promoted_send(*, registration_id: int) -> bool:
    """The e-mail of a person of the waiting list whose place is now confirmed (called by the task)."""
    return _mail_state(
        registration_id=registration_id,
        template="emails/event_promoted",
        states=(RegistrationStatus.REGISTERED,),
    )


# --- On the day ---------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_set(*, actor: User, event: Event, sequence_ids_by_registration: dict[int, set[int]]) -> int:
    """The sequences each participant attended (trainings: the hours). Being at a sequence is being present."""
    sequences = set(Sequence.objects.filter(event=event).values_list("pk", flat=True))
    registrations = Registration.objects.filter(event=event, pk__in=sequence_ids_by_registration.keys())
    changed = 0
    for registration in registrations.select_for_update():
        wanted = sequence_ids_by_registration[registration.pk] & sequences
        have = set(registration.attendances.values_list("sequence_id", flat=True))
        SequenceAttendance.objects.filter(registration=registration, sequence_id__in=have - wanted).delete()
        SequenceAttendance.objects.bulk_create(
            [SequenceAttendance(registration=registration, sequence_id=pk) for pk in wanted - have]
        )
        if wanted and registration.status != RegistrationStatus.PRESENT:
            registration.status = RegistrationStatus.PRESENT
            registration.checked_in_at = registration.checked_in_at or timezone.now()
            registration.save(update_fields=["status", "checked_in_at", "updated_at"])
        changed += len(wanted ^ have)
    audit_log(actor=actor, obj=event, action="event.attendance", changes={"présences": [None, changed]})
    return changed


# --- Afterwards -----------------------------------------------------------------------------------------------


def hash_survey_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def surveys_send(*, actor: User, event: Event) -> int:
    """Send the satisfaction questionnaire to every participant present (with an address) who has not had
    it: each is marked as owed it (`survey_sent_at`) and one task per registration is queued after commit.
    Only ids travel through the broker: the worker issues the personal link itself (`survey_mail_send`).
    Returns how many leave."""
    from . import tasks

    pending = list(
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.PRESENT, survey_sent_at__isnull=True)
        .exclude(person__email="")
        .values_list("pk", flat=True)
    )
    if pending:
        Registration.objects.filter(pk__in=pending).update(survey_sent_at=timezone.now())
        audit_log(
            actor=actor,
            obj=event,
            action="event.survey_sent",
            changes={"questionnaires": [None, len(pending)]},
        )
        transaction.on_commit(lambda: [tasks.send_survey.delay(pk) for pk in pending])
    return len(pending)


def survey_mail_send(*, registration_id: int) -> bool:
    """One participant's questionnaire e-mail (called by the task, with the registration's id only). The
    worker issues the personal link here: a new token whose hash claims the registration with one
    conditional UPDATE, only while the participant is still present and has no link (one marked absent,
    excused or cancelled in between gets nothing; a redelivered task sends nothing), then the e-mail carries the clear token, which is kept nowhere. An SMTP or network
    error gives the claim back, so the task's retry sends it with a fresh link."""
    from django.urls import reverse

    from programme.emails import send_template_mail

    registration = Registration.objects.select_related("event", "person").filter(pk=registration_id).first()
    if registration is None or registration.survey_sent_at is None or not registration.person.email:
        return False
    token = secrets.token_urlsafe(24)
    token_hash = hash_survey_token(token)
    owed = Registration.objects.filter(pk=registration.pk, survey_sent_at__isnull=False, survey_token_hash="")
    # Eligibility is checked again by the claim itself: a participant marked absent or excused, or whose
    # registration was cancelled, after « Envoyer » and before the worker ran gets nothing.
    claimed = owed.filter(status=RegistrationStatus.PRESENT).update(survey_token_hash=token_hash)
    if not claimed:
        # No longer present: no longer owed it (marked present again, the next « Envoyer » sends it).
        owed.exclude(status=RegistrationStatus.PRESENT).update(survey_sent_at=None)
        return False
    try:
        send_template_mail(
            template="emails/event_survey",
            to=[registration.person.email],
            language=account_language(registration.person_id),  # else French
            context={
                "registration": registration,
                "event": registration.event,
                "person": registration.person,
                "path": reverse("events:survey", args=[token]),
            },
        )
    except (smtplib.SMTPException, OSError):
        Registration.objects.filter(pk=registration.pk, survey_token_hash=token_hash).update(
            survey_token_hash=""
        )
        raise
    return True


@dataclass(frozen=True)
class SurveyScores:
    overall: int
    content: int
    organisation: int
    usefulness: int
    comment: str = ""


@transaction.atomic
def survey_answer(*, registration: Registration, scores: SurveyScores) -> tuple[SurveyAnswer, bool]:
    """Record the questionnaire's answer; answering again through the same link updates it (the page
    says so). Returns the answer and whether it was an update."""
    for name in ("overall", "content", "organisation", "usefulness"):
        if not 1 <= getattr(scores, name) <= 5:
            raise ValidationError({name: _("Choisissez une note de 1 à 5.")})
    answer = SurveyAnswer.objects.select_for_update().filter(registration=registration).first()
    updated = answer is not None
    if answer is None:
        answer = SurveyAnswer(registration=registration)
    answer.overall = scores.overall
    answer.content = scores.content
    answer.organisation = scores.organisation
    answer.usefulness = scores.usefulness
    answer.comment = scores.comment
    answer.save()
    audit_log(actor=None, obj=registration.event, action="event.survey_answered", changes={})
    return answer, updated


@transaction.atomic
def attachment_add(*, actor: User, event: Event, upload: object) -> EventAttachment:
    sniffed, _sha256 = check_upload(upload)  # type: ignore[arg-type]
    extension = sniffed.extension
    attachment = EventAttachment(
        event=event,
        original_name=str(getattr(upload, "name", "fichier"))[:255],
        extension=extension,
        content_type=sniffed.content_type,
        size=int(getattr(upload, "size", 0)),
        uploaded_by=actor,
    )
    attachment.file.save(f"x{extension}", upload, save=False)  # type: ignore[arg-type]
    attachment.save()
    audit_log(
        actor=actor,
        obj=event,
        action="event.attachment_added",
        changes={"fichier": [None, attachment.original_name]},
    )
    return attachment


@transaction.atomic
def prospects_from_attendees(*, actor: User, event: Event) -> int:
    """The structures met (present participants' structures, or the structure they typed) become prospects
    of the programme with source « événement », deduplicated by the prospects services as always; returns
    how many were linked to the event for the first time."""
    linked = 0
    seen: set[str] = set()
    for registration in Registration.objects.filter(
        event=event, status=RegistrationStatus.PRESENT
    ).select_related("person__organisation"):
        organisation = registration.person.organisation
        if organisation is not None:
            key = f"org:{organisation.pk}"
            if key in seen:
                continue
            seen.add(key)
            prospect = Prospect.objects.filter(programme=event.programme, organisation=organisation).first()
            if prospect is None:
                event_create_prospect(
                    actor=actor,
                    event=event,
                    name=organisation.name,
                    kind=organisation.kind,
                    town=organisation.town,
                    siren=organisation.siren or "",
                )
                linked += 1
            elif event_link_prospect(actor=actor, event=event, prospect=prospect):
                linked += 1
        elif registration.structure_name:
            key = f"name:{registration.structure_name.casefold()}"
            if key in seen:
                continue
            seen.add(key)
            before = event.prospects.count()
            event_create_prospect(
                actor=actor, event=event, name=registration.structure_name, kind="association"
            )
            linked += event.prospects.count() - before
    return linked


def invite_refusal(*, contacts: int) -> str | None:
    """Why a prospect of the list brings nobody to invite (its structure has no contact), or None."""
    return None if contacts else _("Aucun contact enregistré pour cette structure.")


@transaction.atomic
def prospects_bulk_invite(
    *, actor: User, prospect_ids: Iterable[int], event: Event, confirmed: bool = False
) -> BulkResult[Prospect]:
    """The prospect list's « Inviter à un événement »: every contact of each prospect's structure is
    invited (a person already invited or registered stays as they are)."""
    rows = _bulk_rows(actor=actor, prospect_ids=prospect_ids, confirmed=confirmed)
    people = Person.objects.filter(
        organisation_id__in=[p.organisation_id for p in rows], anonymised_at__isnull=True
    ).values_list("pk", "organisation_id")
    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id in people:
        by_organisation.setdefault(organisation_id, []).append(pk)
    result: BulkResult[Prospect] = BulkResult([], [])
    ids: list[int] = []
    for prospect in rows:
        contacts = by_organisation.get(prospect.organisation_id, [])
        if refusal := invite_refusal(contacts=len(contacts)):
            result.refused.append((prospect, refusal))
        else:
            result.applied.append(prospect)
            ids.extend(contacts)
    registrations_invite(actor=actor, event=event, person_ids=ids)
    return result
