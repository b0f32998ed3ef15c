"""Factories and small builders for the evaluation app."""

from datetime import date

import factory

from evaluation import services
from evaluation.models import (
    Dimension,
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    Lesson,
    Measurement,
    ProjectIndicator,
)
from tests.factories import ProgrammeFactory, ProjectFactory


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicateur-{n}")
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    type = "count"
    aggregation = "sum"
    periodicity = "quarterly"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationQuestion

    project = factory.SubFactory(ProjectFactory)
    text = factory.Sequence(lambda n: f"Question évaluative {n} ?")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Critère {n}")


class ProjectIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectIndicator

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    baseline_value = 10
    baseline_date = date(2025, 1, 1)
    target_value = 50
    target_date = date(2027, 12, 31)


class MeasurementFactory(factory.django.DjangoModelFactory):
    """A raw row (no roll-up): use the services when figures matter."""

    class Meta:
        model = Measurement

    project_indicator = factory.SubFactory(ProjectIndicatorFactory)
    period_start = date(2026, 1, 1)
    period_end = date(2026, 3, 31)
    value = 5
    status = "submitted"


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Enseignement {n}")
    body = "Associer la collectivité dès l’Émergence."
    kind = "good_practice"


def record(actor, pi, start=date(2026, 1, 1), end=date(2026, 3, 31), **values):
    """A measurement recorded through the service (so the roll-up follows); the first quarter of 2026 unless
    said otherwise. Test data is deliberate: a value the service would ask to confirm (far beyond the
    others…) is confirmed — it is then flagged, and a flagged staff value waits for validation."""
    return services.measurement_record(
        actor=actor, project_indicator=pi, period_start=start, period_end=end, **{"confirmed": True, **values}
    )


def even_scores(score: int) -> dict[str, int]:
    """The same maturity score on every dimension."""
    return dict.fromkeys(Dimension.values, score)


def assess(actor, project, scores, *, moment="start", assessed_on=date(2026, 2, 1)):
    """A maturity assessment of the Émergence phase, saved through the service."""
    return services.maturity_assessment_save(
        actor=actor, project=project, phase="emergence", moment=moment, assessed_on=assessed_on, scores=scores
    )
