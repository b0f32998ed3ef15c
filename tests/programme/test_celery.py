import pytest
from django.conf import settings

from programme.celery import app


@pytest.mark.django_db
def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks.keys())
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in registered, f"beat entry {name!r} names unknown task {entry['task']!r}"


def test_tasks_are_reliable_by_default():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT > 0
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_WORKER_MAX_TASKS_PER_CHILD > 0
