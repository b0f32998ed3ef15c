"""Celery tasks for indicators and measurements (thin: ids in, a service call)."""

from celery import shared_task


@shared_task(acks_late=True)
def rebuild_rollups(project_indicator_ids: list[int]) -> int:
    """Recompute the yearly roll-up of the given project indicators from their validated measurements.

    The services keep the roll-up in step; this repairs it after a bulk import or a manual fix in the
    database. Idempotent."""
    from .services import rollup_rebuild

    return rollup_rebuild(project_indicator_ids=project_indicator_ids)
