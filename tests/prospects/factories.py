"""factory_boy factories and small builders for the prospects tests."""

from datetime import date, datetime, time

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from prospects import services
from prospects.importing import auto_mapping, read_table
from prospects.models import Event, Exchange, ImportFile, Prospect, Stage
from tests.factories import OrganisationFactory, ProgrammeFactory

VALID_SIRENS = ["732829320", "552100554", "542065479", "775670417", "383474814", "443061841"]
VALID_SIREN_TOWN = ("552100554", "Paris")


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    stage = Stage.IDENTIFIED
    discard_reason = factory.LazyAttribute(lambda o: "Motif" if o.stage == Stage.DISCARDED else "")


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    prospect = factory.SubFactory(ProspectFactory)
    organisation = factory.LazyAttribute(lambda o: o.prospect.organisation)
    kind = "call"
    date = date(2026, 3, 1)
    summary = factory.Sequence(lambda n: f"Échange {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Salon {n}")
    kind = "fair"
    date = date(2026, 4, 2)
    place = "Lyon"


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def prospect_in(world, *, stage: str = Stage.IDENTIFIED, organisation=None, **extra) -> Prospect:
    return ProspectFactory(
        programme=world.programme, organisation=organisation or world.org_a, stage=stage, **extra
    )


def interview_for(world, *, prospect=None, interviewers=None):
    prospect = prospect or prospect_in(world, stage=Stage.INTERESTED)
    return services.interview_schedule(
        actor=world.staff,
        prospect=prospect,
        scheduled_at=aware(date(2026, 5, 4)),
        interviewers=interviewers or [world.staff, world.director],
        place="Lyon",
    )


def score_all(interview, user, value: int) -> None:
    criteria = interview.grid.criteria.all()
    services.interview_score(actor=user, interview=interview, values={c.pk: (value, "") for c in criteria})


def candidate_in(world, *, organisation=None, score: int = 2, cohort=None):
    """A prospect taken through a completed interview to the candidate stage."""
    prospect = prospect_in(
        world, stage=Stage.INTERESTED, organisation=organisation or OrganisationFactory(), cohort=cohort
    )
    interview = interview_for(world, prospect=prospect, interviewers=[world.staff])
    score_all(interview, world.staff, score)
    services.interview_complete(
        actor=world.staff, interview=interview, recommendation="propose", rationale="Bien."
    )
    return services.prospect_move(actor=world.staff, prospect=prospect, to_stage=Stage.CANDIDATE)


CSV_HEADER = "Nom;Commune;SIREN;Forme;E-mail;Prénom;Nom du contact\n"


def pending_import(world, *, user=None, content: bytes | None = None) -> ImportFile:
    content = content or (CSV_HEADER + "Nouvelle Asso;Lyon;;association;a@b.fr;Ana;Bel\n").encode()
    headers, _body = read_table(content)
    path = default_storage.save("imports/prospects/test", ContentFile(content))
    return ImportFile.objects.create(
        token=f"tok{ImportFile.objects.count()}x",
        programme=world.programme,
        uploaded_by=user or world.staff,
        file_name="veille.csv",
        path=path,
        size=len(content),
        sha256="0" * 64,
        mapping=auto_mapping(headers),
    )
