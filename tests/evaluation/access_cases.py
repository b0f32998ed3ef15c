"""Every evaluation URL (except the report.* ones) as every role.

Team pages: staff and directors in, partners 404. The evidence download is the one evaluation URL a
partner may open — for a measurement of their own project only."""

from datetime import date

from django.core.files.base import ContentFile

from tests.access import (
    NOBODY,
    PARTNER_A_OBJECT,
    TEAM,
    TEAM_REDIRECT,
    Case,
    of_project_a,
    pk_of,
)
from tests.evaluation.factories import (
    CriterionFactory,
    IndicatorFactory,
    LessonFactory,
    MeasurementFactory,
    ProjectIndicatorFactory,
    QuestionFactory,
    assess,
    even_scores,
)

SECRET = "Valeur secrète du projet A"


def _pi(w):
    return ProjectIndicatorFactory(project=w.project_a, indicator=IndicatorFactory(name=SECRET))


def project_a_pk(w):
    return {"project_pk": w.project_a.pk}


def _lesson(w):
    return LessonFactory(programme=w.programme)


def _lesson_of_a(w):
    lesson = LessonFactory(programme=w.programme, title=SECRET)
    lesson.projects.add(w.project_a)
    return {"project_pk": w.project_a.pk, "pk": lesson.pk}


def _measurement(w, **extra):
    return MeasurementFactory(project_indicator=_pi(w), source=SECRET, **extra)


def _with_evidence(w):
    measurement = _measurement(w)
    measurement.evidence.save("preuve.pdf", ContentFile(b"%PDF-1.4\n% evidence\n"), save=True)
    return measurement


def _assessment(w):
    return assess(w.staff, w.project_a, even_scores(2), assessed_on=date(2026, 3, 1))


