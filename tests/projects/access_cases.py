"""Every URL of project steering against every role (walked by tests/test_access_matrix.py)."""

from datetime import date

from tests.access import (
    DIRECTOR,
    EVERYONE_404,
    LOGIN,
    PARTNER_A_OBJECT,
    PUBLIC,
    SIGNED_IN,
    TEAM,
    TEAM_REDIRECT,
    Case,
    invalid_post,
    of_project_a,
    pk_of,
)

from .factories import (
    ActionFactory,
    CommitteeFactory,
    DeliverableFactory,
    DocumentFactory,
    MilestoneFactory,
    StakeholderFactory,
    WorkshopFactory,
    pdf_file,
)
from .funding.access_cases import funding_cases  # noqa: E402
from .mailing_cases import mailing_cases  # noqa: E402
from .relations_access_cases import relations_cases  # noqa: E402

SIGNED_IN_REDIRECT = {**SIGNED_IN, "staff": 302, "director": 302, "partner_a": 302, "partner_b": 302}


def _inbox_assign(w):
    deliverable = DeliverableFactory(project=w.project_a, status="submitted", title="Livrable déposé A")
    return {"source": "deliverables", "item": deliverable.pk, "assignee": w.staff.pk}


def _inbox_reassign(w):
    deliverable = DeliverableFactory(project=w.project_a, status="submitted", title="Livrable déposé A")
    return {"source_key": "deliverables", "item_pk": deliverable.pk}


def _inbox_seen(w):
    from evaluation.models import MaturityAssessment, MaturityScore

    assessment = MaturityAssessment.objects.create(
        project=w.project_a,
        phase="emergence",
        moment="start",
        assessed_on=date(2026, 2, 1),
        assessed_by=w.partner_a,
    )
    MaturityScore.objects.create(assessment=assessment, dimension="trust", score=3)
    return {"source": "maturity", "item": assessment.pk}


def pk_a(w):
    return {"pk": w.project_a.pk}


def _feed_token(w):
    from projects.services import calendar_token_rotate

    return {"token": calendar_token_rotate(user=w.staff)}


def _document(w, *, shared: bool):
    from projects.services import document_upload

    version = document_upload(
        actor=w.director,
        project=w.project_a,
        file=pdf_file(),
        title="Convention secrète A",
        shared_with_collective=shared,
    )
    return version.document


def _discussed(w):
    """A deliverable of project A with a shared message and an internal note in its thread."""
    from projects.conversations.services import comment_post

    deliverable = DeliverableFactory(project=w.project_a, owner_organisation=w.org_a)
    comment_post(actor=w.staff, project=w.project_a, target=deliverable, body="Message A")
    comment_post(actor=w.staff, project=w.project_a, target=deliverable, body="Note SECRET-A", internal=True)
    return deliverable


def _deliverable_version(w):
    from projects.services import deliverable_upload

    deliverable = DeliverableFactory(
        project=w.project_a, owner_organisation=w.org_a, title="Livrable secret A"
    )
    return {
        "pk": deliverable.pk,
        "number": deliverable_upload(actor=w.director, deliverable=deliverable, file=pdf_file()).number,
    }


def _site(w):
    from programme.models import Territory
    from projects.models import DeploymentSite

    return DeploymentSite.objects.create(
        project=w.project_a, territory=Territory.objects.create(name="Lyon 8e")
    )


def _dissemination(w):
    from projects.models import Dissemination

    return Dissemination.objects.create(
        project=w.project_a, date="2026-05-01", what="Guide", audience="Réseau ESS"
    )


def _advocacy(w):
    from projects.models import AdvocacyAction

    return AdvocacyAction.objects.create(project=w.project_a, target="Métropole", date="2026-05-01")


