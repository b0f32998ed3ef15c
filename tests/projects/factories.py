"""Factories for project steering records."""

from datetime import date, timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.models import (
    Action,
    Committee,
    Deliverable,
    Document,
    Milestone,
    PhasePeriod,
    Stakeholder,
    Workshop,
)
from tests.factories import ProjectFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_file(name: str = "rapport.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def in_days(days: int) -> factory.LazyFunction:
    """A date `days` from today, computed when the record is built."""
    return factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=days))


class ProjectRecordFactory(factory.django.DjangoModelFactory):
    """The part every project record shares: the project it belongs to."""

    class Meta:
        abstract = True

    project = factory.SubFactory(ProjectFactory)


class PhasePeriodFactory(ProjectRecordFactory):
    class Meta:
        model = PhasePeriod

    phase = "emergence"
    planned_start = in_days(-30)
    planned_end = in_days(270)
    actual_start = factory.SelfAttribute("planned_start")


class WorkshopFactory(ProjectRecordFactory):
    class Meta:
        model = Workshop

    title = factory.Sequence(lambda n: f"Atelier {n}")
    step = "needs"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    place = "Maison de l’ESS"


class CommitteeFactory(ProjectRecordFactory):
    class Meta:
        model = Committee

    kind = "copil"
    date = in_days(10)


class MilestoneFactory(ProjectRecordFactory):
    class Meta:
        model = Milestone

    title = factory.Sequence(lambda n: f"Jalon {n}")
    due_date = in_days(14)


class DeliverableFactory(ProjectRecordFactory):
    class Meta:
        model = Deliverable

    title = factory.Sequence(lambda n: f"Livrable {n}")
    due_date = in_days(7)


class ActionFactory(ProjectRecordFactory):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = in_days(1)


class DocumentFactory(ProjectRecordFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Document {n}")


class StakeholderFactory(ProjectRecordFactory):
    class Meta:
        model = Stakeholder

    name = factory.Sequence(lambda n: f"Acteur {n}")


__all__ = ["date"]
