"""Redis is not a single point of failure for people.

The test starts its own redis-server (another port: the suite's Redis is never touched), points the
cache, the sessions and the Celery broker at it, stops it mid-test and checks that signing in, every
page and ordering a report still work; then it starts Redis again and checks that the sweeper hands the
report ordered meanwhile to the queue. It skips only when redis-server is not installed.
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from evaluation.models import Report, ReportStatus
from evaluation.reports import services as report_services
from programme.cache import FailOpenRedisCache
from programme.sessions import SessionStore
from programme.settings import REDIS_SESSION_ENGINE, redis_cache
from tests.clients import FormClient as Client
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("redis-outage")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class OwnRedis:
    executable: str
    port: int
    directory: str
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--daemonize", "no", "--dir", self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def stop_keeping_data(self) -> None:
        """Stop as a Redis with persistence does: what it holds comes back when it starts again."""
        assert self.process is not None
        self.client().shutdown(save=True)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path, settings) -> Iterator[OwnRedis]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(executable=executable, port=_free_port(), directory=str(tmp_path))
    server.start()
    from programme.celery import app

    # What settings.py configures when REDIS_URL is set, pointed at this server.
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": redis_cache(server.url)}
    settings.SESSION_ENGINE = REDIS_SESSION_ENGINE
    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = server.url
    app.conf.task_always_eager = False
    _reset_celery_pools(app)
    FailOpenRedisCache._down_until = 0.0
    FailOpenRedisCache._stale.clear()
    try:
        yield server
    finally:
        if server.process is not None:
            server.stop()
        app.conf.broker_url, app.conf.task_always_eager = previous
        _reset_celery_pools(app)
        FailOpenRedisCache._down_until = 0.0
        FailOpenRedisCache._stale.clear()


def _reset_celery_pools(app) -> None:
    """Let the app build its connection pools again for the broker URL now configured. The old pools stay
    open: kombu keeps them in a process-wide registry that other tests reuse."""
    app._pool = None
    app.amqp._producer_pool = None


def _login(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _order(client: Client, world, capture):
    with capture(execute=True):
        return client.post(
            reverse("evaluation:report.create"),
            {
                "kind": "activity",
                "programme": world.programme.pk,
                "period_start": "2026-01-01",
                "period_end": "2026-01-31",
            },
        )


TEAM_PAGES = [
    "home",
    "programme:organisation.list",
    "programme:person.list",
    "programme:preferences",
    "projects:project.list",
    "evaluation:report.list",
    "evaluation:dashboard",
    "prospects:prospect.list",
]


def test_with_redis_stopped_people_sign_in_work_and_order_reports_then_the_sweeper_catches_up(
    own_redis, world, django_capture_on_commit_callbacks, caplog
):
    staff = Client()
    assert _login(staff, "staff@test.fr").status_code == 302
    session_keys = own_redis.client().keys("*session*")
    assert session_keys, "with Redis up, sessions are cached in it"

    own_redis.stop()

    # Already signed in: the session comes from the database, nobody is sent back to the login page.
    for page in TEAM_PAGES:
        response = staff.get(reverse(page))
        assert response.status_code == 200, (page, response.status_code)
    partner = Client()
    started = time.monotonic()
    response = _login(partner, "a@test.fr")
    assert response.status_code == 302, "signing in works while Redis is down"
    assert partner.get(reverse("portal:home")).status_code == 200
    # A wrong password is a French error, not a 500; rate limits fail open with a logged warning.
    response = _login(Client(), "b@test.fr", "mauvais")
    assert response.status_code == 200 and "incorrects" in response.content.decode()
    assert any("Redis cache unavailable" in record.getMessage() for record in caplog.records)
    assert time.monotonic() - started < 15, "a dead Redis must not hang requests"

    # Ordering a report: accepted, queued, and the page says it will start when the queue is back.
    started = time.monotonic()
    response = _order(staff, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert time.monotonic() - started < 20
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED
    body = staff.get(reverse("evaluation:report.detail", args=[report.pk])).content.decode()
    assert "démarrera automatiquement dès qu&#x27;elle sera rétablie" in body or (
        "démarrera automatiquement dès qu’elle sera rétablie" in body
    )

    own_redis.start()
    FailOpenRedisCache._down_until = 0.0  # this process would otherwise wait a few seconds to try again
    assert own_redis.client().llen("celery") == 0
    assert report_services.reports_requeue_stuck() == 1
    assert own_redis.client().llen("celery") == 1, "the report's render is back in the queue"
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.error == ""
    # Redis is back in use for sessions.
    assert _login(Client(), "director@test.fr").status_code == 302
    assert len(own_redis.client().keys("*session*")) >= 1


def _back(own_redis: OwnRedis) -> None:
    own_redis.start()
    FailOpenRedisCache._down_until = 0.0  # this process would otherwise wait a few seconds to try again


def test_a_session_changed_while_redis_is_down_is_not_undone_when_redis_comes_back(own_redis, world):
    """Redis comes back with the copy it held before the outage: the change made meanwhile (in the
    database only) stays, even for a process that does not know which keys were written meanwhile."""
    staff = Client()
    assert _login(staff, "staff@test.fr").status_code == 302
    key = staff.cookies[settings.SESSION_COOKIE_NAME].value
    assert own_redis.client().keys(f"*{key}"), "the session is cached in Redis"

    own_redis.stop_keeping_data()
    session = SessionStore(key)
    session["parcours_marker"] = "changed while Redis was down"
    session.save()
    browser_key = session.session_key  # the key the response's cookie carries

    _back(own_redis)
    assert own_redis.client().keys(f"*{key}"), "Redis came back with its old copy"
    FailOpenRedisCache._stale.clear()  # another process: it never saw the writes of the outage
    assert SessionStore(browser_key).get("parcours_marker") == "changed while Redis was down"


def test_a_sign_out_while_redis_is_down_is_not_undone_when_redis_comes_back(own_redis, world):
    staff = Client()
    assert _login(staff, "staff@test.fr").status_code == 302
    cookie = staff.cookies[settings.SESSION_COOKIE_NAME].value
    assert staff.get(reverse("home")).status_code == 200

    own_redis.stop_keeping_data()
    assert staff.post(reverse("account_logout")).status_code == 302
    _back(own_redis)
    assert own_redis.client().keys(f"*{cookie}"), "Redis came back with the signed-in copy"

    # The old cookie (a tab that missed the sign-out, a copied cookie) opens nothing any more.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get(reverse("home")).status_code == 302
    assert not own_redis.client().keys(f"*{cookie}"), "the stale copy is deleted once Redis answers"
