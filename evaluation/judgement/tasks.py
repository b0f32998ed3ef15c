"""Celery tasks of the gate dossier and the essaimage kit: ids in, a service call out."""

from celery import shared_task

from evaluation.reports.services import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT

from . import services


@shared_task(
    acks_late=True, soft_time_limit=RENDER_SOFT_TIME_LIMIT, time_limit=RENDER_TIME_LIMIT, ignore_result=True
)
def render_dossier(dossier_id: int) -> None:
    services.dossier_render(dossier_id=dossier_id)


@shared_task(
    acks_late=True, soft_time_limit=RENDER_SOFT_TIME_LIMIT, time_limit=RENDER_TIME_LIMIT, ignore_result=True
)
def render_kit(kit_id: int) -> None:
    services.kit_render(kit_id=kit_id)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180, ignore_result=True)
def requeue_stuck_renders() -> None:
    """Beat, every 5 minutes, beside the reports' sweeper: dossiers and kits the queue never took, or
    left running past their time limit."""
    services.renders_requeue_stuck()
