"""No 500 and no duplicate under double submits (issue #13, item 4).

Every create or decide form is sent twice with the same one-time submission token — once after the other
(any database), and at the same moment from two threads with their own database connections
(PostgreSQL, where the attack campaign found 500s and duplicates) — and exactly one record exists after.
The unique keys a form can hit (the same SIREN, the same name in the same town, the same value for the
same period, an invitation accepted twice) answer with the form's French message, never a 500, even
when the two submissions carry different tokens (two tabs, two people)."""

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import django.test as django_test
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from evaluation.judgement.models import CollectiveReading, Evidence
from evaluation.models import (
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorTarget,
    Lesson,
    MaturityAssessment,
    Measurement,
    ProjectIndicator,
    Report,
)
from evaluation.portal.selectors import open_periods
from programme.models import AuditEntry, Cohort, Invitation, Organisation, Person, Territory, Theme, User
from projects.models import (
    Action,
    AdvocacyAction,
    Comment,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeploymentSite,
    Dissemination,
    Document,
    GateDecision,
    Membership,
    Milestone,
    PhasePeriod,
    Project,
    Stakeholder,
    Workshop,
    WorkshopItem,
)
from projects.phasetemplates.models import PhaseTemplate
from projects.services import document_upload
from prospects.models import (
    Event,
    Exchange,
    Interview,
    Prospect,
    ScoringGrid,
    SelectionDecision,
)
from tests.clients import FormClient as Client
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory
from tests.factories import OrganisationFactory
from tests.prospects.factories import ProspectFactory

TODAY = timezone.localdate()
DAY = TODAY.isoformat()


@dataclass
class Case:
    """One form: who sends it, where, with which data (built per request: files are read once), and
    how many records of the kind it creates exist."""

    name: str
    role: str
    url: Callable[[Any], str]
    data: Callable[[Any], dict[str, Any]]
    count: Callable[[Any], int]
    prefix: str | Callable[[Any], str] = ""  # the form's prefix, when the page holds several forms
    #: The page that shows the form, when it is not the URL it is sent to (None: the same URL).
    page: Callable[[Any], str] | None = None

    def token_field(self, world: Any) -> str:
        prefix = self.prefix(world) if callable(self.prefix) else self.prefix
        return f"{prefix}-submission_token" if prefix else "submission_token"


def _pdf(name: str = "piece.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", content_type="application/pdf")


def _project(w: Any) -> int:
    return w.project_a.pk


def _pi(w: Any, **kwargs: Any) -> ProjectIndicator:
    pi = ProjectIndicator.objects.filter(project=w.project_a).first()
    return pi or ProjectIndicatorFactory(project=w.project_a, **kwargs)


def _partner_pi(w: Any) -> ProjectIndicator:
    return ProjectIndicator.objects.filter(project=w.project_a).first() or ProjectIndicatorFactory(
        project=w.project_a, reporter="partner", reporter_organisation=w.org_a
    )


def _last_period(pi: ProjectIndicator) -> Any:
    return max((p for p in open_periods(pi, set(), TODAY) if p.end < TODAY), key=lambda p: p.end)


def _prospect(w: Any) -> Prospect:
    return Prospect.objects.first() or ProspectFactory(programme=w.programme)


def _question(w: Any) -> EvaluationQuestion:
    return EvaluationQuestion.objects.first() or EvaluationQuestion.objects.create(
        project=w.project_a, text="Le public est-il atteint ?", order=1
    )


def _invitation_token(w: Any) -> str:
    """A pending invitation's link token (made once per test)."""
    if not hasattr(w, "invitation_token"):
        from programme import services

        invitation = services.invitation_create(actor=w.staff, email="nouvelle@exemple.fr", role="staff")
        w.invitation_token = invitation.token
    return w.invitation_token


def _workshop(w: Any) -> Workshop:
    return Workshop.objects.filter(title="Atelier parent").first() or Workshop.objects.create(
        project=w.project_a, title="Atelier parent", step="needs", starts_at=timezone.now()
    )


def _committee(w: Any) -> Committee:
    return Committee.objects.filter(project=w.project_a, kind="cotech").first() or Committee.objects.create(
        project=w.project_a, kind="cotech", date=TODAY
    )


def _event(w: Any) -> Event:
    return Event.objects.filter(name="Salon parent").first() or Event.objects.create(
        programme=w.programme, name="Salon parent", date=TODAY
    )


