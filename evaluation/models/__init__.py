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
from .maturity import (
    ASSESSED_PHASES,
    DESCRIPTORS,
    Dimension,
    MaturityAssessment,
    MaturityMoment,
    MaturityScore,
    Moment,
    MomentState,
    assessed_on_refusal,
    maturity_moments,
)
from .reports import WRITTEN_SECTIONS, Report, ReportKind, ReportStage, ReportStatus, ReportText

__all__ = [
    "ASSESSED_PHASES",
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
    "MaturityMoment",
    "MaturityScore",
    "Measurement",
    "MeasurementRollup",
    "MeasurementStatus",
    "Moment",
    "MomentState",
    "Periodicity",
    "ProjectIndicator",
    "Report",
    "ReportKind",
    "ReportStage",
    "ReportStatus",
    "ReportText",
    "WRITTEN_SECTIONS",
    "Reporter",
    "Scope",
    "assessed_on_refusal",
    "maturity_moments",
]

# --- From evidence to judgement (a package of this app: evaluation/judgement/) ----------------------------
from evaluation.judgement.models import (  # noqa: E402, F401
    CollectiveReading,
    CriterionLevel,
    DecisionDossier,
    EssaimageKit,
    Evidence,
    Finding,
    GateDossier,
    Recommendation,
    SiteKit,
)

# --- Action-research (a package of this app: evaluation/research/) -------------------------------------
from ..research.models import (  # noqa: E402, F401
    Coding,
    CodingStatus,
    Condition,
    FrameworkVersion,
    Observation,
    ObservationSource,
    PilotProject,
    Resource,
    ResourceAudience,
    ResourceFormat,
    ResourceStatus,
)
