import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(settings):
    settings.REDIS_URL = ""
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "not configured",
        "worker": "not checked",
        "beat": "not checked",
        "status": "ok",
    }


def test_health_says_when_the_broker_is_down_without_hanging(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    start = time.monotonic()
    response = Client().get("/health/")
    assert time.monotonic() - start < 5
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_security_headers(settings, world, staff_client):
    response = staff_client.get("/structures/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # HTMX comes from the installed django-htmx package, served as our own static file: no CDN.
    assert "/static/django_htmx/htmx" in response.content.decode()
    assert "https://" not in response.content.decode().split("<body")[0]


def test_health_checks_the_embedded_brokers_folder(settings, tmp_path):
    """`make run`'s broker is a folder the web server and the worker share: ok when it is writable."""
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    assert Client().get("/health/").json() == {
        "database": "ok",
        "broker": "ok",
        "worker": "not checked (tasks run inline)",
        "beat": "not checked (tasks run inline)",
        "status": "ok",
    }
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"] == "error: folder not writable"