def _deliverable(w: Any) -> Deliverable:
    return Deliverable.objects.filter(title="Livrable parent").first() or Deliverable.objects.create(
        project=w.project_a, title="Livrable parent", due_date=TODAY, owner_user=w.staff
    )


def _candidate(w: Any) -> Prospect:
    """A candidate of the world's promotion, waiting for the selection committee's decision."""
    return Prospect.objects.filter(organisation__name="Candidat du comité").first() or ProspectFactory(
        programme=w.programme,
        cohort=w.cohort,
        stage="candidate",
        organisation=OrganisationFactory(name="Candidat du comité"),
    )


def _interview(w: Any) -> Interview:
    """A planned interview with no interviewer left to score it: it may be concluded."""
    interview = Interview.objects.filter(status="planned").first()
    if interview is None:
        grid = ScoringGrid.objects.filter(programme=w.programme).first() or ScoringGrid.objects.create(
            programme=w.programme, version=1
        )
        interview = Interview.objects.create(prospect=_prospect(w), grid=grid, scheduled_at=timezone.now())
    return interview


GRID = {
    "criteria-TOTAL_FORMS": "1",
    "criteria-INITIAL_FORMS": "0",
    "criteria-MIN_NUM_FORMS": "0",
    "criteria-MAX_NUM_FORMS": "1000",
    "criteria-0-label": "Ancrage local",
    "criteria-0-weight": "2",
    **{f"criteria-0-level_{n}": f"Niveau {n}" for n in range(4)},
}

IMPORT_CSV = b"nom;commune;siren\nLa Fabrique Solidaire;Lyon;\n"


def _pending_import(w: Any) -> str:
    """The token of an uploaded import waiting for its confirmation (uploaded once per test)."""
    if not hasattr(w, "import_token"):
        response = client_for(w.staff).post(
            reverse("prospects:import.upload"),
            {"programme": w.programme.pk, "file": SimpleUploadedFile("veille.csv", IMPORT_CSV)},
        )
        w.import_token = response["Location"].rstrip("/").split("/")[-1]
    return w.import_token


def _document(w: Any) -> Document:
    document = Document.objects.filter(title="Document parent").first()
    if document is None:
        document = document_upload(
            actor=w.staff, project=w.project_a, file=_pdf(), title="Document parent"
        ).document
    return document


def _partner_deliverable(w: Any) -> Deliverable:
    return Deliverable.objects.filter(title="Livrable du collectif").first() or Deliverable.objects.create(
        project=w.project_a, title="Livrable du collectif", due_date=TODAY, owner_organisation=w.org_a
    )


def _partner_action(w: Any) -> Action:
    return Action.objects.filter(title="Action du collectif").first() or Action.objects.create(
        project=w.project_a, title="Action du collectif", owner_person=w.person_a, due_date=TODAY
    )


def _owed_maturity(w: Any) -> str:
    """Project A has just moved on to Expérimentation: its collective owes the end of its Émergence."""
    project = w.project_a
    if not PhasePeriod.objects.filter(project=project, phase="experimentation").exists():
        yesterday = TODAY - timedelta(days=1)
        PhasePeriod.objects.create(
            project=project,
            phase="emergence",
            planned_start=TODAY - timedelta(days=120),
            planned_end=yesterday,
            actual_start=TODAY - timedelta(days=120),
            actual_end=yesterday,
        )
        PhasePeriod.objects.create(
            project=project, phase="experimentation", planned_start=yesterday, actual_start=yesterday
        )
        Project.objects.filter(pk=project.pk).update(phase="experimentation")
    return reverse("portal:maturity.moment", args=[project.pk, "emergence", "end"])


def _shared_finding(w: Any) -> Any:
    """Project A's finding (evaluation/judgement), shared with the collective; built once per test."""
    from evaluation.judgement import services as judgement_services
    from evaluation.judgement.models import Finding
    from tests.evaluation import judgement_helpers

    found = Finding.objects.filter(project=w.project_a).first() or judgement_helpers.finding(w)
    return judgement_services.finding_share(actor=w.staff, finding=found, shared=True)


SCORES = {f"score_{d}": "2" for d in ("shared_vision", "governance", "trust", "shared_resources", "capacity")}


