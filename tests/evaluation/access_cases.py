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
    # A lesson of partner A's own project: sharing it is still the team's (partners 404).
    Case(
        "evaluation:lesson.share",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _lesson_of_a(w)["pk"]},
        data=lambda w: {"shared": "1"},
    ),
]

# Findings, recommendations, gate dossiers and essaimage kits (evaluation/judgement/).
from tests.evaluation.judgement_cases import CASES as JUDGEMENT_CASES  # noqa: E402

CASES += JUDGEMENT_CASES

# --- Action-research (evaluation/research): team pages; a local partner given access to a territory (partner
# A, tests.programme.access_cases.granted_territory) reads its resources section and its published resources.


def _research(world):
    """The granted territory, a framework v1 with one condition, one observation with a file source, a
    published resource of the territory with a file."""
    from evaluation.research.models import (
        Condition,
        FrameworkVersion,
        Observation,
        ObservationSource,
        Resource,
    )
    from tests.evaluation.research_helpers import filed_observation, published_resource
    from tests.programme.access_cases import granted_territory

    territory = granted_territory(world)
    version = FrameworkVersion.objects.filter(programme=world.programme).first()
    if version is None:
        version = FrameworkVersion.objects.create(programme=world.programme, number=1, created_by=world.staff)
        condition = Condition.objects.create(version=version, name="Gouvernance partagée (matrice)")
        filed_observation(
            world,
            territory,
            version,
            condition,
            on=date(2026, 2, 1),
            text="Obs.",
            justification="Vu",
            label="CR",
            pdf=b"%PDF-1.4 cr",
        )
        published_resource(world, territory, title="Livret de la démarche (matrice)", pdf=b"%PDF-1.4 livret")
    return {
        "territory": territory,
        "version": version,
        "condition": version.conditions.first(),
        "observation": Observation.objects.filter(version=version).first(),
        "source": ObservationSource.objects.first(),
        "resource": Resource.objects.filter(territory=territory).first(),
    }


def _pk(key: str):
    return lambda w: {"pk": _research(w)[key].pk}


GRANTED_READ = {"anonymous": "login", "staff": 200, "director": 200, "partner_a": 200, "partner_b": 404}

CASES += [
    Case("evaluation:research.territory_activity", TEAM, kwargs=_pk("territory")),
    Case("evaluation:research.territory_research", TEAM, kwargs=_pk("territory")),
    Case("evaluation:research.territory_resources", GRANTED_READ, kwargs=_pk("territory")),
    Case(
        "evaluation:research.pilot_project",
        {**TEAM, "staff": 404, "director": 404},  # project A is not on the territory: 404 for everyone
        method="post",
        kwargs=lambda w: {"pk": _research(w)["territory"].pk, "project_pk": w.project_a.pk},
    ),
    Case("evaluation:research.framework", TEAM),
    Case("evaluation:research.version.create", TEAM_REDIRECT, method="post", data=lambda w: {"note": "v"}),
    Case("evaluation:research.condition.create", TEAM, kwargs=lambda w: (_research(w), {})[1]),
    Case("evaluation:research.condition.edit", TEAM, kwargs=_pk("condition")),
    Case("evaluation:research.condition", TEAM, kwargs=_pk("condition")),
    Case("evaluation:research.journal", TEAM),
    Case("evaluation:research.observation.create", TEAM, kwargs=lambda w: (_research(w), {})[1]),
    Case(
        "evaluation:research.observation.create",
        TEAM,
        method="post",
        data=lambda w: (_research(w), {})[1],
        id="post:research.observation.create (invalid)",
    ),
    Case("evaluation:research.observation", TEAM, kwargs=_pk("observation")),
    Case("evaluation:research.source.add", TEAM, kwargs=_pk("observation")),
    Case("evaluation:research.source.download", TEAM, kwargs=_pk("source")),
    Case("evaluation:research.matrix", TEAM, kwargs=lambda w: (_research(w), {})[1]),
    Case("evaluation:research.matrix.export", TEAM, kwargs=lambda w: (_research(w), {})[1]),
    Case("evaluation:research.matrix.pdf", TEAM_REDIRECT, method="post", data=lambda w: {}),
    Case("evaluation:research.resource.list", TEAM),
    Case("evaluation:research.resource.create", TEAM),
    Case(
        "evaluation:research.resource.create",
        TEAM,
        method="post",
        data=lambda w: {},
        id="post:research.resource.create (invalid)",
    ),
    Case("evaluation:research.resource", GRANTED_READ, kwargs=_pk("resource")),
    Case("evaluation:research.resource.edit", TEAM, kwargs=_pk("resource")),
    Case("evaluation:research.resource.download", GRANTED_READ, kwargs=_pk("resource")),
]
