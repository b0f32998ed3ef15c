"""Writes of findings, recommendations, gate dossiers and essaimage kits.

A dossier and a kit are ordered in a request and rendered by a Celery worker (`tasks.py`), the same way
reports are (`evaluation.reports`: the claim with one conditional UPDATE, `pdf.html_to_pdf`), but they are
their own models rather than a `Report` kind: a report is rendered again when it is shared or retried (its
file changes edition), while a dossier is rendered exactly once and then never changes — the decision that
used it keeps its PDF, SHA-256 and snapshot (`DecisionDossier`, PROTECT). A failed render is ordered anew.
"""

import hashlib
import io
import json
import logging
import time
import zipfile
from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import EvaluationCriterion, EvaluationQuestion, Lesson, Measurement
from programme import access
from programme.audit import audit_log, delete_audited
from programme.formatting import fr_date
from programme.models import Role, User
from projects.models import Deliverable, DeploymentSite, GateDecision, Phase, Project, WorkshopItem

from . import selectors
from .models import (
    CollectiveReading,
    CriterionLevel,
    DecisionDossier,
    EssaimageKit,
    Evidence,
    EvidenceKind,
    Finding,
    GateDossier,
    Recommendation,
    Rendered,
    RenderStatus,
    SiteKit,
)

logger = logging.getLogger(__name__)


def _team(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied


# --- Findings ----------------------------------------------------------------------------------------------


@transaction.atomic
def finding_save(
    *, actor: User, question: EvaluationQuestion, answer: str, levels: Mapping[int, tuple[str, str]]
) -> Finding:
    """Write (or rewrite) the team's answer to an evaluative question and the level of its criteria:
    `levels` maps a criterion id to (level, justification); a criterion left without a level is not
    evaluated yet. A level without its justification is refused."""
    _team(actor)
    answer = (answer or "").strip()
    errors: dict[str, list[str]] = {}
    if not answer:
        errors["answer"] = [_("Écrivez la réponse de l’équipe à la question.")]
    criteria = {c.pk: c for c in EvaluationCriterion.objects.filter(question=question)}
    for criterion_id, (level, justification) in levels.items():
        if criterion_id not in criteria:
            errors.setdefault("__all__", []).append(_("Ce critère n’appartient pas à cette question."))
        elif level and not (justification or "").strip():
            errors[f"justification_{criterion_id}"] = [_("Justifiez le niveau retenu pour ce critère.")]
    if errors:
        raise ValidationError(errors)
    finding, created = Finding.objects.select_for_update().get_or_create(
        question=question, defaults={"project_id": question.project_id, "answer": answer, "updated_by": actor}
    )
    if not created:
        finding.answer, finding.updated_by = answer, actor
        finding.save(update_fields=["answer", "updated_by", "updated_at"])
    for criterion_id, (level, justification) in levels.items():
        if level:
            CriterionLevel.objects.update_or_create(
                criterion_id=criterion_id,
                defaults={"finding": finding, "level": level, "justification": justification.strip()},
            )
        else:
            CriterionLevel.objects.filter(criterion_id=criterion_id).delete()
    audit_log(
        actor=actor,
        obj=finding,
        action="finding.created" if created else "finding.updated",
        changes={"answer": [None, answer[:200]]},
    )
    return finding


#: The model and the message of each kind of linked evidence, when it belongs to another project.
EVIDENCE_SOURCES: dict[str, tuple[Any, str, Any]] = {
    EvidenceKind.MEASUREMENT: (
        Measurement,
        "project_indicator__project_id",
        gettext_lazy(
            "Cette mesure appartient à un autre projet : un constat ne s’appuie que sur les preuves de son projet."
        ),
    ),
    EvidenceKind.DELIVERABLE: (
        Deliverable,
        "project_id",
        gettext_lazy(
            "Ce livrable appartient à un autre projet : un constat ne s’appuie que sur les preuves de son projet."
        ),
    ),
    EvidenceKind.WORKSHOP_ITEM: (
        WorkshopItem,
        "project_id",
        gettext_lazy(
            "Cette production d’atelier appartient à un autre projet : un constat ne s’appuie que sur les preuves de son projet."
        ),
    ),
}


@transaction.atomic
def evidence_add(
    *, actor: User, finding: Finding, kind: str, record_id: int | None = None, observation: str = ""
) -> Evidence:
    """Link a measurement, deliverable or workshop output of the finding's project, or write an
    observation. Evidence from another project is refused with the reason."""
    _team(actor)
    if kind == EvidenceKind.OBSERVATION:
        observation = (observation or "").strip()
        if not observation:
            raise ValidationError({"observation": [_("Écrivez l’observation.")]})
        evidence = Evidence.objects.create(finding=finding, kind=kind, observation=observation)
    elif kind in EVIDENCE_SOURCES:
        model, project_field, other_project = EVIDENCE_SOURCES[kind]
        record = access.scoped(actor, model).filter(pk=record_id or 0).values(project_field).first()
        if record is None:
            raise ValidationError({"record": [_("Choisissez l’élément à lier.")]})
        if record[project_field] != finding.project_id:
            raise ValidationError({"record": [str(other_project)]})
        if (
            kind == EvidenceKind.MEASUREMENT
            and Measurement.objects.filter(pk=record_id or 0).exclude(status="validated").exists()
        ):
            raise ValidationError({"record": [_("Seule une mesure validée peut servir de preuve.")]})
        evidence = Evidence.objects.create(
            finding=finding, kind=kind, **{kind: model.objects.get(pk=record_id)}
        )
    else:
        raise ValidationError({"kind": [_("Nature de preuve inconnue.")]})
    audit_log(
        actor=actor,
        obj=finding,
        action="finding.evidence_added",
        changes={"preuve": [None, selectors.evidence_text(evidence)]},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence: Evidence) -> None:
    _team(actor)
    delete_audited(
        actor=actor,
        obj=evidence,
        on=evidence.finding,
        action="finding.evidence_removed",
        removed={"preuve": selectors.evidence_text(evidence)},
    )


def _set_shared[M: Finding | Lesson](*, actor: User, obj: M, shared: bool, action: str) -> M:
    """Open (or close) `obj` to the collective: audited as `<action>.share` or `<action>.unshare` when the
    flag changes, the row locked so that two clicks make one entry."""
    _team(actor)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)  # type: ignore[assignment]
    if obj.shared_with_collective != shared:
        audit_log(
            actor=actor,
            obj=obj,
            action=f"{action}.share" if shared else f"{action}.unshare",
            changes={"shared_with_collective": [obj.shared_with_collective, shared]},
        )
        obj.shared_with_collective = shared
        obj.save(update_fields=["shared_with_collective", "updated_at"])
    return obj


