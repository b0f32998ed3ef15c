"""Builders for the action-research tests: a pilot territory of the world's programme, a small framework,
an observation coded through the service."""

from datetime import date

from django.core.files.base import ContentFile

from evaluation.research import services
from evaluation.research.models import Condition, FrameworkVersion, Observation, ObservationSource, Resource
from programme.models import Territory


def pilot_territory(world, name: str = "Vaulx-en-Velin") -> Territory:
    return Territory.objects.get_or_create(
        name=name, defaults={"kind": "pilot", "programme": world.programme}
    )[0]


def framework(world) -> tuple[FrameworkVersion, Condition, Condition, Condition]:
    """v1 with « Gouvernance partagée » (and its sub-condition « Place des habitants au COPIL ») and
    « Mobilisation des habitants »."""
    version = services.framework_version_create(actor=world.staff, programme=world.programme)
    governance = Condition.objects.create(version=version, name="Gouvernance partagée", position=1)
    seats = Condition.objects.create(
        version=version, name="Place des habitants au COPIL", parent=governance, position=2
    )
    mobilisation = Condition.objects.create(version=version, name="Mobilisation des habitants", position=3)
    return version, governance, seats, mobilisation


def observe(
    world, territory, version, *codings, on=date(2026, 3, 10), text="Réunion publique"
) -> Observation:
    return services.observation_create(
        actor=world.staff,
        territory=territory,
        project=None,
        observed_on=on,
        text=text,
        version=version,
        codings=[
            services.CodingInput(condition=c, status=status, justification=f"Parce que {c.name.lower()}")
            for c, status in codings
        ],
    )


def filed_observation(
    world, territory, version, condition, *, on: date, text: str, justification: str, label: str, pdf: bytes
) -> tuple[Observation, ObservationSource]:
    """An observation written straight in the tables, coding `condition` as present, with a PDF source."""
    observation = Observation.objects.create(
        territory=territory, observed_on=on, author=world.staff, text=text, version=version
    )
    observation.codings.create(condition=condition, status="present", justification=justification)
    source = ObservationSource(observation=observation, label=label, original_name="cr.pdf", extension=".pdf")
    source.content_type = "application/pdf"
    source.file.save("cr.pdf", ContentFile(pdf), save=True)
    return observation, source


def published_resource(world, territory, *, title: str, pdf: bytes) -> Resource:
    """A booklet for partners, published on `territory`, with its PDF."""
    resource = Resource(
        title=title,
        format="booklet",
        audience="partners",
        territory=territory,
        status="published",
        created_by=world.staff,
        original_name="livret.pdf",
        extension=".pdf",
        content_type="application/pdf",
    )
    resource.file.save("livret.pdf", ContentFile(pdf), save=True)
    return resource
