"""Demo data for PDF reports (idempotent): one finished activity report ordered by the director, one draft
activity report with its written sections (two versions), and one funder report of partner A's project,
shared with its collective.

Runs after the other evaluation demo steps. The reports are ordered through the service, so they render after the
demo transaction commits: inline without Redis (a few seconds), by the worker otherwise.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from evaluation.models import Report, ReportKind, ReportStage, ReportStatus
from programme import access
from programme.audit import audit_log
from programme.demo import DemoContext
from projects.models import Project

from .services import report_request, report_share, report_text_save

#: The draft's written sections, in two versions (the second one adds the outlook).
DRAFT_TEXTS = [
    {
        "introduction": (
            "Cette année, le programme a accompagné ses collectifs de l’Émergence à l’Expérimentation. "
            "Ce rapport présente les chiffres de la période et ce que l’équipe en retient."
        ),
        "highlights": "Premiers prototypes testés avec les usagers ; deux collectifs passés en Expérimentation.",
        "difficulties": "La mobilisation des bénévoles a fléchi pendant l’été.",
        "outlook": "",
    },
    {
        "introduction": (
            "Cette année, le programme a accompagné ses collectifs de l’Émergence à l’Expérimentation. "
            "Ce rapport présente les chiffres de la période et ce que l’équipe en retient."
        ),
        "highlights": "Premiers prototypes testés avec les usagers ; deux collectifs passés en Expérimentation.",
        "difficulties": "La mobilisation des bénévoles a fléchi pendant l’été.",
        "outlook": "Préparer l’essaimage des prototypes les plus solides dans deux nouveaux territoires.",
    },
]


def build(ctx: DemoContext) -> None:
    programme = ctx.programme
    director, staff = ctx.users.get("director"), ctx.users.get("staff")
    if programme is None or director is None or staff is None:
        return
    existing = Report.objects.filter(programme=programme).exclude(status=ReportStatus.FAILED)

    if not existing.filter(kind=ReportKind.ACTIVITY, requested_by=director).exists():
        report_request(
            actor=director,
            kind=ReportKind.ACTIVITY,
            programme=programme,
            parameters={"period_start": date(ctx.today.year, 1, 1), "period_end": ctx.today},
        )

    if not existing.filter(kind=ReportKind.ACTIVITY, stage=ReportStage.DRAFT).exists():
        draft = report_request(
            actor=staff,
            kind=ReportKind.ACTIVITY,
            programme=programme,
            parameters={"period_start": date(ctx.today.year, 1, 1), "period_end": ctx.today},
            draft=True,
        )
        for texts in DRAFT_TEXTS:
            report_text_save(actor=staff, report=draft, texts=texts)

    partner = ctx.users.get("partner_a")
    project = (
        access.scoped(partner, Project).filter(programme=programme).order_by("pk").first()
        if partner
        else None
    )
    if project is None or existing.filter(kind=ReportKind.FUNDER, project=project).exists():
        return
    funder = report_request(actor=staff, kind=ReportKind.FUNDER, programme=programme, project=project)
    # Registered after the render's own callback: without Redis the report is done by then.
    transaction.on_commit(lambda: _share(report_id=funder.pk, actor=staff))


def _share(*, report_id: int, actor) -> None:
    report = Report.objects.get(pk=report_id)
    try:
        report_share(actor=actor, report=report, shared=True)
    except ValidationError:
        # Rendering on a worker (Redis configured): not done yet. The demo shares it anyway; in the
        # application, staff share a report once they have read it.
        Report.objects.filter(pk=report_id).update(shared_with_partners=True)
        audit_log(
            actor=actor, obj=report, action="report.share", changes={"shared_with_partners": [False, True]}
        )
