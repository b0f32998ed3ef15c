"""Every URL of project steering against every role (walked by tests/test_access_matrix.py)."""

from tests.access import DIRECTOR, LOGIN, PARTNER_A_OBJECT, SIGNED_IN, TEAM, Case

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

EVERYONE_404 = dict.fromkeys(("anonymous", "staff", "director", "partner_a", "partner_b"), 404)
EVERYONE_200 = dict.fromkeys(("anonymous", "staff", "director", "partner_a", "partner_b"), 200)
TEAM_REDIRECT = {**TEAM, "staff": 302, "director": 302}
SIGNED_IN_REDIRECT = {**SIGNED_IN, "staff": 302, "director": 302, "partner_a": 302, "partner_b": 302}


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


def _deliverable_version(w):
    from projects.services import deliverable_upload

    deliverable = DeliverableFactory(
        project=w.project_a, owner_organisation=w.org_a, title="Livrable secret A"
    )
    return {
        "pk": deliverable.pk,
        "number": deliverable_upload(actor=w.director, deliverable=deliverable, file=pdf_file()).number,
    }


CASES = [
    Case("projects:project.list", TEAM),
    Case("projects:project.board", TEAM),
    Case("projects:project.create", TEAM),
    Case(
        "projects:project.create", TEAM, method="post", data=lambda w: {}, id="post:project.create (invalid)"
    ),
    Case("projects:deadline.list", TEAM),
    Case("projects:panel.deadlines", TEAM),
    Case("projects:calendar", SIGNED_IN),
    Case("projects:calendar.token", SIGNED_IN_REDIRECT, method="post", data=lambda w: {"action": "rotate"}),
    Case("projects:calendar.feed", EVERYONE_200, kwargs=_feed_token, id="get:calendar.feed (valid token)"),
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
    Case(
        "projects:stakeholder.edit", TEAM, kwargs=lambda w: {"pk": StakeholderFactory(project=w.project_a).pk}
    ),
    Case("projects:workshop.create", TEAM, kwargs=pk_a),
    Case("projects:workshop.detail", TEAM, kwargs=lambda w: {"pk": WorkshopFactory(project=w.project_a).pk}),
    Case("projects:workshop.edit", TEAM, kwargs=lambda w: {"pk": WorkshopFactory(project=w.project_a).pk}),
    Case(
        "projects:workshop.item.create",
        TEAM,
        method="post",
        data=lambda w: {},
        kwargs=lambda w: {"pk": WorkshopFactory(project=w.project_a).pk},
    ),
    Case("projects:committee.create", TEAM, kwargs=pk_a),
    Case(
        "projects:committee.detail", TEAM, kwargs=lambda w: {"pk": CommitteeFactory(project=w.project_a).pk}
    ),
    Case("projects:committee.edit", TEAM, kwargs=lambda w: {"pk": CommitteeFactory(project=w.project_a).pk}),
    Case(
        "projects:committee.decision.create",
        TEAM,
        method="post",
        data=lambda w: {},
        kwargs=lambda w: {"pk": CommitteeFactory(project=w.project_a).pk},
    ),
    Case("projects:action.create", TEAM, kwargs=pk_a),
    Case(
        "projects:action.edit",
        TEAM,
        kwargs=lambda w: {"pk": ActionFactory(project=w.project_a, owner_user=w.staff).pk},
    ),
    Case("projects:site.create", TEAM, kwargs=pk_a),
    Case("projects:site.edit", TEAM, kwargs=lambda w: {"pk": _site(w).pk}),
    Case("projects:dissemination.create", TEAM, kwargs=pk_a),
    Case("projects:dissemination.edit", TEAM, kwargs=lambda w: {"pk": _dissemination(w).pk}),
    Case("projects:advocacy.create", TEAM, kwargs=pk_a),
    Case("projects:advocacy.edit", TEAM, kwargs=lambda w: {"pk": _advocacy(w).pk}),
    Case("projects:milestone.create", TEAM, kwargs=pk_a),
    Case("projects:milestone.edit", TEAM, kwargs=lambda w: {"pk": MilestoneFactory(project=w.project_a).pk}),
    Case("projects:deliverable.create", TEAM, kwargs=pk_a),
    Case(
        "projects:deliverable.edit", TEAM, kwargs=lambda w: {"pk": DeliverableFactory(project=w.project_a).pk}
    ),
    Case(
        "projects:deliverable.upload",
        TEAM,
        kwargs=lambda w: {"pk": DeliverableFactory(project=w.project_a).pk},
    ),
    Case(
        "projects:deliverable.review",
        TEAM_REDIRECT,
        method="post",
        data=lambda w: {"status": "accepted"},
        kwargs=lambda w: {"pk": DeliverableFactory(project=w.project_a).pk},
    ),
    Case(
        "projects:deliverable.download",
        PARTNER_A_OBJECT,
        kwargs=_deliverable_version,
        secret=lambda w: "%PDF-1.4",
    ),
    Case("projects:document.create", TEAM, kwargs=pk_a),
    Case("projects:document.upload", TEAM, kwargs=lambda w: {"pk": DocumentFactory(project=w.project_a).pk}),
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
]


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


__all__ = ["LOGIN"]