@transaction.atomic
def finding_share(*, actor: User, finding: Finding, shared: bool) -> Finding:
    """Open (or close) a finding to the collective, who may then read it and add their reading."""
    return _set_shared(actor=actor, obj=finding, shared=shared, action="finding")


@transaction.atomic
def lesson_share(*, actor: User, lesson: Lesson, shared: bool) -> Lesson:
    """Open (or close) a lesson to the collectives of its projects: they read it in the portal and a shared
    essaimage kit lists it. A lesson tied to no project reaches nobody: refused."""
    if shared and not lesson.projects.exists():
        raise ValidationError(_("Rattachez l’enseignement à un projet avant de le partager."))
    return _set_shared(actor=actor, obj=lesson, shared=shared, action="lesson")


@transaction.atomic
def reading_add(*, actor: User, finding: Finding, text: str) -> CollectiveReading:
    """The collective's reading of a finding the team shared, written by a partner from the portal."""
    if not access.is_partner(actor) or not access.scoped(actor, Finding).filter(pk=finding.pk).exists():
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Écrivez la lecture du collectif.")]})
    reading = CollectiveReading.objects.create(
        finding=finding, author=actor, organisation_id=actor.organisation_id, text=text
    )
    audit_log(actor=actor, obj=finding, action="finding.reading", changes={"lecture": [None, text[:200]]})
    return reading


# --- Recommendations ---------------------------------------------------------------------------------------


@transaction.atomic
def recommendation_save(
    *, actor: User, project: Project, phase: str, verdict: str, argument: str, shared: bool = False
) -> Recommendation:
    """The team's recommendation for the end of a phase (one per project and phase, rewritten in place)."""
    _team(actor)
    argument = (argument or "").strip()
    if not argument:
        raise ValidationError({"argument": [_("Argumentez la recommandation.")]})
    if phase not in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
        raise ValidationError(
            {"phase": [_("Une recommandation porte sur la fin d’une phase d’accompagnement.")]}
        )
    recommendation, created = Recommendation.objects.update_or_create(
        project=project,
        phase=phase,
        defaults={
            "verdict": verdict,
            "argument": argument,
            "shared_with_collective": shared,
            "updated_by": actor,
        },
    )
    audit_log(
        actor=actor,
        obj=project,
        action="recommendation.created" if created else "recommendation.updated",
        changes={"recommandation": [None, str(recommendation)]},
    )
    return recommendation