CASES = [
    # A message in a thread (projects.conversations), by the team and by a partner in the portal.
    Case(
        "comment",
        "staff",
        lambda w: reverse("projects:comment.post", args=["project", w.project_a.pk]),
        lambda w: {"body": "Compte rendu envoyé."},
        lambda w: Comment.objects.filter(body="Compte rendu envoyé.").count(),
        page=lambda w: reverse("projects:comment.list", args=["project", w.project_a.pk]),
    ),
    Case(
        "portal comment",
        "partner_a",
        lambda w: reverse("portal:comment.post", args=["project", w.project_a.pk]),
        lambda w: {"body": "Merci pour le retour."},
        lambda w: Comment.objects.filter(body="Merci pour le retour.").count(),
        page=lambda w: reverse("portal:project", args=[w.project_a.pk]),
    ),
    Case(
        "organisation",
        "staff",
        lambda w: reverse("programme:organisation.create"),
        lambda w: {
            "name": "Les Jardins Partagés",
            "kind": "association",
            "town": "Lyon",
            "siren": "732829320",
        },
        lambda w: Organisation.objects.filter(name="Les Jardins Partagés").count(),
    ),
    Case(
        "person",
        "staff",
        lambda w: reverse("programme:person.create"),
        lambda w: {"first_name": "Zoé", "last_name": "Unique", "organisation": w.org_a.pk},
        lambda w: Person.objects.filter(last_name="Unique").count(),
    ),
    Case(
        "invitation",
        "staff",
        lambda w: reverse("programme:invitation.list"),
        lambda w: {"email": "invitee@exemple.fr", "role": "staff"},
        lambda w: Invitation.objects.filter(email="invitee@exemple.fr").count(),
    ),
    Case(
        "invitation accepted",
        "anonymous",
        lambda w: reverse("invitation.accept", args=[_invitation_token(w)]),
        lambda w: {"password1": "Jardin-partage-2026", "password2": "Jardin-partage-2026"},
        lambda w: User.objects.filter(email="nouvelle@exemple.fr", is_active=True).count(),
    ),
    Case(
        "prospect",
        "staff",
        lambda w: reverse("prospects:prospect.create"),
        lambda w: {
            "programme": w.programme.pk,
            "new_name": "Épicerie Solidaire",
            "new_kind": "association",
            "new_town": "Nantes",
            "source": "watch",
        },
        lambda w: Prospect.objects.filter(organisation__name="Épicerie Solidaire").count(),
    ),
    Case(
        "interaction",
        "staff",
        lambda w: reverse("prospects:exchange.create", args=[_prospect(w).pk]),
        lambda w: {"kind": "call", "date": DAY, "summary": "Premier appel"},
        lambda w: Exchange.objects.filter(summary="Premier appel").count(),
        page=lambda w: reverse("prospects:prospect.detail", args=[_prospect(w).pk]),
    ),
    Case(
        "structure exchange",
        "staff",
        lambda w: reverse("projects:structure.exchange.create", args=[w.org_a.pk]),
        lambda w: {"kind": "visit", "date": DAY, "summary": "Visite des locaux", "project": w.project_a.pk},
        lambda w: Exchange.objects.filter(summary="Visite des locaux").count(),
    ),
    Case(
        "project exchange",
        "staff",
        lambda w: reverse("projects:exchange.create", args=[w.project_a.pk]),
        lambda w: {"organisation": w.org_a.pk, "kind": "meeting", "date": DAY, "summary": "COPIL préparé"},
        lambda w: Exchange.objects.filter(summary="COPIL préparé").count(),
    ),
    Case(
        "interview",
        "staff",
        lambda w: reverse("prospects:interview.create", args=[_prospect(w).pk]),
        lambda w: {
            "scheduled_at": (TODAY + timedelta(days=7)).strftime("%Y-%m-%dT10:00"),
            "remote": "on",
            "interviewers": [w.staff.pk],
        },
        lambda w: Interview.objects.count(),
    ),
    Case(
        "event",
        "staff",
        lambda w: reverse("prospects:event.create"),
        lambda w: {"programme": w.programme.pk, "name": "Journée régionale", "kind": "network", "date": DAY},
        lambda w: Event.objects.filter(name="Journée régionale").count(),
    ),
    Case(
        "project",
        "staff",
        lambda w: reverse("projects:project.create"),
        lambda w: {
            "title": "Tiers-lieu",
            "programme": w.programme.pk,
            "lead_organisation": w.org_a.pk,
            "phase": "selection",
        },
        lambda w: Project.objects.filter(title="Tiers-lieu").count(),
    ),
    Case(
        "gate decision",
        "director",
        lambda w: reverse("projects:gate.decide", args=[_project(w)]),
        lambda w: {
            "outcome": "continue",
            "decided_on": DAY,
            "committee": "Comité d’engagement",
            "rationale": "Le collectif est prêt.",
            "expected_version": Project.objects.get(pk=_project(w)).phase_version,
            "no_dossier_reason": "Dossier présenté sur papier.",
        },
        lambda w: GateDecision.objects.count(),
    ),
    Case(
        "membership",
        "staff",
        lambda w: reverse("projects:membership.create", args=[_project(w)]),
        lambda w: {"organisation": w.org_b.pk, "role": "partner", "joined_on": DAY},
        lambda w: Membership.objects.filter(project_id=_project(w), organisation=w.org_b).count(),
    ),
    Case(
        "stakeholder",
        "staff",
        lambda w: reverse("projects:stakeholder.create", args=[_project(w)]),
        lambda w: {"name": "Mairie", "influence": 3, "interest": 3, "engagement": "neutral"},
        lambda w: Stakeholder.objects.count(),
    ),
    Case(
        "workshop",
        "staff",
        lambda w: reverse("projects:workshop.create", args=[_project(w)]),
        lambda w: {
            "title": "Idéation",
            "step": "ideation",
            "starts_at": f"{DAY}T14:00",
            "duration_minutes": 90,
        },
        lambda w: Workshop.objects.filter(title="Idéation").count(),
    ),
    Case(
        "committee",
        "staff",
        lambda w: reverse("projects:committee.create", args=[_project(w)]),
        lambda w: {"kind": "copil", "date": DAY},
        lambda w: Committee.objects.count(),
    ),
    Case(
        "action",
        "staff",
        lambda w: reverse("projects:action.create", args=[_project(w)]),
        lambda w: {
            "title": "Relancer la mairie",
            "owner_user": w.staff.pk,
            "due_date": DAY,
            "status": "open",
        },
        lambda w: Action.objects.count(),
    ),
    Case(
        "dissemination",
        "staff",
        lambda w: reverse("projects:dissemination.create", args=[_project(w)]),
        lambda w: {"date": DAY, "what": "Guide", "audience": "Réseau", "channel": "web"},
        lambda w: Dissemination.objects.count(),
    ),
    Case(
        "advocacy",
        "staff",
        lambda w: reverse("projects:advocacy.create", args=[_project(w)]),
        lambda w: {"target": "Région", "date": DAY, "description": "Rencontre"},
        lambda w: AdvocacyAction.objects.count(),
    ),
    Case(
        "milestone",
        "staff",
        lambda w: reverse("projects:milestone.create", args=[_project(w)]),
        lambda w: {"title": "Prototype", "due_date": DAY, "status": "planned"},
        lambda w: Milestone.objects.count(),
    ),
    Case(
        "deliverable",
        "staff",
        lambda w: reverse("projects:deliverable.create", args=[_project(w)]),
        lambda w: {"title": "Bilan", "due_date": DAY, "status": "expected", "owner_user": w.staff.pk},
        lambda w: Deliverable.objects.count(),
    ),
    Case(
        "document",
        "staff",
        lambda w: reverse("projects:document.create", args=[_project(w)]),
        lambda w: {"title": "Convention", "file": _pdf()},
        lambda w: Document.objects.count(),
    ),
    Case(
        "indicator",
        "staff",
        lambda w: reverse("evaluation:indicator.create"),
        lambda w: {
            "code": "emplois",
            "name": "Emplois créés",
            "unit": "emplois",
            "type": "count",
            "aggregation": "sum",
            "direction": "increase",
            "periodicity": "yearly",
            "scope": "project",
            "is_active": "on",
        },
        lambda w: Indicator.objects.filter(code="emplois").count(),
    ),
    Case(
        "question",
        "staff",
        lambda w: reverse("evaluation:question.create", args=[_project(w)]),
        lambda w: {"text": "Question unique ?", "order": 1},
        lambda w: EvaluationQuestion.objects.filter(text="Question unique ?").count(),
    ),
    Case(
        "criterion",
        "staff",
        lambda w: reverse("evaluation:criterion.create", args=[_question(w).pk]),
        lambda w: {"text": "Diversité", "order": 1},
        lambda w: EvaluationCriterion.objects.filter(text="Diversité").count(),
    ),
    Case(
        "protocol indicator",
        "staff",
        lambda w: reverse("evaluation:project_indicator.create", args=[_project(w)]),
        lambda w: {
            "indicator": (
                Indicator.objects.filter(code="suivi").first() or IndicatorFactory(code="suivi")
            ).pk,
            "target_value": "10",
            "target_date": "2027-12-31",
            "reporter": "staff",
        },
        lambda w: ProjectIndicator.objects.count(),
    ),
    Case(
        "intermediate target",
        "staff",
        lambda w: reverse("evaluation:target.add", args=[_pi(w).pk]),
        lambda w: {"period_end": "2027-06-30", "value": "25"},
        lambda w: IndicatorTarget.objects.count(),
        page=lambda w: reverse("evaluation:project_indicator.detail", args=[_pi(w).pk]),
    ),
    Case(
        "staff measurement",
        "staff",
        lambda w: reverse("evaluation:measurement.create", args=[_pi(w).pk]),
        lambda w: {
            "period_start": f"{TODAY.year - 1}-01-01",
            "period_end": f"{TODAY.year - 1}-03-31",
            "value": "3",
        },
        lambda w: Measurement.objects.count(),
    ),
    Case(
        "partner measurement",
        "partner_a",
        lambda w: reverse("portal:indicator", args=[_partner_pi(w).pk]),
        lambda w: {"period": _last_period(_partner_pi(w)).key, "value": "12", "intent": "submit"},
        lambda w: Measurement.objects.count(),
    ),
    Case(
        "maturity",
        "staff",
        lambda w: reverse("evaluation:maturity.create", args=[_project(w)]),
        lambda w: {
            "phase": "emergence",
            "moment": "start",
            "assessed_on": f"{TODAY.year}-02-01",
            **{
                f"score_{d}": 2
                for d in ("shared_vision", "governance", "trust", "shared_resources", "capacity")
            },
        },
        lambda w: MaturityAssessment.objects.count(),
    ),
    Case(
        "lesson",
        "staff",
        lambda w: reverse("evaluation:lesson.create"),
        lambda w: {"title": "Un enseignement", "kind": "good_practice", "body": "Ce qui a marché."},
        lambda w: Lesson.objects.count(),
    ),
    Case(
        "workshop item",
        "staff",
        lambda w: reverse("projects:workshop.item.create", args=[_workshop(w).pk]),
        lambda w: {"kind": "need", "title": "Un lieu", "description": ""},
        lambda w: WorkshopItem.objects.filter(title="Un lieu").count(),
        page=lambda w: reverse("projects:workshop.detail", args=[_workshop(w).pk]),
    ),
    Case(
        "committee decision",
        "staff",
        lambda w: reverse("projects:committee.decision.create", args=[_committee(w).pk]),
        lambda w: {"text": "Lancer le prototype"},
        lambda w: CommitteeDecision.objects.filter(text="Lancer le prototype").count(),
        page=lambda w: reverse("projects:committee.detail", args=[_committee(w).pk]),
    ),
    Case(
        "prospect met at an event",
        "staff",
        lambda w: reverse("prospects:event.prospects", args=[_event(w).pk]),
        lambda w: {"new-name": "Recyclerie du Salon", "new-kind": "association", "new-town": "Lyon"},
        lambda w: Prospect.objects.filter(organisation__name="Recyclerie du Salon").count(),
        page=lambda w: reverse("prospects:event.detail", args=[_event(w).pk]),
        prefix="new",
    ),
    Case(
        "deliverable version",
        "staff",
        lambda w: reverse("projects:deliverable.upload", args=[_deliverable(w).pk]),
        lambda w: {"file": _pdf("livrable.pdf"), "comment": "v1"},
        lambda w: _deliverable(w).versions.count(),
    ),
    Case(
        "selection decision",
        "director",
        lambda w: reverse("projects:selection.decide", args=[w.cohort.pk, _candidate(w).pk]),
        lambda w: {
            f"c{_candidate(w).pk}-decision": "not_retained",
            f"c{_candidate(w).pk}-rationale": "Projet trop tôt.",
        },
        lambda w: SelectionDecision.objects.count(),
        prefix=lambda w: f"c{_candidate(w).pk}",
    ),
    Case(
        "interview conclusion",
        "staff",
        lambda w: reverse("prospects:interview.complete", args=[_interview(w).pk]),
        lambda w: {"end-recommendation": "propose", "end-rationale": "Un collectif solide."},
        lambda w: AuditEntry.objects.filter(action="interview.completed").count(),
        prefix="end",
        page=lambda w: reverse("prospects:interview.detail", args=[_interview(w).pk]),
    ),
    Case(
        "programme setting: theme",
        "director",
        lambda w: reverse("setup:create", args=["thematiques"]),
        lambda w: {"name": "Mobilités douces"},
        lambda w: Theme.objects.filter(name="Mobilités douces").count(),
    ),
    Case(
        "programme setting: promotion",
        "director",
        lambda w: reverse("setup:create", args=["promotions"]),
        lambda w: {
            "programme": w.programme.pk,
            "name": "Promotion 2031",
            "year": "2031",
            "start_date": "2031-01-15",
            "capacity": "8",
        },
        lambda w: Cohort.objects.filter(name="Promotion 2031").count(),
    ),
    Case(
        "phase template version",
        "director",
        lambda w: reverse("projects:phasetemplate.edit") + f"?programme={w.programme.pk}&phase=emergence",
        lambda w: {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-kind": "milestone",
            "items-0-title": "Diagnostic partagé",
            "items-0-offset": "2",
            "items-0-offset_unit": "months",
        },
        lambda w: PhaseTemplate.objects.filter(programme=w.programme).count(),
        prefix="items",
    ),
    Case(
        "scoring grid version",
        "director",
        lambda w: reverse("prospects:grid.edit") + f"?programme={w.programme.pk}",
        lambda w: GRID,
        lambda w: ScoringGrid.objects.filter(criteria__label="Ancrage local").count(),
        prefix="criteria",
    ),
    Case(
        "import confirmed",
        "staff",
        lambda w: reverse("prospects:import.confirm", args=[_pending_import(w)]),
        lambda w: {},
        lambda w: AuditEntry.objects.filter(action="import.confirmed").count(),
        page=lambda w: reverse("prospects:import.preview", args=[_pending_import(w)]),
    ),
    Case(
        "deployment site",
        "staff",
        lambda w: reverse("projects:site.create", args=[_project(w)]),
        lambda w: {
            "territory": Territory.objects.get_or_create(name="Pays de Retz")[0].pk,
            "status": DeploymentSite._meta.get_field("status").default,
            "started_on": DAY,
        },
        lambda w: DeploymentSite.objects.count(),
    ),
    Case(
        "document version",
        "staff",
        lambda w: reverse("projects:document.upload", args=[_document(w).pk]),
        lambda w: {"file": _pdf("v2.pdf"), "comment": "v2"},
        lambda w: _document(w).versions.count() - 1,
    ),
    Case(
        "report order",
        "staff",
        lambda w: reverse("evaluation:report.create"),
        lambda w: {
            "kind": "activity",
            "programme": w.programme.pk,
            "period_start": f"{TODAY.year - 1}-01-01",
            "period_end": f"{TODAY.year - 1}-12-31",
        },
        lambda w: Report.objects.count(),
    ),
    Case(
        "portal contact",
        "partner_a",
        lambda w: reverse("portal:contact.create"),
        lambda w: {"first_name": "Camille", "last_name": "Nouvelle", "email": "camille@exemple.fr"},
        lambda w: Person.objects.filter(last_name="Nouvelle").count(),
    ),
    Case(
        "portal deliverable version",
        "partner_a",
        lambda w: reverse("portal:deliverable", args=[_partner_deliverable(w).pk]),
        lambda w: {"file": _pdf("rendu.pdf"), "comment": "Notre rendu"},
        lambda w: _partner_deliverable(w).versions.count(),
    ),
    Case(
        "portal maturity",
        "partner_a",
        _owed_maturity,
        lambda w: {**SCORES, "participants": "Structure A"},
        lambda w: MaturityAssessment.objects.filter(project=w.project_a, moment="end").count(),
    ),
    Case(
        "portal action done",
        "partner_a",
        lambda w: reverse("portal:action.done", args=[_partner_action(w).pk]),
        lambda w: {"comment": "C’est fait."},
        lambda w: AuditEntry.objects.filter(action="action.done").count(),
    ),
    Case(
        "finding evidence",
        "staff",
        lambda w: reverse("evaluation:judgement.evidence.add", args=[_shared_finding(w).question_id]),
        lambda w: {"source": "observation", "observation": "Vu à la cantine."},
        lambda w: Evidence.objects.filter(kind="observation").count(),
        page=lambda w: reverse("evaluation:judgement.finding", args=[_shared_finding(w).question_id]),
    ),
    Case(
        "collective reading",
        "partner_a",
        lambda w: reverse("portal:judgement.reading", args=[_shared_finding(w).pk]),
        lambda w: {"text": "Le collectif confirme."},
        lambda w: CollectiveReading.objects.count(),
        page=lambda w: reverse("portal:judgement.findings", args=[_shared_finding(w).project_id]),
    ),
]


