"""Builders for the action-research tests: a pilot territory of the world's programme, a small framework,
an observation coded through the service."""

from datetime import date

from evaluation.research import services
from evaluation.research.models import Condition, FrameworkVersion, Observation
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
