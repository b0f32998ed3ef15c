"""Background work of the prospects app (thin: ids in, call a service)."""

from celery import shared_task

from . import services


@shared_task
def purge_abandoned_imports() -> int:
    """Delete the stored files of imports left at the preview stage, and mark them abandoned."""
    return services.import_files_purge_abandoned()


@shared_task(acks_late=True)
def run_import(import_file_id: int) -> None:
    """A confirmed prospect import (queued after commit by the confirmation page)."""
    services.import_run(import_file_id=import_file_id)


@shared_task(acks_late=True, ignore_result=True)
def requeue_stuck_imports() -> int:
    """Beat, every 5 minutes: confirmed imports the queue never took or a killed worker left running."""
    return services.imports_requeue_stuck()
