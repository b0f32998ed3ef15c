"""Writes for PDF reports: order, render, retry, share, schedule.

A report is ordered in a request (`report_request`) and rendered by a Celery worker (`report_render`),
never in the request. The same request made twice while the first is queued or running returns the first
one: the dedupe key (kind + programme + project + sorted parameters) is unique among pending reports in
the database (`one_pending_report_per_request`), so even two simultaneous requests render once.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any, TypedDict, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import WRITTEN_SECTIONS, Report, ReportKind, ReportStage, ReportStatus, ReportText
from programme import access
from programme.audit import audit_log
from programme.formatting import failure, fr_date
from programme.models import Cohort, Programme, Role, Territory, User
from projects.funding.models import FundingSettings
from projects.models import Project

logger = logging.getLogger(__name__)

PENDING = (ReportStatus.QUEUED, ReportStatus.RUNNING)

#: Time limits of one render (seconds), used by the Celery task; the soft one lets us record the failure.
RENDER_SOFT_TIME_LIMIT = 300
RENDER_TIME_LIMIT = 330
#: A report "running" for longer than this was abandoned (hard time limit hit, worker killed).
STALE_AFTER = timedelta(seconds=RENDER_TIME_LIMIT + 60)
#: A report queued for longer than this without starting is handed to the queue again (the broker may
#: have lost its message); the claim makes a duplicate message harmless.
REQUEUE_AFTER = timedelta(minutes=10)
#: What a render left running past its time limit says once it is given up (a report after MAX_RESTARTS,
#: a gate dossier or an essaimage kit at once: their page then offers to prepare them again).
INTERRUPTED = gettext_lazy("Le rendu a été interrompu (temps maximal dépassé ou worker arrêté).")
#: How many times an interrupted render restarts by itself before it is shown as failed (a report that
#: kills its worker every time must not loop forever).
MAX_RESTARTS = 2


def render_failure(error: BaseException) -> str:
    """What a failed render (a report, a gate dossier, an essaimage kit) says on its page and in its e-mail."""
    return _("Le rendu a échoué : %(error)s") % {"error": failure(error)[:500]}


#: What a queued report says while the queue cannot take it; the sweeper hands it over once it is back.
QUEUE_DOWN = gettext_lazy(
    "La file de rendu est indisponible : le rapport démarrera automatiquement dès qu’elle sera rétablie."
)

#: Progress milestones (percent) and what the page says meanwhile.
PROGRESS_STEPS = [
    (0, gettext_lazy("En file d’attente")),
    (5, gettext_lazy("Collecte des données")),
    (55, gettext_lazy("Mise en forme du rapport")),
    (60, gettext_lazy("Mise en page (pagination, sommaire)")),
    (85, gettext_lazy("Écriture du PDF")),
    (95, gettext_lazy("Enregistrement")),
    (100, gettext_lazy("Terminé")),
]


def progress_label(progress: int) -> str:
    label = PROGRESS_STEPS[0][1]
    for threshold, text in PROGRESS_STEPS:
        if progress >= threshold:
            label = text
    return str(label)


# --- Parameters --------------------------------------------------------------------------------------


class ReportParameters(TypedDict, total=False):
    """A report's cleaned parameters, as stored in `Report.parameters` (JSON): the project of a funder
    report; the period (ISO dates) and the optional cohort and territory of an activity report."""

    project: int
    period_start: str
    period_end: str
    cohort: int
    territory: int


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)).isoformat()


def clean_parameters(
    *, kind: str, programme: Programme, project: Project | None, parameters: Mapping[str, Any]
) -> ReportParameters:
    """Validate and normalise a report's parameters; raise ValidationError with a translated reason."""
    if kind not in ReportKind.values:
        raise ValidationError(_("Type de rapport inconnu."))
    if kind == ReportKind.RESEARCH_MATRIX:
        from evaluation.research.reports import matrix_parameters  # the printable matrix (its own module)

        return cast(ReportParameters, matrix_parameters(parameters))
    if kind == ReportKind.FUNDER:
        if project is None:
            raise ValidationError(_("Choisissez le projet du rapport financeur."))
        if project.programme_id != programme.pk:
            raise ValidationError(_("Ce projet n’appartient pas à ce programme."))
        return {"project": project.pk}
    if project is not None:
        raise ValidationError(_("Un rapport d’activité porte sur le programme, pas sur un projet."))
    try:
        start = _iso(parameters.get("period_start"))
        end = _iso(parameters.get("period_end"))
    except (TypeError, ValueError):
        raise ValidationError(_("Indiquez une période valide (début et fin)."))
    if start > end:
        raise ValidationError(_("La fin de la période précède son début."))
    clean: ReportParameters = {"period_start": start, "period_end": end}
    cohort = parameters.get("cohort")
    if cohort:
        if not Cohort.objects.filter(pk=getattr(cohort, "pk", cohort), programme=programme).exists():
            raise ValidationError(_("Cette promotion n’appartient pas à ce programme."))
        clean["cohort"] = int(getattr(cohort, "pk", cohort))
    territory = parameters.get("territory")
    if territory:
        if not Territory.objects.filter(pk=getattr(territory, "pk", territory)).exists():
            raise ValidationError(_("Territoire inconnu."))
        clean["territory"] = int(getattr(territory, "pk", territory))
    return clean


