"""Demo data (idempotent, covering every state) and the roll-up repair task."""

from datetime import date
from decimal import Decimal as D

from evaluation import demo
from evaluation.management.commands.seed_demo import STEPS
from evaluation.models import Lesson, MaturityAssessment, Measurement, MeasurementRollup, ProjectIndicator
from evaluation.tasks import rebuild_rollups
from programme.demo import DemoContext
from tests.evaluation.factories import ProjectIndicatorFactory, record


def _counts():
    return (
        ProjectIndicator.objects.count(),
        Measurement.objects.count(),
        MeasurementRollup.objects.count(),
        MaturityAssessment.objects.count(),
        Lesson.objects.count(),
    )


def test_demo_is_complete_and_idempotent(db):
    ctx = DemoContext()
    for step in STEPS[: STEPS.index(demo.build)]:
        step(ctx)

    demo.build(ctx)
    first = _counts()
    demo.build(ctx)
    assert _counts() == first
    statuses = set(Measurement.objects.values_list("status", flat=True))
    assert {"validated", "submitted", "returned"} <= statuses
    assert Measurement.objects.filter(status="returned").count() == 1
    assert Measurement.objects.filter(locked=True).exists()
    assert MaturityAssessment.objects.filter(moment="start").exists()
    assert Lesson.objects.count() >= 5
    years = {d.year for d in Measurement.objects.values_list("period_end", flat=True)}
    assert len(years) >= 2  # two years of measurements
    assert ProjectIndicator.objects.filter(targets__isnull=False).exists()


def test_rebuild_rollups_repairs_a_damaged_rollup(world):
    pi = ProjectIndicatorFactory(project=world.project_a)
    record(world.staff, pi, value=D(5))
    record(world.staff, pi, date(2025, 1, 1), date(2025, 3, 31), value=D(3))
    expected = list(
        MeasurementRollup.objects.order_by("year").values_list("year", "count", "value_sum", "is_current")
    )
    MeasurementRollup.objects.filter(year=2026).update(value_sum=999, is_current=False)
    MeasurementRollup.objects.create(
        project_indicator=pi, project=pi.project, indicator=pi.indicator, year=2020, count=1
    )
    assert rebuild_rollups.delay([pi.pk]).get() == 1
    assert (
        list(
            MeasurementRollup.objects.order_by("year").values_list("year", "count", "value_sum", "is_current")
        )
        == expected
    )