def _client(world: Any, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(getattr(world, role))


def _send(world: Any, case: Case, url: str, token: str) -> int:
    """One submission of the case's form carrying `token`: the response's status code."""
    client = _client(world, case.role)
    return client.post(url, {**case.data(world), case.token_field(world): token}).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_same_form_sent_twice_saves_once(world, case):
    url, token = case.url(world), uuid.uuid4().hex
    first = _send(world, case, url, token)
    assert first in (302, 303), case.name
    assert case.count(world) == 1
    second = _send(world, case, url, token)
    assert second < 500
    assert case.count(world) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_create_page_carries_the_token_of_its_form(world, case):
    """The token is on the page that shows the form (a form rendered field by field could forget it)."""
    page = (case.page or case.url)(world)
    html = _client(world, case.role).get(page).content.decode()
    assert re.search(rf'name="{case.token_field(world)}" value="[0-9a-f]{{32}}"', html), page


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_create_form_sent_without_its_token_is_refused(world, case):
    """A request without the token (a page kept from before the token, a script) saves nothing and says
    why in French; the form shown again carries a fresh token, so sending it again works."""
    url = case.url(world)
    client = _client(world, case.role)
    response = django_test.Client.post(client, url, case.data(world))
    assert response.status_code < 500
    assert case.count(world) == 0
    if response.status_code in (302, 303):  # a page that shows its forms' errors on the next page
        response = client.get(response["Location"])
    page = response.content.decode()
    assert "Ce formulaire a expiré ou est incomplet" in page, case.name
    assert re.search(rf'name="{case.token_field(world)}" value="[0-9a-f]{{32}}"', page)


def _fire_together(world: Any, case: Case, url: str, tokens: list[str]) -> list[Any]:
    """POST the case's form from two threads at once, each with its own client and database connection."""
    clients = [_client(world, case.role) for _ in tokens]
    payloads = [{**case.data(world), case.token_field(world): t} for t in tokens]
    barrier = threading.Barrier(len(tokens))
    results: list[Any] = [None] * len(tokens)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = clients[index].post(url, payloads[index]).status_code
        except Exception as error:  # a 500 surfaces here (the test client re-raises it)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent submissions need PostgreSQL (.ci/run uses it)"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_double_click_at_the_same_moment_saves_once(world, case):
    url, token = case.url(world), uuid.uuid4().hex
    results = _fire_together(world, case, url, [token, token])
    assert all(isinstance(r, int) and r < 500 for r in results), results
    assert sorted(r for r in results if r in (302, 303)) != [], results
    assert case.count(world) == 1


#: The forms whose record has a natural unique key: sent at once from two tabs (two tokens).
KEYED = ["organisation", "invitation accepted", "staff measurement", "partner measurement", "membership"]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", [c for c in CASES if c.name in KEYED], ids=lambda c: c.name)
def test_two_tabs_sending_the_same_record_get_a_french_error_not_a_500(world, case):
    url = case.url(world)
    results = _fire_together(world, case, url, [uuid.uuid4().hex, uuid.uuid4().hex])
    assert all(isinstance(r, int) and r < 500 for r in results), results
    assert case.count(world) == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_name_in_the_same_town_holds_under_concurrency(world):
    """Without a SIREN, only the normalised name + town tells two structures apart: two people typing
    the same one at once get one structure, and the other a French message."""
    url = reverse("programme:organisation.create")
    data = {"name": "La Ressourcerie", "kind": "association", "town": "Saint-Étienne"}
    case = Case("namesake", "staff", lambda w: url, lambda w: data, lambda w: 0)
    results = _fire_together(world, case, url, [uuid.uuid4().hex, uuid.uuid4().hex])
    assert all(isinstance(r, int) and r < 500 for r in results), results
    assert Organisation.objects.filter(normalised_name="la ressourcerie").count() == 1


def test_a_confirmed_namesake_is_saved_next_to_the_first(staff_client, world):
    """The explicit override still works: « c'est bien une autre structure »."""
    OrganisationFactory(name="La Ressourcerie", town="Saint-Étienne")
    data = {"name": "La ressourcerie", "kind": "association", "town": "St Etienne"}
    refused = staff_client.post(reverse("programme:organisation.create"), data)
    assert "Enregistrer quand même" in refused.content.decode()
    assert Organisation.objects.filter(normalised_name="la ressourcerie").count() == 1
    confirmed = staff_client.post(
        reverse("programme:organisation.create"), {**data, "confirm_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Organisation.objects.filter(normalised_name="la ressourcerie").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("programme:organisation.create"),
        lambda w: reverse("prospects:prospect.create"),
        lambda w: reverse("projects:workshop.create", args=[w.project_a.pk]),
        lambda w: reverse("evaluation:maturity.create", args=[w.project_a.pk]),
        lambda w: reverse("evaluation:report.create"),
        lambda w: reverse("projects:gate.decide", args=[w.project_a.pk]),
    ],
    ids=["organisation", "prospect", "workshop", "maturity", "report", "gate decision"],
)
def test_create_pages_carry_a_fresh_token_each_time(world, url):
    """The token a double click repeats comes from the page: each display of a create form has its own."""
    client = client_for(world.director)
    pattern = re.compile(r'name="submission_token" value="([0-9a-f]{32})"')
    first, second = (pattern.findall(client.get(url(world)).content.decode()) for _ in range(2))
    assert len(first) == 1 and len(second) == 1 and first != second


# --- A structure is a member of a collective once at a time -----------------------------------------------

ALREADY_MEMBER = "Cette structure fait déjà partie du collectif"


def _add_member(client: Client, world: Any, **data: Any) -> Any:
    url = reverse("projects:membership.create", args=[world.project_a.pk])
    return client.post(url, {"organisation": world.org_b.pk, "role": "partner", "joined_on": DAY, **data})


def test_a_structure_already_in_the_collective_is_refused_in_french(staff_client, world):
    """Added twice (two tabs, two people: two tokens), the same structure is one member."""
    assert _add_member(staff_client, world).status_code == 302
    again = _add_member(staff_client, world)
    assert again.status_code == 200
    assert ALREADY_MEMBER in again.content.decode()
    assert Membership.objects.filter(project=world.project_a, organisation=world.org_b).count() == 1


def test_a_membership_overlapping_a_dated_one_is_refused(staff_client, world):
    Membership.objects.create(
        project=world.project_a,
        organisation=world.org_b,
        role="partner",
        joined_on=TODAY - timedelta(days=100),
        left_on=TODAY + timedelta(days=30),  # still a member for a month
    )
    refused = _add_member(staff_client, world)
    assert ALREADY_MEMBER in refused.content.decode()
    assert Membership.objects.filter(project=world.project_a, organisation=world.org_b).count() == 1


def test_a_structure_that_left_may_join_again(staff_client, world):
    Membership.objects.create(
        project=world.project_a,
        organisation=world.org_b,
        role="partner",
        joined_on=TODAY - timedelta(days=100),
        left_on=TODAY - timedelta(days=10),
    )
    assert _add_member(staff_client, world).status_code == 302
    assert Membership.objects.filter(project=world.project_a, organisation=world.org_b).count() == 2


def test_the_database_holds_one_open_membership_per_structure(world):
    """The constraint behind the form: even a write that skips the service cannot add the same
    structure twice while it is a member."""
    from django.db import IntegrityError, transaction

    Membership.objects.create(project=world.project_a, organisation=world.org_b, role="partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(project=world.project_a, organisation=world.org_b, role="partner")


def test_several_people_of_a_structure_are_members_but_each_once(staff_client, world):
    colleague = Person.objects.create(first_name="Chloé", last_name="Collègue", organisation=world.org_b)
    assert _add_member(staff_client, world, person=world.person_b.pk).status_code == 302
    assert _add_member(staff_client, world, person=colleague.pk).status_code == 302
    again = _add_member(staff_client, world, person=colleague.pk)
    assert "Ce contact fait déjà partie du collectif pour cette structure" in again.content.decode()
    assert Membership.objects.filter(project=world.project_a, organisation=world.org_b).count() == 2