def dedupe_key(
    *,
    kind: str,
    programme: Programme,
    project: Project | None,
    parameters: Mapping[str, object],
    draft: bool = False,
) -> str:
    payload: dict[str, object] = {
        "kind": kind,
        "programme": programme.pk,
        "project": getattr(project, "pk", None),
        "parameters": parameters,
    }
    if draft:  # a draft is another document than the same report generated in one go
        payload["draft"] = True
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def report_title(
    *, kind: str, programme: Programme, project: Project | None, parameters: ReportParameters
) -> str:
    if kind == ReportKind.RESEARCH_MATRIX:
        from evaluation.research.reports import matrix_title

        return matrix_title(programme, dict(parameters))
    if kind == ReportKind.FUNDER:
        assert project is not None  # clean_parameters refuses a funder report without a project
        return _("Rapport financeur — %(project)s") % {"project": project.title}
    period = f"{fr_date(date.fromisoformat(parameters['period_start']))} – {fr_date(date.fromisoformat(parameters['period_end']))}"
    title = _("Rapport d’activité — %(programme)s — %(period)s") % {
        "programme": programme.name,
        "period": period,
    }
    if parameters.get("cohort"):
        title += f" — {Cohort.objects.get(pk=parameters['cohort']).name}"
    if parameters.get("territory"):
        title += f" — {Territory.objects.get(pk=parameters['territory']).name}"
    return title[:255]


# --- Ordering ----------------------------------------------------------------------------------------