# --- Rendering (dossier and kit) ---------------------------------------------------------------------------


def _reader(obj: GateDossier | EssaimageKit) -> User | None:
    """Whose eyes a document is read with: its requester while on the team, else an active director."""
    if obj.requested_by_id and obj.requested_by and access.is_team(obj.requested_by):
        return obj.requested_by
    return User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()


def _claim(model: type[GateDossier] | type[EssaimageKit], pk: int) -> Any:
    """queued → running with one conditional UPDATE: a document is rendered by one worker, once."""
    now = timezone.now()
    if not model.objects.filter(pk=pk, status=RenderStatus.QUEUED).update(
        status=RenderStatus.RUNNING, started_at=now
    ):
        return None
    return model.objects.select_related("project__lead_organisation", "requested_by").get(pk=pk)


def _done(model: Any, pk: int, *, rendered: Any, snapshot: Any, started: float, **files: str) -> None:
    """A render that succeeded, on its claim: its stored `files` (`file=`, a kit's `archive=`), the PDF's
    SHA-256, pages and size, the snapshot it shows and how long it took."""
    model.objects.filter(pk=pk, status=RenderStatus.RUNNING).update(
        status=RenderStatus.DONE,
        **files,
        sha256=sha256_of(rendered.content),
        snapshot=snapshot,
        pages=rendered.pages,
        size=len(rendered.content),
        duration=round(time.monotonic() - started, 3),
        finished_at=timezone.now(),
    )


def _fail(model: Any, pk: int, error: Exception, started: float) -> None:
    from evaluation.reports.services import render_failure

    logger.exception("Rendering %s %s failed", model.__name__, pk)
    model.objects.filter(pk=pk, status=RenderStatus.RUNNING).update(
        status=RenderStatus.FAILED,
        error=render_failure(error),
        duration=round(time.monotonic() - started, 3),
        finished_at=timezone.now(),
    )


def render_expire_stale(obj: Rendered) -> bool:
    """A dossier or kit left running past the render's hard time limit (its worker killed) is shown as
    failed, with its reason, so its page offers to prepare it again instead of waiting forever. True when
    it was. Rendered once or never: it is not restarted by itself, unlike a report."""
    from evaluation.reports.services import INTERRUPTED, STALE_AFTER

    if obj.status != RenderStatus.RUNNING or not obj.started_at:
        return False
    if obj.started_at >= timezone.now() - STALE_AFTER:
        return False
    expired = bool(
        type(obj)
        ._default_manager.filter(pk=obj.pk, status=RenderStatus.RUNNING, started_at=obj.started_at)
        .update(status=RenderStatus.FAILED, error=str(INTERRUPTED), finished_at=timezone.now())
    )
    if expired:
        logger.warning("%s %s was left running past its time limit", type(obj).__name__, obj.pk)
        obj.status, obj.error = RenderStatus.FAILED, str(INTERRUPTED)
    return expired


def renders_requeue_stuck() -> int:
    """The sweeper of dossiers and kits (beat, every 5 minutes), on the reports' rules
    (`evaluation.reports.services.stuck_renders`): one the queue never took is handed to it again (the
    claim makes a twin harmless), one left running past the time limit is shown as failed
    (`render_expire_stale`). Returns how many were handed to the queue."""
    from evaluation.reports.services import stuck_renders

    handed = 0
    for model, task in ((GateDossier, "render_dossier"), (EssaimageKit, "render_kit")):
        for obj in stuck_renders(model).order_by("created_at"):
            if obj.status == RenderStatus.QUEUED:
                handed += _enqueue(task, obj.pk)
            else:
                render_expire_stale(obj)
    return handed


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _enqueue(task_name: str, pk: int) -> bool:
    from programme.celery import enqueue

    from . import tasks

    return enqueue(getattr(tasks, task_name), pk)


# --- The gate dossier --------------------------------------------------------------------------------------


