"""Access cases of findings, recommendations, gate dossiers and essaimage kits (evaluation/judgement/),
added to the evaluation cases. Team pages: staff and directors in, partners 404. The collective reads only
what the team shared: a shared dossier's PDF (partner A for project A), the portal's findings page."""

from django.core.files.base import ContentFile
from django.utils import timezone

from evaluation.judgement import services
from evaluation.judgement.models import DecisionDossier, EssaimageKit, GateDossier
from projects.models import DeploymentSite, GateDecision
from tests.access import LOGIN, NOBODY, PARTNER_A_OBJECT, TEAM, TEAM_REDIRECT, Case
from tests.evaluation import judgement_helpers as h

#: The collective's portal page of project A: partner A only.
PARTNER_A_ONLY = {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 200, "partner_b": 404}
PARTNER_A_POST = {**PARTNER_A_ONLY, "partner_a": 302}


def _project(w):
    return {"project_pk": w.project_a.pk}


def _question(w):
    question, *_rest = h.protocol(w)
    return {"question_pk": question.pk}


def _finding(w, shared=False):
    finding = h.finding(w)
    if shared:
        services.finding_share(actor=w.staff, finding=finding, shared=True)
    return finding


def _dossier(w, shared=False) -> GateDossier:
    """A finished dossier, written directly (rendering is the dossier tests' business)."""
    dossier = GateDossier.objects.create(
        project=w.project_a,
        phase=w.project_a.phase,
        as_of=timezone.localdate(),
        status="done",
        sha256="0" * 64,
        snapshot={"project": {"title": w.project_a.title}},
        shared_with_collective=shared,
        requested_by=w.staff,
    )
    dossier.file.save("dossier.pdf", ContentFile(b"%PDF-1.4\n% dossier\n"), save=True)
    return dossier


def _decision(w):
    decision = GateDecision.objects.create(
        project=w.project_a,
        from_phase="selection",
        to_phase="emergence",
        outcome="continue",
        decided_by=w.director,
        decided_on=timezone.localdate(),
        committee="Comité",
        rationale="Probant",
    )
    DecisionDossier.objects.create(decision=decision, dossier=_dossier(w))
    return {"decision_pk": decision.pk}


def _kit(w, shared=False):
    kit = EssaimageKit.objects.create(
        project=w.project_a, version=1, status="done", requested_by=w.staff, shared_with_collective=shared
    )
    kit.file.save("kit.pdf", ContentFile(b"%PDF-1.4\n% kit\n"), save=True)
    return {"pk": kit.pk, "part": "pdf"}


def _site(w):
    from programme.models import Territory

    territory = Territory.objects.create(name="Territoire d’essai")
    return {"site_pk": DeploymentSite.objects.create(project=w.project_a, territory=territory).pk}


CASES = [
    Case("evaluation:judgement.findings", TEAM, kwargs=_project),
    Case("evaluation:judgement.finding", TEAM, kwargs=_question),
    Case(
        "evaluation:judgement.evidence.add",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"question_pk": _finding(w).question_id},
        data=lambda w: {"source": "observation", "observation": "Vu à la cantine"},
    ),
    Case(
        "evaluation:judgement.evidence.remove",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _finding(w).evidence.get().pk},
    ),
    Case(
        "evaluation:judgement.finding.share",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _finding(w).pk},
        data=lambda w: {"shared": "1"},
    ),
    Case("evaluation:judgement.recommendation", TEAM, kwargs=_project),
    Case("evaluation:judgement.dossier.prepare", TEAM_REDIRECT, method="post", kwargs=_project),
    Case("evaluation:judgement.decision_panel", TEAM, kwargs=_project),
    Case("evaluation:judgement.dossier", TEAM, kwargs=lambda w: {"pk": _dossier(w).pk}),
    Case("evaluation:judgement.dossier.download", TEAM, kwargs=lambda w: {"pk": _dossier(w).pk}),
    Case(
        "evaluation:judgement.dossier.download",
        PARTNER_A_OBJECT,
        kwargs=lambda w: {"pk": _dossier(w, shared=True).pk},
        id="get:judgement.dossier.download (shared)",
    ),
    Case(
        "evaluation:judgement.dossier.download",
        NOBODY,
        kwargs=lambda w: {"pk": 999999},
        id="get:judgement.dossier.download (unknown)",
    ),
    Case(
        "evaluation:judgement.dossier.share",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _dossier(w).pk},
        data=lambda w: {"shared": "1"},
    ),
    Case("evaluation:judgement.decision_seen", TEAM, kwargs=_decision),
    Case("evaluation:judgement.kit.generate", TEAM_REDIRECT, method="post", kwargs=_project),
    Case("evaluation:judgement.kit.download", TEAM, kwargs=_kit),
    Case(
        "evaluation:judgement.kit.download",
        PARTNER_A_OBJECT,
        kwargs=lambda w: _kit(w, shared=True),
        id="get:judgement.kit.download (shared)",
    ),
    Case(
        "evaluation:judgement.kit.share",
        TEAM_REDIRECT,
        method="post",
        kwargs=lambda w: {"pk": _kit(w)["pk"]},
        data=lambda w: {"shared": "1"},
    ),
    Case(
        "evaluation:judgement.site_kit",
        TEAM_REDIRECT,
        method="post",
        kwargs=_site,
        data=lambda w: {"kit": ""},
    ),
    Case(
        "portal:judgement.findings",
        PARTNER_A_ONLY,
        kwargs=lambda w: {"pk": _finding(w, shared=True).project_id},
        secret=lambda w: h.ANSWER,
    ),
    Case(
        "portal:judgement.reading",
        PARTNER_A_POST,
        method="post",
        kwargs=lambda w: {"finding_pk": _finding(w, shared=True).pk},
        data=lambda w: {"text": "Le collectif confirme."},
    ),
]