def queue_down_text() -> str:
    """QUEUE_DOWN as stored (in the site's language, whoever's request stored it), to find it again."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(QUEUE_DOWN)


def _enqueue(report_id: int) -> bool:
    """Hand the report to a worker. A broker that does not answer leaves the report queued with a clear
    message (the sweeper, `reports_requeue_stuck`, hands it over once the queue is back) instead of
    failing it or breaking the request. Returns whether the queue took it."""
    from programme.celery import enqueue

    from .tasks import render_report

    queued = Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED)
    if not enqueue(render_report, report_id):
        queued.update(error=queue_down_text())
        return False
    queued.exclude(error="").update(error="")
    return True


def _pending_twin(key: str) -> Report | None:
    twin = Report.objects.select_for_update().filter(dedupe_key=key, status__in=PENDING).first()
    if twin is not None and report_expire_stale(report=twin).status == ReportStatus.FAILED:
        return None  # an abandoned render does not block a new request
    return twin


def _restarts(report: Report) -> int:
    from programme.audit import audit_entries_for

    return audit_entries_for(report).filter(action="report.restart").count()


def report_expire_stale(*, report: Report) -> Report:
    """A report left running past the hard time limit (worker killed, render aborted) starts again by
    itself, up to MAX_RESTARTS times; then it is marked failed, so the page shows the reason and the
    retry button instead of a progress bar that never moves."""
    now = timezone.now()
    if (
        report.status != ReportStatus.RUNNING
        or not report.started_at
        or report.started_at > now - STALE_AFTER
    ):
        return report
    claim = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at)
    if _restarts(report) < MAX_RESTARTS:
        reason = _("Le rendu a été interrompu ; il reprend automatiquement.")
        if claim.update(status=ReportStatus.QUEUED, progress=0, error=reason, started_at=None):
            audit_log(
                actor=None, obj=report, action="report.restart", changes={"status": ["running", "queued"]}
            )
            transaction.on_commit(lambda: _enqueue(report.pk))
    else:
        reason = str(INTERRUPTED)
        if claim.update(status=ReportStatus.FAILED, error=reason, finished_at=now):
            audit_log(actor=None, obj=report, action="report.fail", changes={"error": [None, reason]})
    report.refresh_from_db()
    return report


def stuck_renders[M: Model](model: type[M], *, also: Q | None = None) -> QuerySet[M]:
    """What the sweepers look at among the renders of `model` — reports here, gate dossiers and essaimage
    kits in `evaluation.judgement` (a `status` queued / running, `created_at`, `started_at`): queued and
    never taken for REQUEUE_AFTER (broker down when ordered, message lost), or running past the hard time
    limit (worker killed). `also`: more rows the caller counts as stuck."""
    now = timezone.now()
    stuck = Q(status=ReportStatus.QUEUED, created_at__lt=now - REQUEUE_AFTER) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    )
    return model._default_manager.filter(stuck | also if also is not None else stuck)


def reports_requeue_stuck() -> int:
    """The sweeper (beat, every few minutes): hand to the queue again the reports it never took (broker
    down when they were ordered, message lost) and restart those left running past their time limit.
    Returns how many reports were handed over."""
    stuck = stuck_renders(Report, also=Q(status=ReportStatus.QUEUED, error=queue_down_text()))
    handed = 0
    for report in stuck.order_by("created_at"):
        with transaction.atomic():
            report = report_expire_stale(report=report)
        if report.status == ReportStatus.QUEUED and _enqueue(report.pk):
            handed += 1
    if handed:
        logger.info("Sweeper handed %d stuck report(s) to the queue", handed)
    return handed


def _create_or_join(*, key: str, fields: dict[str, Any]) -> tuple[Report, bool]:
    existing = _pending_twin(key)
    if existing:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin makes only this insert fail
            return Report.objects.create(dedupe_key=key, **fields), True
    except IntegrityError:
        twin = Report.objects.filter(dedupe_key=key, status__in=PENDING).first()
        if twin is None:
            raise
        return twin, False


@transaction.atomic
def report_request(
    *,
    actor: User | None,
    kind: str,
    programme: Programme,
    project: Project | None = None,
    parameters: Mapping[str, Any] | None = None,
    scheduled: bool = False,
    draft: bool = False,
) -> Report:
    """Order a report. Returns the new report, or the identical one already queued or running
    (`report.created` tells which). Rendering starts after the transaction commits. A `draft` comes
    with written sections the team edits (`report_text_save`) before its final rendering
    (`report_finalise`)."""
    if not scheduled and not access.is_team(actor):
        raise ValidationError(_("Seule l’équipe du programme peut commander un rapport."))
    params = clean_parameters(kind=kind, programme=programme, project=project, parameters=parameters or {})
    key = dedupe_key(kind=kind, programme=programme, project=project, parameters=params, draft=draft)
    report, created = _create_or_join(
        key=key,
        fields={
            "kind": kind,
            "programme": programme,
            "project": project,
            "parameters": params,
            "title": report_title(kind=kind, programme=programme, project=project, parameters=params),
            "requested_by": actor if actor is not None and actor.is_authenticated else None,
            "scheduled": scheduled,
            "stage": ReportStage.DRAFT if draft else ReportStage.GENERATED,
        },
    )
    report.created = created
    if not created and report_is_stuck(report):
        # Ordered again while the queue had not taken it: try again now rather than at the next sweep.
        transaction.on_commit(lambda: _enqueue(report.pk))
    if created:
        changes: dict[str, list[str | None]] = {"title": [None, report.title]}
        if scheduled:
            changes["scheduled"] = [None, _("planification mensuelle")]
        if draft:
            changes["stage"] = [None, str(ReportStage.DRAFT.label)]
        audit_log(actor=actor, obj=report, action="report.request", changes=changes)
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def report_is_stuck(report: Report) -> bool:
    """Queued but refused by the queue (or waiting for too long), or running past its time limit."""
    now = timezone.now()
    if report.status == ReportStatus.QUEUED:
        return report.error == queue_down_text() or report.created_at < now - REQUEUE_AFTER
    started = report.started_at
    return report.status == ReportStatus.RUNNING and started is not None and started < now - STALE_AFTER


@transaction.atomic
def report_retry(*, actor: User, report: Report) -> Report:
    """Queue a failed or stuck report again. If an identical report is already pending, that one is
    returned. A stuck report (see `report_is_stuck`) is handed to the queue again as it is."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status in PENDING:
        if not report_is_stuck(report):
            raise ValidationError(_("Ce rapport est en cours : il n’y a rien à relancer."))
        previous = report.status
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.QUEUED, progress=0, started_at=None, finished_at=None
        )
        report.refresh_from_db()
        report.created = True
        audit_log(actor=actor, obj=report, action="report.retry", changes={"status": [previous, "queued"]})
        transaction.on_commit(lambda: _enqueue(report.pk))
        return report
    if report.status != ReportStatus.FAILED:
        raise ValidationError(_("Seul un rapport en échec ou bloqué peut être relancé."))
    twin = Report.objects.filter(dedupe_key=report.dedupe_key, status__in=PENDING).first()
    if twin:
        twin.created = False
        return twin
    try:
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(
                status=ReportStatus.QUEUED, progress=0, error="", started_at=None, finished_at=None
            )
    except IntegrityError:
        twin = Report.objects.get(dedupe_key=report.dedupe_key, status__in=PENDING)
        twin.created = False
        return twin
    report.refresh_from_db()
    report.created = True
    audit_log(actor=actor, obj=report, action="report.retry", changes={"status": ["failed", "queued"]})
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