@transaction.atomic
def dossier_prepare(*, actor: User, project: Project) -> GateDossier:
    """« Préparer le dossier »: order the PDF of the project's gate dossier, rendered in the background
    from the data of today. A dossier already being prepared is returned instead of a second one."""
    _team(actor)
    if project.phase not in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT, Phase.SELECTION):
        raise ValidationError(_("Le projet est clos : plus de dossier de décision à préparer."))
    pending = (
        GateDossier.objects.select_for_update()
        .filter(project=project, status__in=[RenderStatus.QUEUED, RenderStatus.RUNNING])
        .first()
    )
    if pending and render_expire_stale(pending):
        pending = None  # its worker died past the time limit: shown as failed, a new dossier is prepared
    if pending:
        if pending.status == RenderStatus.QUEUED:  # asked again: hand it to the queue again (the claim
            transaction.on_commit(lambda: _enqueue("render_dossier", pending.pk))  # makes a twin harmless)
        return pending
    try:
        with transaction.atomic():
            dossier = GateDossier.objects.create(
                project=project, phase=project.phase, as_of=timezone.localdate(), requested_by=actor
            )
    except IntegrityError:  # a simultaneous request won
        return GateDossier.objects.get(
            project=project, status__in=[RenderStatus.QUEUED, RenderStatus.RUNNING]
        )
    audit_log(
        actor=actor,
        obj=project,
        action="dossier.prepare",
        changes={"dossier": [None, fr_date(dossier.as_of)]},
    )
    transaction.on_commit(lambda: _enqueue("render_dossier", dossier.pk))
    return dossier


def _toc(snapshot: dict[str, Any]) -> list[dict[str, str]]:
    toc = [
        ("synthese", _("Synthèse")),
        ("constats", _("Constats et recommandation")),
        ("indicateurs", _("Indicateurs : référence, valeur et cible")),
        ("maturite", _("Évolution de la maturité coopérative")),
        ("ateliers", _("Ateliers de la phase et leurs productions")),
    ]
    if "prototypes" in snapshot:
        toc.append(("prototypes", _("Prototypes et comment ils ont été testés")))
    toc.append(("livrables", _("Livrables")))
    if "lessons" in snapshot:
        toc.append(("enseignements", _("Enseignements partagés")))
    toc.append(("financement", _("Financement du projet")))
    return [{"id": key, "title": str(title)} for key, title in toc]


def print_html(*, kind: str, title: str, snapshot: dict[str, Any], as_of: date, requested_by: str) -> str:
    """The print HTML of a dossier (`kind` "dossier") or a kit ("kit"), drawn from its snapshot only."""
    template = "reports/gate_dossier.html" if kind == "dossier" else "reports/essaimage_kit.html"
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Dossier de décision d’étape") if kind == "dossier" else _("Kit d’essaimage")
        return render_to_string(
            template,
            {
                "report": {"title": title, "kind": kind, "get_kind_display": label},
                "sections": _toc(snapshot),
                "snap": snapshot,
                "as_of": fr_date(as_of),
                "generated_at": fr_date(timezone.now()),
                "requested_by": requested_by,
            },
        )


def dossier_render(*, dossier_id: int) -> GateDossier | None:
    """Build the snapshot, lay it out, store the PDF with its SHA-256. Not atomic, like report_render:
    every write is one UPDATE conditioned on the claim."""
    from evaluation.reports.pdf import html_to_pdf

    dossier = _claim(GateDossier, dossier_id)
    if dossier is None:
        return None
    started = time.monotonic()
    try:
        reader = _reader(dossier)
        if reader is None:
            raise RuntimeError(_("aucun membre de l’équipe actif pour lire le dossier"))
        with translation.override(settings.LANGUAGE_CODE):
            snapshot = selectors.dossier_snapshot(
                user=reader, project=dossier.project, as_of=dossier.as_of, phase=dossier.phase
            )
        title = _("Dossier de décision — %(project)s") % {"project": dossier.project.title}
        html = print_html(
            kind="dossier",
            title=title,
            snapshot=snapshot,
            as_of=dossier.as_of,
            requested_by=str(dossier.requested_by or ""),
        )
        rendered = html_to_pdf(html)
        name = default_storage.save(
            f"dossiers/{dossier.as_of:%Y/%m}/dossier-{dossier.pk}.pdf", ContentFile(rendered.content)
        )
        _done(GateDossier, dossier.pk, rendered=rendered, snapshot=snapshot, started=started, file=name)
    except Exception as error:  # noqa: BLE001 — any failure is recorded and shown with its reason
        _fail(GateDossier, dossier.pk, error, started)
    dossier.refresh_from_db()
    return dossier  # type: ignore[no-any-return]


