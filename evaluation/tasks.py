"""Celery tasks for indicators and measurements (thin: ids in, a service call).

The reports' tasks live in evaluation/reports/tasks.py (autodiscovered through programme/celery.py)."""

from celery import shared_task

from .services import rollup_rebuild


@shared_task(acks_late=True)
def rebuild_rollups(project_indicator_ids: list[int]) -> int:
    """Recompute the yearly roll-up of the given project indicators from their validated measurements.

    The services keep the roll-up in step; this repairs it after a bulk import or a manual fix in the
    database. Idempotent."""
    return rollup_rebuild(project_indicator_ids=project_indicator_ids)