@transaction.atomic
def report_share(*, actor: User, report: Report, shared: bool) -> Report:
    """Share (or stop sharing) a finished funder report with the project's collective.

    The file changes edition with it (reports/content.py): sharing renders the report again with the
    collective's eyes and unsharing gives the team its full edition back. The current file is dropped at
    once, so a partner can never download the team's edition, and the report is queued for rendering."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.kind != ReportKind.FUNDER:
        raise ValidationError(_("Seuls les rapports financeurs se partagent avec le collectif."))
    if shared and report.stage == ReportStage.DRAFT:
        raise ValidationError(
            _("Un brouillon reste à l’équipe : rendez la version finale pour le collectif pour le partager.")
        )
    if shared and report.status != ReportStatus.DONE:
        raise ValidationError(_("Le rapport doit être terminé avant d’être partagé."))
    if report.shared_with_partners == shared:
        return report
    # A final PDF is never rendered again: it is shared as it is, and only if it is the collective's.
    final = report.stage == ReportStage.FINAL
    if final and shared and (report.parameters or {}).get(EDITION_KEY) != COLLECTIVE:
        raise ValidationError(
            _(
                "Cette version finale est l’édition de l’équipe : elle ne se partage pas. "
                "Préparez un nouveau brouillon et rendez sa version finale pour le collectif."
            )
        )
    audit_log(
        actor=actor,
        obj=report,
        action="report.share" if shared else "report.unshare",
        changes={"shared_with_partners": [report.shared_with_partners, shared]},
    )
    report.shared_with_partners = shared
    if final:
        report.save(update_fields=["shared_with_partners"])
        return report
    try:
        _render_again(report)
    except IntegrityError:  # the same report is already being rendered
        raise ValidationError(
            _("Un rapport identique est en préparation : partagez-le une fois terminé.")
        ) from None
    return report


#: The key of `Report.parameters` saying whether the rendered file holds the financial section.
MONEY_KEY = "money"
#: The key of `Report.parameters` saying whose edition the rendered file is (a funder report).
EDITION_KEY = "edition"
COLLECTIVE = "collective"
TEAM = "team"


@transaction.atomic
def report_follow_money_switch(*, report: Report) -> Report:
    """The collective's edition of a funder report follows the project's money switch (Financement tab):
    when the switch changed since the file was rendered (money no longer shared, or shared since), the
    file is dropped at once — a partner never downloads money the team stopped sharing — and the report
    is rendered again. Called where the file is read (download, status page): `projects.funding` may not
    call the reports, so the report checks the switch instead of being told."""
    from .content import edition_holds_money

    if (
        report.kind != ReportKind.FUNDER
        or not report.shared_with_partners
        or report.status != ReportStatus.DONE
    ):
        return report
    parameters = report.parameters or {}
    if MONEY_KEY in parameters:
        held = bool(parameters[MONEY_KEY])
    else:  # rendered before editions said: it may hold money if the switch was ever set
        held = FundingSettings.objects.filter(project_id=report.project_id or 0).exists()
    if held == edition_holds_money(report):
        return report
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DONE or not report.shared_with_partners:
        return report
    if report.stage == ReportStage.FINAL:
        # A final PDF is never rendered again. Holding money the team no longer shares, it stops being
        # shared; lacking money shared since, it stays as it is.
        if held:
            audit_log(
                actor=None,
                obj=report,
                action="report.unshare",
                changes={"shared_with_partners": [True, False]},
            )
            report.shared_with_partners = False
            report.save(update_fields=["shared_with_partners"])
        return report
    audit_log(actor=None, obj=report, action="report.money_switch", changes={"money": [held, not held]})
    old_file = report.file.name
    try:
        _render_again(report)
    except IntegrityError:  # an identical report is being rendered: never leave the old file readable
        Report.objects.filter(pk=report.pk).update(
            file="",
            status=ReportStatus.FAILED,
            error=_("Le partage du budget a changé : relancez le rendu du rapport."),
        )
        if old_file:
            transaction.on_commit(lambda: default_storage.delete(old_file))
        report.refresh_from_db()
    return report


def _render_again(report: Report) -> None:
    """Drop the report's files at once and queue a new rendering (raises IntegrityError when an
    identical report is already queued or running). A sealed final report is never rendered again."""
    if report.sealed:
        raise ValidationError(_("Ce rapport est en version finale : son PDF ne change plus."))
    old_file, old_docx = report.file.name, report.docx.name
    if old_docx:
        transaction.on_commit(lambda: default_storage.delete(old_docx))
    report.docx = ""
    report.file = ""
    report.status = ReportStatus.QUEUED
    report.progress = 0
    report.pages = report.size = report.duration = report.finished_at = report.started_at = None
    with transaction.atomic():
        report.save()
    if old_file:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    transaction.on_commit(lambda: _enqueue(report.pk))


# --- Written reports: drafts, versions, the final rendering --------------------------------------------


def report_text_latest(report: Report) -> ReportText | None:
    return report.texts.order_by("-version").first()


@transaction.atomic
def report_text_save(*, actor: User, report: Report, texts: Mapping[str, str]) -> ReportText | None:
    """Save the written sections of a draft as its next version (who, when), and render the draft's
    preview again with them. `texts` maps each field of WRITTEN_SECTIONS to its text. Returns the new
    version, or None when nothing changed since the latest one (no empty version in the history)."""
    if not access.is_team(actor):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.stage != ReportStage.DRAFT:
        raise ValidationError(
            _("Ce rapport n’est pas un brouillon : ses sections rédigées ne se modifient plus.")
        )
    values = {name: (texts.get(name) or "").strip() for name, _title in WRITTEN_SECTIONS}
    latest = report_text_latest(report)
    if latest is not None and all(getattr(latest, name) == value for name, value in values.items()):
        return None
    if latest is None and not any(values.values()):
        return None
    version = ReportText.objects.create(
        report=report, version=(latest.version if latest else 0) + 1, written_by=actor, **values
    )
    audit_log(
        actor=actor,
        obj=report,
        action="report.text",
        changes={
            str(title): [getattr(latest, name) if latest else None, values[name]]
            for name, title in WRITTEN_SECTIONS
            if (getattr(latest, name) if latest else "") != values[name]
        },
    )
    try:
        with transaction.atomic():
            _render_again(report)
    except IntegrityError:  # an identical draft is being rendered: the text is saved, the preview waits
        pass
    return version


@transaction.atomic
def report_finalise(*, actor: User, report: Report, for_collective: bool = False) -> Report:
    """Render a draft's final version: its latest written text and the data as they stand, to a PDF
    that never changes again (its SHA-256 is stored when it is rendered). A funder report's final is
    rendered either for the team or, `for_collective`, with the collective's eyes — and then shared."""
    if not access.is_team(actor):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.stage == ReportStage.FINAL:
        raise ValidationError(_("La version finale de ce rapport est déjà rendue ou en cours."))
    if report.stage != ReportStage.DRAFT:
        raise ValidationError(_("Seul un brouillon a une version finale à rendre."))
    if report.status in PENDING:
        raise ValidationError(_("Le brouillon est en cours de rendu : attendez qu’il soit terminé."))
    if for_collective and report.kind != ReportKind.FUNDER:
        raise ValidationError(_("Seuls les rapports financeurs se partagent avec le collectif."))
    latest = report_text_latest(report)
    changes: dict[str, list[Any]] = {"stage": [str(ReportStage.DRAFT.label), str(ReportStage.FINAL.label)]}
    if latest is not None:
        changes["version"] = [None, latest.version]
    if for_collective:
        changes["shared_with_partners"] = [report.shared_with_partners, True]
    audit_log(actor=actor, obj=report, action="report.finalise", changes=changes)
    report.stage = ReportStage.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by = actor
    report.shared_with_partners = for_collective
    try:
        with transaction.atomic():
            _render_again(report)
    except IntegrityError:
        raise ValidationError(
            _("Un rapport identique est en préparation : réessayez une fois terminé.")
        ) from None
    return report


