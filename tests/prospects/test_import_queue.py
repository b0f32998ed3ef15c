"""A confirmed import survives a broker outage: the confirmation still answers, the import stays queued,
and the sweeper hands it to the queue again (issue #13, item 3)."""

from datetime import timedelta

from django.utils import timezone

from prospects import services
from prospects.models import ImportFile, ImportStatus, Prospect
from prospects.tasks import requeue_stuck_imports, run_import

from .test_import import confirm, csv_bytes, upload


def test_an_import_confirmed_while_the_broker_is_down_is_queued_then_swept_and_run(
    world, staff_client, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = upload(staff_client, world, csv_bytes("Nouvelle Asso;Lyon;;association;a@b.fr;Ana;Bel;"))
    token = response["Location"].rstrip("/").split("/")[-1]

    def down(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(run_import, "delay", down)
    response = confirm(staff_client, token)
    assert response.status_code == 302
    import_file = ImportFile.objects.get(token=token)
    assert import_file.status == ImportStatus.QUEUED and not Prospect.objects.exists()

    sent = []
    monkeypatch.setattr(run_import, "delay", lambda pk: sent.append(pk))
    assert requeue_stuck_imports() == 0  # just confirmed: left to the queue for now
    ImportFile.objects.filter(pk=import_file.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert requeue_stuck_imports() == 1 and sent == [import_file.pk]
    services.import_run(import_file_id=import_file.pk)
    import_file.refresh_from_db()
    assert import_file.status == ImportStatus.IMPORTED and Prospect.objects.count() == 1
    # Done: the sweeper leaves it alone.
    assert requeue_stuck_imports() == 0
