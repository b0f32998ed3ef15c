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


class PhasePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhasePeriod

    project = factory.SubFactory(ProjectFactory)
    phase = "emergence"
    planned_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    planned_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=270))
    actual_start = factory.SelfAttribute("planned_start")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    step = "needs"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    place = "Maison de l'ESS"


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    project = factory.SubFactory(ProjectFactory)
    kind = "copil"
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Jalon {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Livrable {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Document {n}")


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Acteur {n}")


__all__ = ["date"]