# --- Rendering ---------------------------------------------------------------------------------------


def render_report_html(report: Report, *, progress: Callable[[int], None] | None = None) -> str:
    """The report's HTML, with every figure read from the database (see reports/content.py)."""
    from .content import report_context

    if report.kind == ReportKind.RESEARCH_MATRIX:
        with translation.override(settings.LANGUAGE_CODE):
            from evaluation.research.reports import matrix_html

            return matrix_html(report)

    template = "reports/funder.html" if report.kind == ReportKind.FUNDER else "reports/activity.html"
    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(report, progress or (lambda percent: None))
        return render_to_string(template, context)


def _set_progress(report_id: int, percent: int) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(progress=min(100, percent))


def _claim(report_id: int, *, redelivered: bool = False) -> Report | None:
    """Take the report queued → running with one conditional UPDATE: two workers never render the same
    report. A report left `running` by a worker that died past the hard time limit can be taken again,
    and so can one whose message comes back because its worker was lost (`redelivered`: acks_late +
    reject_on_worker_lost hand the same message to the next worker at once)."""
    now = timezone.now()
    stale = now - STALE_AFTER
    running = (
        Q(status=ReportStatus.RUNNING)
        if redelivered
        else Q(status=ReportStatus.RUNNING, started_at__lt=stale)
    )
    claimed = (
        Report.objects.filter(pk=report_id)
        .exclude(stage=ReportStage.FINAL, sha256__gt="")  # a sealed final report is never rendered again
        .filter(Q(status=ReportStatus.QUEUED) | running)
        .update(status=ReportStatus.RUNNING, started_at=now, progress=0, error="", finished_at=None)
    )
    if not claimed:
        return None
    return Report.objects.select_related("programme", "project", "requested_by").get(pk=report_id)


