"""What an operator reads: /health/ reports the worker and the beat; logs are one line per event, in UTC, with
the request id; WeasyPrint's chatter stays out."""

import datetime
import io
import logging
import re
import time

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from programme import observability
from programme.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(settings, tmp_path):
    """The embedded broker's folder, and tasks that would go to a worker (not run inline)."""
    settings.REDIS_URL = ""
    settings.CELERY_DATA_DIR = tmp_path
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return settings


def test_a_fresh_heartbeat_and_an_answering_worker_are_ok(background, monkeypatch):
    monkeypatch.setattr(observability, "worker_status", lambda timeout: "ok")
    beat_heartbeat()  # what the beat has a worker run every minute
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "worker": "ok", "beat": "ok", "status": "ok"}


def test_a_beat_silent_for_two_intervals_is_reported(background, monkeypatch):
    monkeypatch.setattr(observability, "worker_status", lambda timeout: "ok")
    now = datetime.datetime.now(datetime.UTC)
    observability.heartbeat_write(now - datetime.timedelta(seconds=2 * observability.HEARTBEAT_INTERVAL - 5))
    assert Client().get("/health/").json()["beat"] == "ok"
    observability.heartbeat_write(now - datetime.timedelta(seconds=2 * observability.HEARTBEAT_INTERVAL + 5))
    response = Client().get("/health/")
    # The web process itself works: 200, « degraded »; an outside monitor asks with ?strict=1 and gets a 503.
    assert response.status_code == 200
    assert response.json()["beat"].startswith("error: last heartbeat 12")
    assert response.json()["status"] == "degraded"
    assert Client().get("/health/?strict=1").status_code == 503


def test_no_heartbeat_at_all_is_reported(background, monkeypatch):
    monkeypatch.setattr(observability, "worker_status", lambda timeout: "ok")
    assert Client().get("/health/").json()["beat"] == "error: no heartbeat yet"


def test_a_worker_that_does_not_answer_is_reported_within_the_timeout(background, monkeypatch):
    from programme.celery import app

    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    assert observability.worker_status(timeout=0.5) == "error: no worker answered"
    monkeypatch.setattr(app.control, "ping", lambda timeout: [{"celery@web": {"ok": "pong"}}])
    assert observability.worker_status(timeout=0.5) == "ok"

    def broken(timeout):
        raise ConnectionRefusedError

    monkeypatch.setattr(app.control, "ping", broken)
    assert observability.worker_status(timeout=0.5) == "error: ConnectionRefusedError"


def test_the_heartbeat_lives_in_redis_when_configured(settings, monkeypatch):
    settings.REDIS_URL = "redis://redis:6379/0"  # the cache itself is the tests' local memory
    observability.heartbeat_write()
    age = observability.heartbeat_age()
    assert age is not None and 0 <= age < 5


def logged(emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.OneLineFormatter())
    handler.addFilter(observability.RequestIdFilter())
    logger = logging.getLogger("parcours.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_request_logs_one_line_per_event_in_utc_with_its_id(settings):
    settings.PARCOURS_TRUSTED_PROXIES = 0

    def view(request):
        logging.getLogger("parcours.test").info("Rapport d’activité commandé")
        return HttpResponse("ok")

    middleware = observability.RequestIdMiddleware(view)
    output = logged(lambda logger: setattr(logged, "response", middleware(RequestFactory().get("/"))))
    response = logged.response
    line = output.strip()
    assert "\n" not in line
    match = re.fullmatch(
        r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) INFO parcours\.test \[([0-9a-f]{16})\] Rapport d’activité commandé",
        line,
    )
    assert match, line
    assert match.group(2) == response["X-Request-ID"]
    written = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert abs(written.timestamp() - time.time()) < 60  # UTC, not Paris time


def test_the_proxys_request_id_is_kept_only_behind_a_trusted_proxy(settings):
    middleware = observability.RequestIdMiddleware(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="caddy-1234")
    settings.PARCOURS_TRUSTED_PROXIES = 0
    assert middleware(request)["X-Request-ID"] != "caddy-1234"
    settings.PARCOURS_TRUSTED_PROXIES = 1
    assert middleware(request)["X-Request-ID"] == "caddy-1234"
    hostile = RequestFactory().get("/", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE")
    assert "\n" not in middleware(hostile)["X-Request-ID"]


def test_a_traceback_stays_on_one_line():
    def fail(logger):
        try:
            raise ValueError("ligne 1\nligne 2")
        except ValueError:
            logger.exception("Échec du rendu")

    output = logged(fail)
    assert output.count("\n") == 1 and "Traceback" in output and " ⏎ " in output


def test_a_tasks_log_lines_carry_its_id():
    observability.task_started(task_id="abc")
    try:
        assert "[task-abc]" in logged(lambda logger: logger.warning("relance"))
    finally:
        observability.task_finished()
    assert "[-]" in logged(lambda logger: logger.warning("hors tâche"))


def test_weasyprint_and_fonttools_say_only_errors():
    assert logging.getLogger("weasyprint").getEffectiveLevel() == logging.ERROR
    assert logging.getLogger("fontTools.subset").getEffectiveLevel() == logging.ERROR


def test_the_beat_schedule_has_the_heartbeat():
    from programme.celery import app

    entry = app.conf.beat_schedule["beat-heartbeat"]
    assert entry["task"] == "programme.tasks.beat_heartbeat"
    assert entry["schedule"] == observability.HEARTBEAT_INTERVAL