CASES = [
    Case("projects:project.list", TEAM),
    Case("projects:project.export", TEAM, kwargs=lambda w: {"fmt": "csv"}, id="get:project.export csv"),
    Case("projects:project.export", TEAM, kwargs=lambda w: {"fmt": "xlsx"}, id="get:project.export xlsx"),
    Case("projects:project.bulk", TEAM, query="action=lead_add&all=True", id="get:project.bulk (all)"),
    Case("projects:project.bulk", TEAM_REDIRECT, id="get:project.bulk (no action)"),
    Case(
        "projects:project.bulk",
        TEAM,
        method="post",
        data=lambda w: {"action": "theme", "ids": [w.project_a.pk], "step": "preview"},
    ),
    invalid_post("projects:project.bulk", TEAM_REDIRECT),
    Case("projects:project.board", TEAM),
    Case("projects:project.create", TEAM),
    Case("projects:project.options", TEAM, query="q=projet"),
    Case(
        "projects:project.options",
        TEAM,
        query="q=projet&as=checks&field=projects",
        id="project.options (boxes)",
    ),
    invalid_post("projects:project.create", TEAM),
    Case("projects:deadline.list", TEAM),
    Case("projects:panel.deadlines", TEAM),
    Case("projects:calendar", SIGNED_IN),
    Case("projects:calendar.token", SIGNED_IN_REDIRECT, method="post", data=lambda w: {"action": "rotate"}),
    Case("projects:calendar.feed", PUBLIC, kwargs=_feed_token, id="get:calendar.feed (valid token)"),
    Case(
        "projects:calendar.feed",
        EVERYONE_404,
        kwargs=lambda w: {"token": "x" * 43},
        id="get:calendar.feed (unknown token)",
    ),
    Case("projects:project.detail", TEAM, kwargs=pk_a),
    Case("projects:project.edit", TEAM, kwargs=pk_a),
    Case("projects:project.collective", TEAM, kwargs=pk_a),
    Case("projects:project.timeline", TEAM, kwargs=pk_a),
    Case("projects:project.workshops", TEAM, kwargs=pk_a),
    Case("projects:project.governance", TEAM, kwargs=pk_a),
    Case("projects:project.deployment", TEAM, kwargs=pk_a),
    Case("projects:project.deliverables", TEAM, kwargs=pk_a),
    Case("projects:project.documents", TEAM, kwargs=pk_a),
    Case("projects:gate.dossier", TEAM, kwargs=pk_a),
    Case("projects:gate.decide", DIRECTOR, kwargs=pk_a),
    Case(
        "projects:gate.decide",
        DIRECTOR,
        kwargs=pk_a,
        method="post",
        data=lambda w: {"outcome": "continue"},
        id="post:gate.decide (missing fields)",
    ),
    Case("projects:membership.create", TEAM, kwargs=pk_a),
    Case("projects:membership.edit", TEAM, kwargs=lambda w: {"pk": w.project_a.memberships.first().pk}),
    Case("projects:stakeholder.create", TEAM, kwargs=pk_a),
    Case("projects:stakeholder.edit", TEAM, kwargs=of_project_a(StakeholderFactory)),
    Case("projects:workshop.create", TEAM, kwargs=pk_a),
    Case("projects:workshop.detail", TEAM, kwargs=of_project_a(WorkshopFactory)),
    Case("projects:workshop.edit", TEAM, kwargs=of_project_a(WorkshopFactory)),
    invalid_post("projects:workshop.item.create", TEAM, kwargs=of_project_a(WorkshopFactory)),
    Case("projects:committee.create", TEAM, kwargs=pk_a),
    Case("projects:committee.detail", TEAM, kwargs=of_project_a(CommitteeFactory)),
    Case("projects:committee.edit", TEAM, kwargs=of_project_a(CommitteeFactory)),
    invalid_post("projects:committee.decision.create", TEAM, kwargs=of_project_a(CommitteeFactory)),
    Case("projects:action.create", TEAM, kwargs=pk_a),
    Case(
        "projects:action.edit",
        TEAM,
        kwargs=lambda w: {"pk": ActionFactory(project=w.project_a, owner_user=w.staff).pk},
    ),
    Case("projects:site.create", TEAM, kwargs=pk_a),
    Case("projects:site.edit", TEAM, kwargs=pk_of(_site)),
    Case("projects:dissemination.create", TEAM, kwargs=pk_a),
    Case("projects:dissemination.edit", TEAM, kwargs=pk_of(_dissemination)),
    Case("projects:advocacy.create", TEAM, kwargs=pk_a),
    Case("projects:advocacy.edit", TEAM, kwargs=pk_of(_advocacy)),
    Case("projects:milestone.create", TEAM, kwargs=pk_a),
    Case("projects:milestone.edit", TEAM, kwargs=of_project_a(MilestoneFactory)),
    Case("projects:deliverable.create", TEAM, kwargs=pk_a),
    Case("projects:deliverable.edit", TEAM, kwargs=of_project_a(DeliverableFactory)),
    Case("projects:deliverable.upload", TEAM, kwargs=of_project_a(DeliverableFactory)),
    Case(
        "projects:deliverable.review",
        TEAM_REDIRECT,
        method="post",
        data=lambda w: {"status": "accepted"},
        kwargs=of_project_a(DeliverableFactory),
    ),
    # Threads with the collective (projects.conversations): the team's pages; partners use the portal's.
    Case(
        "projects:comment.list",
        TEAM,
        kwargs=lambda w: {"key": "deliverable", "object_id": _discussed(w).pk},
        secret=lambda w: "Note SECRET-A",
    ),
    Case(
        "projects:comment.list",
        TEAM,
        kwargs=lambda w: {"key": "project", "object_id": w.project_a.pk},
        id="get:comment.list (project)",
    ),
    Case(
        "projects:comment.post",
        TEAM_REDIRECT,
        method="post",
        data=lambda w: {"body": "Bien reçu, merci."},
        kwargs=lambda w: {"key": "action", "object_id": ActionFactory(project=w.project_a).pk},
    ),
    invalid_post(
        "projects:comment.post",
        {**TEAM, "staff": 400, "director": 400},
        kwargs=lambda w: {"key": "deliverable", "object_id": _discussed(w).pk},
    ),
    Case(
        "projects:comment.list",
        {**TEAM, "staff": 404, "director": 404},
        kwargs=lambda w: {"key": "unknown", "object_id": w.project_a.pk},
        id="get:comment.list (unknown kind)",
    ),
    Case(
        "projects:deliverable.download",
        PARTNER_A_OBJECT,
        kwargs=_deliverable_version,
        secret=lambda w: "%PDF-1.4",
    ),
    Case("projects:document.create", TEAM, kwargs=pk_a),
    Case("projects:document.upload", TEAM, kwargs=of_project_a(DocumentFactory)),
    Case(
        "projects:document.download",
        PARTNER_A_OBJECT,
        kwargs=lambda w: {"pk": _document(w, shared=True).pk},
        secret=lambda w: "%PDF-1.4",
        id="get:document.download (shared)",
    ),
    Case(
        "projects:document.download",
        {**PARTNER_A_OBJECT, "partner_a": 404},
        kwargs=lambda w: {"pk": _document(w, shared=False).pk},
        id="get:document.download (team only)",
    ),
    Case(
        "projects:document.version.download",
        PARTNER_A_OBJECT,
        kwargs=lambda w: {"pk": _document(w, shared=True).pk, "number": 1},
    ),
    # --- Money (projects/funding) ---
    *funding_cases(),
    # --- Exchanges and the structure page's pieces (projects/relations) ---
    *relations_cases(),
    # --- E-mail from the record (projects/mailing) ---
    *mailing_cases(),
    # --- The team inbox « À traiter » (projects/inbox) ---
    Case("projects:inbox", TEAM),
    Case("projects:inbox", TEAM, query="?pour=equipe", id="get:inbox (team)"),
    Case("projects:inbox.count", TEAM),
    Case("projects:inbox.assign", TEAM_REDIRECT, method="post", data=_inbox_assign),
    Case("projects:inbox.reassign", TEAM, kwargs=_inbox_reassign),
    invalid_post("projects:inbox.assign", TEAM_REDIRECT),
    Case("projects:inbox.seen", TEAM_REDIRECT, method="post", data=_inbox_seen),
]


__all__ = ["LOGIN"]


# --- Phase templates (projects/phasetemplates): the team reads, directors save new versions ----------
def _phase_template(world):
    from programme.models import Role, User
    from projects.phasetemplates.services import template_new_version

    director = User.objects.filter(role=Role.DIRECTOR).first()
    return template_new_version(
        actor=director,
        programme=world.programme,
        phase="emergence",
        items=[{"kind": "milestone", "title": "Diagnostic partagé", "offset": 2, "offset_unit": "months"}],
    )


CASES += [
    Case("projects:phasetemplate.list", TEAM),
    Case("projects:phasetemplate.detail", TEAM, kwargs=pk_of(_phase_template)),
    Case("projects:phasetemplate.edit", DIRECTOR, query="phase=emergence"),
    Case("projects:phasetemplate.project", TEAM, kwargs=lambda w: {"pk": w.project_a.pk}),
]