def report_render(*, report_id: int, redelivered: bool = False) -> Report | None:
    """Render one report to PDF and store it. Returns None when the report was not ours to render.

    Not atomic on purpose: progress updates must be visible to the page polling it while rendering.
    Each write below is a single UPDATE conditioned on the claim."""
    from celery.exceptions import SoftTimeLimitExceeded

    from .docx import html_to_docx
    from .pdf import html_to_pdf

    report = _claim(report_id, redelivered=redelivered)
    if report is None:
        return None
    claim = Q(pk=report.pk, status=ReportStatus.RUNNING, started_at=report.started_at)
    started = time.monotonic()
    try:
        _set_progress(report.pk, 5)
        parameters = report.parameters or {}
        if report.kind == ReportKind.FUNDER:  # what the edition holds, read before its content
            from .content import edition_holds_money

            parameters = {
                **parameters,
                MONEY_KEY: edition_holds_money(report),
                EDITION_KEY: COLLECTIVE if report.shared_with_partners else TEAM,
            }
        html = render_report_html(report, progress=lambda percent: _set_progress(report.pk, percent))
        _set_progress(report.pk, 60)
        rendered = html_to_pdf(html, on_layout=lambda pages: _set_progress(report.pk, 85))
        _set_progress(report.pk, 90)
        word = html_to_docx(html)
        _set_progress(report.pk, 95)
        stem = f"reports/{timezone.localdate():%Y/%m}/{slugify(report.get_kind_display())}-{report.pk}"
        name = default_storage.save(f"{stem}.pdf", ContentFile(rendered.content))
        docx_name = default_storage.save(f"{stem}.docx", ContentFile(word))
        sealed = {}
        if report.stage == ReportStage.FINAL:  # the final PDF: its fingerprint, and never rendered again
            sealed["sha256"] = hashlib.sha256(rendered.content).hexdigest()
        done = Report.objects.filter(claim).update(
            status=ReportStatus.DONE,
            progress=100,
            file=name,
            docx=docx_name,
            parameters=parameters,
            **sealed,
            pages=rendered.pages,
            size=len(rendered.content),
            duration=round(time.monotonic() - started, 3),
            finished_at=timezone.now(),
        )
        if not done:  # taken over meanwhile (stale claim): keep storage tidy
            default_storage.delete(name)
            default_storage.delete(docx_name)
            return None
        if report.docx.name and report.docx.name != docx_name:
            default_storage.delete(report.docx.name)
        if report.file.name and report.file.name != name:  # a stale render left a file behind
            default_storage.delete(report.file.name)
        if rendered.fetch_log.refused:
            logger.warning("Report %s: refused %d URL(s)", report.pk, len(rendered.fetch_log.refused))
    except SoftTimeLimitExceeded:
        _fail(claim, report, _("Le rendu a dépassé le temps autorisé."), started)
    except Exception as error:  # noqa: BLE001 — any failure is recorded and shown with its reason
        logger.exception("Report %s failed", report.pk)
        _fail(claim, report, render_failure(error), started)
    report.refresh_from_db()
    if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
        from .tasks import send_report_mail

        transaction.on_commit(lambda: send_report_mail.delay(report.pk))
    return report


