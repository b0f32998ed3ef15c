"""Background work of the register (thin: ids in, call a service)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True, time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60)
def run_register_import(import_id: int) -> None:
    """A recorded SIRENE import (queued after commit by `services.register_import_queue`)."""
    services.register_import_run(import_id=import_id)
