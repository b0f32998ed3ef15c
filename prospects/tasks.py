"""Background work of the prospects app (thin: call a service)."""

from datetime import timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportFile, ImportStatus

#: A previewed but never confirmed import is dropped after this long (its file is private data).
ABANDONED_AFTER = timedelta(days=2)


@shared_task
def purge_abandoned_imports() -> int:
    """Delete the stored files of imports left at the preview stage, and mark them abandoned."""
    stale = ImportFile.objects.filter(
        status=ImportStatus.PENDING, created_at__lt=timezone.now() - ABANDONED_AFTER
    )
    count = 0
    for import_file in stale.iterator():
        default_storage.delete(import_file.path)
        # Conditional update: a confirmation racing with the purge wins, the purge skips the row.
        count += ImportFile.objects.filter(pk=import_file.pk, status=ImportStatus.PENDING).update(
            status=ImportStatus.CANCELLED
        )
    # A confirmed import whose task never ran to the end (lost message, killed worker) rolled back: say so.
    ImportFile.objects.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
        created_at__lt=timezone.now() - ABANDONED_AFTER,
    ).update(
        status=ImportStatus.FAILED, error=_("Rien n'a été importé : l'import a été interrompu. Relancez-le.")
    )
    return count


@shared_task(acks_late=True)
def run_import(import_file_id: int) -> None:
    """A confirmed prospect import (queued after commit by the confirmation page)."""
    from .imports import import_file_run

    import_file_run(import_file_id=import_file_id)