def _fail(claim: Q, report: Report, reason: str, started: float) -> None:
    Report.objects.filter(claim).update(
        status=ReportStatus.FAILED,
        error=reason,
        duration=round(time.monotonic() - started, 3),
        finished_at=timezone.now(),
    )
    audit_log(actor=None, obj=report, action="report.fail", changes={"error": [None, reason]})


# --- E-mail ------------------------------------------------------------------------------------------


def report_recipients(report: Report) -> list[User]:
    """Who hears about a finished report: its requester; for a scheduled report, every active director."""
    if report.scheduled:
        return list(User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk"))
    user = report.requested_by
    return [user] if user is not None and user.is_active else []


def report_notify(*, report_id: int) -> int:
    """E-mail the link of a finished (or failed) report. Returns the number of messages sent."""
    from programme.emails import send_template_mail

    report = Report.objects.select_related("programme", "project").get(pk=report_id)
    if report.status not in (ReportStatus.DONE, ReportStatus.FAILED):
        return 0
    template = "emails/report_ready" if report.status == ReportStatus.DONE else "emails/report_failed"
    url = settings.SITE_URL + reverse("evaluation:report.detail", args=[report.pk])
    sent = 0
    for user in report_recipients(report):
        if user.email:
            sent += send_template_mail(
                template=template, to=[user.email], context={"report": report, "url": url, "user": user}
            )
    return sent


# --- Schedule ----------------------------------------------------------------------------------------


def previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def report_order_monthly(*, today: date | None = None) -> list[Report]:
    """Order last month's activity report of every active programme, once per month.

    One render per programme, e-mailed to every director (see `report_recipients`). Running twice in
    the same month orders nothing more (a failed one is ordered again)."""
    if not User.objects.filter(role=Role.DIRECTOR, is_active=True).exists():
        return []  # nobody to send it to
    start, end = previous_month(today or timezone.localdate())
    params: ReportParameters = {"period_start": start.isoformat(), "period_end": end.isoformat()}
    ordered = []
    for programme in Programme.objects.filter(is_active=True).order_by("pk"):
        key = dedupe_key(kind=ReportKind.ACTIVITY, programme=programme, project=None, parameters=params)
        already = (
            Report.objects.filter(dedupe_key=key, scheduled=True).exclude(status=ReportStatus.FAILED).exists()
        )
        if already:
            continue
        ordered.append(
            report_request(
                actor=None,
                kind=ReportKind.ACTIVITY,
                programme=programme,
                parameters=params,
                scheduled=True,
            )
        )
    return ordered
