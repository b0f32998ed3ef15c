"""Evaluation models, one module per concern. Import every model here so Django finds it."""

from .indicators import (
    Aggregation,
    Direction,
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorSummary,
    IndicatorTarget,
    IndicatorType,
    Measurement,
    MeasurementRollup,
    MeasurementStatus,
    Periodicity,
    ProjectIndicator,
    Reporter,
    Scope,
    TargetKind,
)
from .lessons import Lesson, LessonKind
from .maturity import DESCRIPTORS, Dimension, MaturityAssessment, MaturityScore, Moment
from .reports import Report, ReportKind, ReportStatus

__all__ = [
    "DESCRIPTORS",
    "Aggregation",
    "TargetKind",
    "Dimension",
    "Direction",
    "EvaluationCriterion",
    "EvaluationQuestion",
    "Indicator",
    "IndicatorSummary",
    "IndicatorTarget",
    "IndicatorType",
    "Lesson",
    "LessonKind",
    "MaturityAssessment",
    "MaturityScore",
    "Measurement",
    "MeasurementRollup",
    "MeasurementStatus",
    "Moment",
    "Periodicity",
    "ProjectIndicator",
    "Report",
    "ReportKind",
    "ReportStatus",
    "Reporter",
    "Scope",
]
