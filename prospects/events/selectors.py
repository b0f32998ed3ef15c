"""Reads of events and trainings, taking the acting user and scoping through programme.access."""

from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.audit import history
from programme.models import Person, Territory, User

from ..models import Stage
from .models import (
    SEATED,
    SURVEY_QUESTIONS,
    Event,
    EventAttachment,
    EventPartner,
    Registration,
    RegistrationStatus,
    Sequence,
    SurveyAnswer,
    TrainingModule,
)
from .services import STATUS_MOVES, hash_survey_token


def event_list(user: User) -> QuerySet[Event]:
    """The events list: one query for the rows (counts as subqueries-free annotations)."""
    return (
        access.scoped(user, Event)
        .select_related("programme", "territory")
        .annotate(
            prospect_count=Count("prospects", distinct=True),
            registered_count=Count(
                "registrations",
                filter=Q(registrations__status__in=("registered", "present")),
                distinct=True,
            ),
        )
        .order_by("-date", "name")
    )


def event_detail(user: User, pk: int) -> Event:
    return get_object_or_404(
        access.scoped(user, Event).select_related("programme", "territory", "cohort", "module"), pk=pk
    )


def registration_for_event(user: User, event: Event, pk: int) -> Registration:
    """A registration of the event, the event itself being read through the user's scope already."""
    return get_object_or_404(
        access.scoped(user, Registration).filter(event=event).select_related("person__organisation", "event"),
        pk=pk,
    )


def registrations(event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def status_counts(event: Event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def survey_results(event: Event) -> dict[str, Any]:
    """The questionnaire's answers of one event: how many, the mean per question, the comments. The
    satisfaction rate itself is the figure `event_satisfaction_rate` (evaluation), shown from there."""
    answers = list(SurveyAnswer.objects.filter(registration__event=event).order_by("-answered_at"))
    questions = []
    for name, label in SURVEY_QUESTIONS:
        values = [getattr(a, name) for a in answers]
        questions.append(
            {"name": name, "label": label, "mean": sum(values) / len(values) if values else None}
        )
    return {
        "count": len(answers),
        "questions": questions,
        "comments": [a.comment for a in answers if a.comment],
    }


def event_page(event: Event) -> dict[str, Any]:
    """What the event page shows besides its forms."""
    return {
        "event": event,
        "staff": event.staff.all(),
        "themes": event.themes.all(),
        "partners": EventPartner.objects.filter(event=event).select_related("organisation"),
        "sequences": Sequence.objects.filter(event=event),
        "met": event.prospects.select_related("organisation", "owner").order_by("organisation__name"),
        "stages": Stage.choices,
        "counts": status_counts(event),
        "attachments": EventAttachment.objects.filter(event=event),
        "survey": survey_results(event),
        "audit_entries": history(event, limit=20),
    }


def moves_for(status: str) -> tuple[str, ...]:
    return tuple(STATUS_MOVES.get(RegistrationStatus(status), ()))


def public_event(key: str) -> Event:
    """The event behind a public page's address, while it is public; 404 otherwise."""
    return get_object_or_404(Event.objects.filter(is_public=True).exclude(public_key=""), public_key=key)


def registration_by_survey_token(token: str) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event", "person").exclude(survey_token_hash=""),
        survey_token_hash=hash_survey_token(token),
    )


def module_list(user: User) -> QuerySet[TrainingModule]:
    return (
        access.scoped(user, TrainingModule)
        .select_related("programme")
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("-is_active", "title")
    )


def module_detail(user: User, pk: int) -> TrainingModule:
    return get_object_or_404(access.scoped(user, TrainingModule).select_related("programme"), pk=pk)


def training_history(user: User, person: Person) -> list[dict[str, Any]]:
    """A person's trainings: each session they were registered to, their status and hours attended."""
    rows = (
        access.scoped(user, Registration)
        .filter(person=person, event__kind="training")
        .select_related("event__module")
        .prefetch_related(Prefetch("attendances__sequence"))
        .order_by("-event__date")
    )
    return [
        {
            "registration": r,
            "event": r.event,
            "hours": sum((a.sequence.hours for a in r.attendances.all()), start=0),
        }
        for r in rows
    ]


def partner_events(user: User) -> list[dict[str, Any]]:
    """The events a partner's structure is invited to, with the partner's own registration when any."""
    events = list(access.scoped(user, Event).select_related("programme").order_by("date"))
    mine: dict[int, Registration] = {}
    if user.person_id is not None:
        own = access.scoped(user, Registration).filter(
            event__in=[e.pk for e in events], person_id=user.person_id
        )
        mine = {r.event_id: r for r in own}
    return [{"event": e, "registration": mine.get(e.pk)} for e in events]


def to_come(today: date | None = None) -> Q:
    """The events still to come: starting today or later, or going on (ending today or later)."""
    today = today or timezone.localdate()
    return Q(date__gte=today) | Q(end_date__gte=today)


def upcoming_events(user: User, *, limit: int = 5) -> QuerySet[Event]:
    return event_list(user).filter(to_come()).order_by("date", "start_time", "name")[:limit]


def invitee_ids(*, cohort_id: int | None, territory_id: int | None, emails: list[str]) -> list[int]:
    """The contacts to invite. A cohort's collectives are read through the ORM's reverse relations of the
    core's models (`Organisation.memberships` is declared by projects): the query names no model of a higher
    app, as programme.access does for a partner's projects."""
    people = Person.objects.filter(anonymised_at__isnull=True)
    ids: set[int] = set()
    if cohort_id:
        ids |= set(
            people.filter(
                organisation__memberships__project__cohort_id=cohort_id,
                organisation__memberships__left_on__isnull=True,
            ).values_list("pk", flat=True)
        )
    if territory_id:
        ids |= set(
            people.filter(organisation__prospects__territory_id=territory_id).values_list("pk", flat=True)
        )
    if emails:
        ids |= set(people.filter(email__in=emails).values_list("pk", flat=True))
    return sorted(ids)


def territory_events(user: User, territory: Territory) -> dict[str, Any]:
    """The events held on a territory (the territory page's section), upcoming first then past, each with
    its counts of seats taken and of participants present: one query whatever the number of events."""
    events = list(
        access.scoped(user, Event)
        .filter(territory=territory)
        .annotate(
            registered_count=Count("registrations", filter=Q(registrations__status__in=SEATED)),
            present_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.PRESENT)),
        )
        .order_by("-date", "name")
    )
    today = timezone.localdate()
    upcoming = [event for event in events if event.last_day >= today]
    upcoming.reverse()  # the nearest first
    past = [event for event in events if event.last_day < today]
    return {
        "groups": [
            {"label": _("À venir"), "events": upcoming},
            {"label": _("Passés"), "events": past},
        ],
        "event_count": len(events),
    }