@transaction.atomic
def document_share(*, actor: User, document: GateDossier | EssaimageKit, shared: bool) -> None:
    """Let the project's collective read (and download) a finished dossier or kit, or stop. Refused while
    it holds what the team keeps to itself (`selectors.share_refusal`; a kit holds only what the
    collective may read, `selectors.kit_snapshot`, but for the project's money)."""
    _team(actor)
    dossier = isinstance(document, GateDossier)
    model = type(document)
    current = model._default_manager.select_for_update().get(pk=document.pk)
    if current.status != RenderStatus.DONE:
        raise ValidationError(
            _("Le dossier doit être prêt avant d’être partagé.")
            if dossier
            else _("Le kit doit être prêt avant d’être partagé.")
        )
    refusal = selectors.share_refusal(document=current) if shared else ""
    if refusal:
        raise ValidationError(refusal)
    if current.shared_with_collective != shared:
        audit_log(
            actor=actor,
            obj=document.project,
            action=f"{'dossier' if dossier else 'kit'}.{'share' if shared else 'unshare'}",
            changes={"shared_with_collective": [current.shared_with_collective, shared]},
        )
        model._default_manager.filter(pk=document.pk).update(shared_with_collective=shared)
    document.shared_with_collective = shared


# --- The decision hook (projects.gate_hooks) ---------------------------------------------------------------

NO_DOSSIER = ""


