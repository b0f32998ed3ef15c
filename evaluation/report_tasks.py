"""Celery tasks for PDF reports: ids in, a service call out.

Rendering is memory-hungry (WeasyPrint keeps the whole layout in memory), so workers are recycled after
`CELERY_WORKER_MAX_TASKS_PER_CHILD` tasks (settings) and each render has its own time limits. Task names
are pinned to `evaluation.tasks.*` — the module Celery autodiscovers and the beat schedule names.
"""

from celery import shared_task

from . import report_services
from .report_services import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT

__all__ = ["monthly_activity_report", "render_report", "send_report_mail"]


@shared_task(
    name="evaluation.tasks.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RENDER_SOFT_TIME_LIMIT,
    time_limit=RENDER_TIME_LIMIT,
    ignore_result=True,
)
def render_report(report_id: int) -> None:
    report_services.report_render(report_id=report_id)


@shared_task(
    name="evaluation.tasks.send_report_mail",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=3,
)
def send_report_mail(report_id: int) -> None:
    report_services.report_notify(report_id=report_id)


@shared_task(
    name="evaluation.tasks.monthly_activity_report",
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def monthly_activity_report() -> None:
    """Beat, the 1st of each month: last month's activity report of every active programme."""
    report_services.report_order_monthly()
