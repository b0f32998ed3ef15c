"""Every evaluation URL (except the report.* ones) as every role.

Team pages: staff and directors in, partners 404. The evidence download is the one evaluation URL a
partner may open — for a measurement of their own project only."""

from datetime import date

from django.core.files.base import ContentFile

from tests.access import LOGIN, PARTNER_A_OBJECT, TEAM, Case
from tests.evaluation.factories import (
    CriterionFactory,
    IndicatorFactory,
    LessonFactory,
    MeasurementFactory,
    ProjectIndicatorFactory,
    QuestionFactory,
)

#: A POST that redirects back for the team; partners still 404.
TEAM_POST = {**TEAM, "staff": 302, "director": 302}
SECRET = "Valeur secrète du projet A"


def _pi(w):
    return ProjectIndicatorFactory(project=w.project_a, indicator=IndicatorFactory(name=SECRET))


def _measurement(w, **extra):
    return MeasurementFactory(project_indicator=_pi(w), source=SECRET, **extra)


def _with_evidence(w):
    measurement = _measurement(w)
    measurement.evidence.save("preuve.pdf", ContentFile(b"%PDF-1.4\n% evidence\n"), save=True)
    return measurement


def _assessment(w):
    from evaluation import services

    return services.maturity_assessment_save(
        actor=w.staff,
        project=w.project_a,
        phase="emergence",
        moment="start",
        assessed_on=date(2026, 3, 1),
        scores=dict.fromkeys(("shared_vision", "governance", "trust", "shared_resources", "capacity"), 2),
    )


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
        {**TEAM, "staff": 404, "director": 404},
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
    Case("evaluation:protocol", TEAM, kwargs=lambda w: {"project_pk": w.project_a.pk}),
    Case(
        "evaluation:protocol",
        {**TEAM, "staff": 404, "director": 404},
        kwargs=lambda w: {"project_pk": 999999},
        id="get:protocol (unknown project)",
    ),
    Case("evaluation:gate_dossier.section", TEAM, kwargs=lambda w: {"project_pk": w.project_a.pk}),
    Case("evaluation:question.create", TEAM, kwargs=lambda w: {"project_pk": w.project_a.pk}),
    Case("evaluation:question.edit", TEAM, kwargs=lambda w: {"pk": QuestionFactory(project=w.project_a).pk}),
    Case(
        "evaluation:question.delete",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": QuestionFactory(project=w.project_a).pk},
    ),
    Case(
        "evaluation:criterion.create",
        TEAM,
        kwargs=lambda w: {"question_pk": QuestionFactory(project=w.project_a).pk},
    ),
    Case(
        "evaluation:criterion.edit",
        TEAM,
        kwargs=lambda w: {"pk": CriterionFactory(question__project=w.project_a).pk},
    ),
    Case(
        "evaluation:criterion.delete",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": CriterionFactory(question__project=w.project_a).pk},
    ),
    Case("evaluation:project_indicator.create", TEAM, kwargs=lambda w: {"project_pk": w.project_a.pk}),
    Case(
        "evaluation:project_indicator.detail",
        TEAM,
        kwargs=lambda w: {"pk": _pi(w).pk},
        secret=lambda w: SECRET,
    ),
    Case("evaluation:project_indicator.edit", TEAM, kwargs=lambda w: {"pk": _pi(w).pk}),
    Case("evaluation:project_indicator.delete", TEAM_POST, method="post", kwargs=lambda w: {"pk": _pi(w).pk}),
    Case(
        "evaluation:target.add",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": _pi(w).pk},
        data=lambda w: {"period_end": "2026-12-31", "value": "20"},
    ),
    Case(
        "evaluation:target.delete",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": _pi(w).targets.create(period_end=date(2026, 12, 31), value=20).pk},
    ),
    Case("evaluation:measurement.queue", TEAM),
    Case("evaluation:measurement.create", TEAM, kwargs=lambda w: {"pk": _pi(w).pk}),
    Case("evaluation:measurement.edit", TEAM, kwargs=lambda w: {"pk": _measurement(w).pk}),
    Case(
        "evaluation:measurement.validate",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": _measurement(w).pk},
    ),
    Case(
        "evaluation:measurement.return",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": _measurement(w).pk},
        data=lambda w: {"comment": "Chiffre à vérifier"},
    ),
    Case(
        "evaluation:measurement.unlock",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": _measurement(w, status="validated", locked=True).pk},
        data=lambda w: {"reason": "Erreur de saisie signalée par le financeur"},
    ),
    Case(
        "evaluation:measurement.lock",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"project_pk": w.project_a.pk},
        data=lambda w: {"period_start": "2026-01-01", "period_end": "2026-12-31"},
    ),
    Case(
        "evaluation:measurement.evidence",
        PARTNER_A_OBJECT,
        kwargs=lambda w: {"pk": _with_evidence(w).pk},
    ),
    Case(
        "evaluation:measurement.evidence",
        {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 404, "partner_b": 404},
        kwargs=lambda w: {"pk": _measurement(w).pk},
        id="get:measurement.evidence (no file)",
    ),
    Case("evaluation:maturity.create", TEAM, kwargs=lambda w: {"project_pk": w.project_a.pk}),
    Case("evaluation:maturity.edit", TEAM, kwargs=lambda w: {"pk": _assessment(w).pk}),
    Case("evaluation:lesson.list", TEAM),
    Case("evaluation:lesson.kit", TEAM),
    Case("evaluation:lesson.create", TEAM),
    Case("evaluation:lesson.detail", TEAM, kwargs=lambda w: {"pk": LessonFactory(programme=w.programme).pk}),
    Case("evaluation:lesson.edit", TEAM, kwargs=lambda w: {"pk": LessonFactory(programme=w.programme).pk}),
    Case(
        "evaluation:lesson.delete",
        TEAM_POST,
        method="post",
        kwargs=lambda w: {"pk": LessonFactory(programme=w.programme).pk},
    ),
]