CASES = [
    Case("evaluation:home", TEAM),
    Case("evaluation:dashboard", TEAM),
    Case("evaluation:dashboard", TEAM, query="year=2026&cohort=999999", id="get:dashboard (filters)"),
    Case("evaluation:dashboard.export", TEAM, kwargs=lambda w: {"table": "indicators", "fmt": "csv"}),
    Case(
        "evaluation:dashboard.export",
        TEAM,
        kwargs=lambda w: {"table": "late", "fmt": "xlsx"},
        id="get:dashboard.export (xlsx)",
    ),
    Case(
        "evaluation:dashboard.export",
        NOBODY,
        kwargs=lambda w: {"table": "nope", "fmt": "csv"},
        id="get:dashboard.export (unknown table)",
    ),
    Case("evaluation:indicator.list", TEAM),
    Case("evaluation:indicator.create", TEAM),
    Case(
        "evaluation:indicator.create",
        TEAM,
        method="post",
        data=lambda w: {"code": ""},
        id="post:indicator.create (invalid)",
    ),
    Case("evaluation:indicator.edit", TEAM, kwargs=lambda w: {"pk": IndicatorFactory().pk}),
    Case("evaluation:protocol", TEAM, kwargs=project_a_pk),
    Case(
        "evaluation:protocol",
        NOBODY,
        kwargs=lambda w: {"project_pk": 999999},
        id="get:protocol (unknown project)",
    ),
    Case("evaluation:gate_dossier.section", TEAM, kwargs=project_a_pk),
    # The fil rouge (evaluation.filrouge): the team's tab and links.
    Case("evaluation:filrouge", TEAM, kwargs=project_a_pk),
    Case(
        "evaluation:filrouge",
        NOBODY,
        kwargs=lambda w: {"project_pk": 999999},
        id="get:filrouge (unknown project)",
    ),
    Case("evaluation:filrouge.indicator_outputs", TEAM, kwargs=lambda w: {"pk": _pi(w).pk}),
    Case(
        "evaluation:filrouge.indicator_outputs",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _pi(w).pk},
        data=lambda w: {},
        id="post:filrouge.indicator_outputs",
    ),
    Case("evaluation:filrouge.lesson_sources", TEAM, kwargs=_lesson_of_a),
    Case(
        "evaluation:filrouge.lesson_sources",
        TEAM_REDIRECT,
        method="post",
        kwargs=_lesson_of_a,
        data=lambda w: {},
        id="post:filrouge.lesson_sources",
    ),
    Case("evaluation:question.create", TEAM, kwargs=project_a_pk),
    Case("evaluation:question.edit", TEAM, kwargs=of_project_a(QuestionFactory)),
    Case("evaluation:question.delete", TEAM_REDIRECT, method="post", kwargs=of_project_a(QuestionFactory)),
    Case(
        "evaluation:criterion.create",
        TEAM,
        kwargs=lambda w: {"question_pk": QuestionFactory(project=w.project_a).pk},
    ),
    Case(
        "evaluation:criterion.edit",
        TEAM,
        kwargs=pk_of(lambda w: CriterionFactory(question__project=w.project_a)),
    ),
    Case(
        "evaluation:criterion.delete",
        TEAM_REDIRECT,
        method="post",
        kwargs=pk_of(lambda w: CriterionFactory(question__project=w.project_a)),
    ),
    Case("evaluation:project_indicator.create", TEAM, kwargs=project_a_pk),
    Case("evaluation:project_indicator.detail", TEAM, kwargs=pk_of(_pi), secret=lambda w: SECRET),
    Case("evaluation:project_indicator.edit", TEAM, kwargs=pk_of(_pi)),
    Case("evaluation:project_indicator.delete", TEAM_REDIRECT, method="post", kwargs=pk_of(_pi)),
    Case(
        "evaluation:target.add",
        TEAM_REDIRECT,
        method="post",
        kwargs=pk_of(_pi),
        data=lambda w: {"period_end": "2026-12-31", "value": "20"},
    ),
    Case(
        "evaluation:target.delete",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _pi(w).targets.create(period_end=date(2026, 12, 31), value=20).pk},
    ),
    Case("evaluation:measurement.queue", TEAM),
    Case("evaluation:panel.measurements", TEAM),
    Case("evaluation:measurement.create", TEAM, kwargs=pk_of(_pi)),
    Case("evaluation:measurement.edit", TEAM, kwargs=pk_of(_measurement)),
    Case("evaluation:measurement.validate", TEAM_REDIRECT, method="post", kwargs=pk_of(_measurement)),
    Case(
        "evaluation:measurement.return",
        TEAM_REDIRECT,
        method="post",
        kwargs=pk_of(_measurement),
        data=lambda w: {"comment": "Chiffre à vérifier"},
    ),
    Case(
        "evaluation:measurement.unlock",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _measurement(w, status="validated", locked=True).pk},
        data=lambda w: {"reason": "Erreur de saisie signalée par le financeur"},
    ),
    Case(
        "evaluation:measurement.lock",
        TEAM_REDIRECT,
        method="post",
        kwargs=project_a_pk,
        data=lambda w: {"period_start": "2026-01-01", "period_end": "2026-12-31"},
    ),
    Case("evaluation:measurement.evidence", PARTNER_A_OBJECT, kwargs=pk_of(_with_evidence)),
    Case(
        "evaluation:measurement.evidence",
        NOBODY,
        kwargs=pk_of(_measurement),
        id="get:measurement.evidence (no file)",
    ),
    Case("evaluation:maturity.create", TEAM, kwargs=project_a_pk),
    Case("evaluation:maturity.edit", TEAM, kwargs=pk_of(_assessment)),
    Case(
        "evaluation:maturity.waive",
        TEAM_REDIRECT,
        kwargs=project_a_pk,
        method="post",
        data=lambda w: {"phase": "emergence", "moment": "end", "reason": "Collectif dissous"},
    ),
    Case("evaluation:lesson.list", TEAM),
    Case("evaluation:lesson.kit", TEAM),
    Case("evaluation:lesson.create", TEAM),
    Case("evaluation:lesson.detail", TEAM, kwargs=pk_of(_lesson)),
    Case("evaluation:lesson.edit", TEAM, kwargs=pk_of(_lesson)),
    Case("evaluation:lesson.delete", TEAM_REDIRECT, method="post", kwargs=pk_of(_lesson)),
]

# Findings, recommendations, gate dossiers and essaimage kits (evaluation/judgement/).
from tests.evaluation.judgement_cases import CASES as JUDGEMENT_CASES  # noqa: E402

CASES += JUDGEMENT_CASES
