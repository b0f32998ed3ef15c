"""A target (or a baseline) is checked against the indicator's kind (issue #13: a −10 target on a count)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluation import services
from evaluation.models import IndicatorTarget
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "value", "refused"),
    [
        ("count", "-10", True),
        ("count", "0", False),
        ("amount", "-1", True),
        ("percentage", "101", True),
        ("percentage", "100", False),
        ("boolean", "2", True),
        ("boolean", "1", False),
    ],
)
def test_target_refusal_follows_the_indicator_kind(kind, value, refused):
    indicator = IndicatorFactory.build(type=kind)
    assert bool(services.target_refusal(indicator, Decimal(value))) is refused


def test_a_scale_target_stays_within_its_bounds():
    indicator = IndicatorFactory.build(type="scale", scale_min=1, scale_max=5)
    assert services.target_refusal(indicator, Decimal(6)) == "La note doit être comprise entre 1 et 5."
    assert services.target_refusal(indicator, Decimal(5)) is None


def test_the_service_refuses_a_negative_intermediate_target_on_a_count(world):
    pi = ProjectIndicatorFactory(project=world.project_a, indicator=IndicatorFactory(type="count"))
    with pytest.raises(ValidationError) as refused:
        services.indicator_target_set(
            actor=world.staff, project_indicator=pi, period_end=pi.target_date, value=Decimal(-10)
        )
    assert "positive ou nulle" in str(refused.value)
    assert not IndicatorTarget.objects.exists()
