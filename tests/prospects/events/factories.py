"""Builders for the events tests (#20)."""

from datetime import date, time, timedelta

import factory
from django.utils import timezone

from prospects.events.models import (
    Event,
    EventKind,
    Registration,
    RegistrationStatus,
    Sequence,
    TrainingModule,
)
from tests.factories import PersonFactory, ProgrammeFactory


class OpenEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Journée régionale {n}")
    kind = EventKind.REGIONAL_DAY
    date = date(2026, 6, 12)
    start_time = time(9)
    end_time = time(17)
    place = "Hôtel de Région, Lyon"
    description = "Une journée pour les transitions."
    notes = "Note interne de l’équipe"


def public_event(world, **extra) -> Event:
    """An event open to public registration, in a month unless said otherwise."""
    extra.setdefault("date", timezone.localdate() + timedelta(days=30))
    event = OpenEventFactory(programme=world.programme, is_public=True, **extra)
    event.ensure_public_key()
    event.save()
    return event


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Stratégies territoriales {n}")
    objectives = "Construire une stratégie de transition."
    audience = "Élus et techniciens"


def sequence_of(event: Event, hour: int = 9, length: int = 2, **extra) -> Sequence:
    return Sequence.objects.create(
        event=event,
        title=extra.pop("title", f"Séquence de {hour} h"),
        day=extra.pop("day", event.date),
        start_time=time(hour),
        end_time=time(hour + length),
        **extra,
    )


def registration_of(event: Event, person=None, status: str = RegistrationStatus.REGISTERED) -> Registration:
    return Registration.objects.create(event=event, person=person or PersonFactory(), status=status)