def decision_fields(project: Project) -> dict[str, forms.Field]:
    """The decision form's « Dossier présenté au comité » and the reason to decide without one."""
    choices = [
        (
            str(d.pk),
            _("Dossier préparé le %(date)s (%(sha)s…)")
            % {"date": fr_date(d.finished_at or d.created_at), "sha": d.sha256[:12]},
        )
        for d in selectors.usable_dossiers(project=project)
    ]
    return {
        "dossier": forms.ChoiceField(
            label=_("Dossier présenté au comité"),
            choices=[*choices, (NO_DOSSIER, _("Aucun dossier préparé"))],
            required=False,
            initial=choices[0][0] if choices else NO_DOSSIER,
            help_text=_("Le dossier retenu est joint à la décision, tel quel : PDF, empreinte et chiffres."),
        ),
        "no_dossier_reason": forms.CharField(
            label=_("Motif d’une décision sans dossier"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Obligatoire quand aucun dossier n’a été préparé."),
        ),
    }


def decision_check(*, project: Project, actor: User, data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Before the move: the dossier chosen (of this project and phase, finished) and whether the data
    changed since it was prepared — judged on the project as the committee saw it —, or the reason to
    decide without one. Refuses a decision with neither."""
    if data is None:  # not taken through the decision form (demo data, scripts)
        return None
    chosen = str(data.get("dossier") or NO_DOSSIER)
    reason = (data.get("no_dossier_reason") or "").strip()
    if chosen == NO_DOSSIER:
        if not reason:
            raise ValidationError(
                {
                    "no_dossier_reason": [
                        _(
                            "Aucun dossier n’est joint : préparez le dossier, ou dites pourquoi la décision "
                            "se prend sans lui."
                        )
                    ]
                }
            )
        return {"dossier": None, "reason": reason, "stale": False}
    dossier = (
        GateDossier.objects.select_for_update()
        .filter(pk=int(chosen) if chosen.isdigit() else 0, project=project, phase=project.phase)
        .filter(status=RenderStatus.DONE)
        .first()
    )
    if dossier is None:
        raise ValidationError(
            {"dossier": [_("Ce dossier n’est pas un dossier prêt de ce projet pour cette phase.")]}
        )
    dossier.project = project
    return {
        "dossier": dossier,
        "reason": reason,
        "stale": selectors.dossier_is_stale(user=actor, dossier=dossier),
    }


def decision_record(
    *, decision: GateDecision, actor: User, data: Mapping[str, Any] | None, checked: dict[str, Any] | None
) -> DecisionDossier | None:
    """Attach the dossier the committee saw to the decision, immutable (the dossier is PROTECTed and never
    rendered again), or the reason there was none."""
    if checked is None:
        return None
    dossier: GateDossier | None = checked["dossier"]
    record = DecisionDossier.objects.create(
        decision=decision, dossier=dossier, reason=checked["reason"], stale=checked["stale"]
    )
    if dossier is None:
        audit_log(
            actor=actor,
            obj=decision.project,
            action="dossier.none",
            changes={"motif": [None, checked["reason"]]},
        )
    else:
        audit_log(
            actor=actor,
            obj=decision.project,
            action="dossier.attach",
            changes={"dossier": [None, dossier.sha256], "données modifiées depuis": [None, checked["stale"]]},
        )
    return record


# --- The essaimage kit -------------------------------------------------------------------------------------


@transaction.atomic
def kit_generate(*, actor: User, project: Project) -> EssaimageKit:
    """« Générer le kit »: the next version of the project's essaimage kit, rendered in the background.
    Refused without findings, or without the « Essaimer » recommendation at the end of Expérimentation."""
    _team(actor)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    refusal = selectors.kit_refusal(user=actor, project=project)
    if refusal:
        raise ValidationError(refusal)
    pending = EssaimageKit.objects.filter(
        project=project, status__in=[RenderStatus.QUEUED, RenderStatus.RUNNING]
    ).first()
    if pending is not None and not render_expire_stale(pending):
        return pending  # asked twice (a double click): the version being rendered, not a second one
    last = EssaimageKit.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0
    kit = EssaimageKit.objects.create(project=project, version=last + 1, requested_by=actor)
    audit_log(actor=actor, obj=project, action="kit.generate", changes={"version": [None, kit.version]})
    transaction.on_commit(lambda: _enqueue("render_kit", kit.pk))
    return kit


def kit_render(*, kit_id: int) -> EssaimageKit | None:
    """The kit as a PDF and a ZIP (the PDF, the snapshot as JSON, the shared deliverables' latest files)."""
    from evaluation.reports.pdf import html_to_pdf

    kit = _claim(EssaimageKit, kit_id)
    if kit is None:
        return None
    started = time.monotonic()
    try:
        reader = _reader(kit)
        if reader is None:
            raise RuntimeError(_("aucun membre de l’équipe actif pour lire le kit"))
        with translation.override(settings.LANGUAGE_CODE):
            snapshot = selectors.kit_snapshot(user=reader, project=kit.project, as_of=timezone.localdate())
        title = _("Kit d’essaimage — %(project)s — version %(version)s") % {
            "project": kit.project.title,
            "version": kit.version,
        }
        html = print_html(
            kind="kit",
            title=title,
            snapshot=snapshot,
            as_of=timezone.localdate(),
            requested_by=str(kit.requested_by or ""),
        )
        rendered = html_to_pdf(html)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"kit-essaimage-v{kit.version}.pdf", rendered.content)
            archive.writestr("donnees.json", json.dumps(snapshot, ensure_ascii=False, indent=2))
            for name, content in selectors.kit_files(kit.project):
                archive.writestr(f"livrables/{name}", content)
        base = f"kits/{timezone.localdate():%Y/%m}/kit-{kit.project_id}-v{kit.version}"
        pdf_name = default_storage.save(f"{base}.pdf", ContentFile(rendered.content))
        zip_name = default_storage.save(f"{base}.zip", ContentFile(buffer.getvalue()))
        _done(
            EssaimageKit,
            kit.pk,
            rendered=rendered,
            snapshot=snapshot,
            started=started,
            file=pdf_name,
            archive=zip_name,
        )
    except Exception as error:  # noqa: BLE001 — any failure is recorded and shown with its reason
        _fail(EssaimageKit, kit.pk, error, started)
    kit.refresh_from_db()
    return kit  # type: ignore[no-any-return]


@transaction.atomic
def site_kit_set(*, actor: User, site: DeploymentSite, kit: EssaimageKit | None) -> None:
    """Record which kit version a deployment site started from (a kit of the same project)."""
    _team(actor)
    if kit is not None and (kit.project_id != site.project_id or kit.status != RenderStatus.DONE):
        raise ValidationError({"kit": [_("Choisissez un kit prêt de ce projet.")]})
    if kit is None:
        SiteKit.objects.filter(site=site).delete()
    else:
        SiteKit.objects.update_or_create(site=site, defaults={"kit": kit})
    audit_log(
        actor=actor, obj=site, action="site.kit", changes={"kit": [None, f"v{kit.version}" if kit else None]}
    )
