"""Celery tasks for PDF reports: ids in, a service call out.

Rendering is memory-hungry (WeasyPrint keeps the whole layout in memory), so workers are recycled after
`CELERY_WORKER_MAX_TASKS_PER_CHILD` tasks (settings) and each render has its own time limits. Tasks keep
their default names (`evaluation.reports.tasks.*`), the ones the beat schedule in programme/celery.py uses.
"""

from celery import Task, shared_task

from . import services
from .services import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=RENDER_SOFT_TIME_LIMIT,
    time_limit=RENDER_TIME_LIMIT,
    ignore_result=True,
)
def render_report(self: Task, report_id: int) -> None:
    # A message handed back because its worker was killed mid-render may take the report over at once.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    services.report_render(report_id=report_id, redelivered=redelivered)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180, ignore_result=True)
def requeue_stuck_reports() -> None:
    """Beat, every 5 minutes: reports the queue never took, or left running past their time limit."""
    services.reports_requeue_stuck()


@shared_task(
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=3,
)
def send_report_mail(report_id: int) -> None:
    services.report_notify(report_id=report_id)


@shared_task(
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def monthly_activity_report() -> None:
    """Beat, the 1st of each month: last month's activity report of every active programme."""
    services.report_order_monthly()
