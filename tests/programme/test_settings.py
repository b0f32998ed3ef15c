"""Settings come from the environment: embedded by default, real services when configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "session": settings.SESSION_ENGINE,
    "cache_opts": settings.CACHES["default"].get("OPTIONS", {}),
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_on_worker_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "proxies": settings.PARCOURS_TRUSTED_PROXIES,
    "allauth_proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "broker_opts": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "mailer_opts": settings.MAILERS["default"].get("OPTIONS", {}),
    "debug": settings.DEBUG,
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "secure_cookies": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "media_root": str(settings.MEDIA_ROOT),
    "site_url": settings.SITE_URL,
    "hosts": settings.ALLOWED_HOSTS,
    "mfa": settings.PARCOURS_REQUIRE_MFA,
    "frame": settings.X_FRAME_OPTIONS,
    "csp": bool(settings.SECURE_CSP),
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""

SERVICE_VARS = [
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "MEDIA_ROOT",
    "SITE_URL",
    "PORT",
    "CELERY_DATA_DIR",
    "CELERY_TASK_ALWAYS_EAGER",
    "PARCOURS_REQUIRE_MFA",
    "PARCOURS_TRUSTED_PROXIES",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "DEFAULT_FROM_EMAIL",
    "POSTGRES_HOST",
]


def run_with(env: dict, code: str = PROBE, args: list[str] | None = None) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SERVICE_VARS and not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean["DJANGO_SETTINGS_MODULE"] = "programme.settings"
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60)


def probe(env: dict) -> dict:
    result = run_with(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_nothing():
    values = probe({})
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["cache"].endswith("LocMemCache")
    assert values["session"] == "programme.db_sessions"  # Django's database sessions, a compiled read
    # Background work leaves the request: a real worker on kombu's filesystem broker (no server).
    assert values["eager"] is False and values["broker"].startswith("filesystem://")
    assert values["broker_opts"]["data_folder_in"] == values["broker_opts"]["data_folder_out"]
    assert values["site_url"] == "http://127.0.0.1:8000"
    assert values["mailer"].endswith("console.EmailBackend")
    assert values["debug"] is True
    assert values["frame"] == "DENY" and values["csp"]


WAL_PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""


def test_the_embedded_database_lets_the_worker_write_while_the_web_server_reads(tmp_path):
    """`make run`'s web server and worker share one SQLite file: it is opened in write-ahead-log mode."""
    result = run_with({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, code=WAL_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_configured_services_switch_to_postgresql_redis_and_smtp():
    values = probe(
        {
            "DATABASE_URL": "postgresql://parcours:secret@db:5432/parcours",
            "REDIS_URL": "redis://redis:6379/0",
            "EMAIL_HOST": "smtp.exemple.fr",
            "EMAIL_PORT": "2525",
            "MEDIA_ROOT": "/srv/parcours/private",
            "SITE_URL": "https://parcours.exemple.fr/",
        }
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "parcours"
    # No JIT compilation for the app's queries (it cost more than the queries themselves), and random reads
    # priced as on an SSD or in memory (an index is then chosen where it reads a few rows of many).
    assert values["db_options"]["options"] == "-c jit=off -c random_page_cost=1.1"
    # Redis is not a single point of failure: a cache that fails open, sessions in the database.
    assert values["cache"] == "programme.cache.FailOpenRedisCache"
    assert values["session"] == "programme.sessions"  # cached_db, safe when Redis comes back
    assert values["cache_opts"]["socket_timeout"] <= 2 and values["cache_opts"]["socket_connect_timeout"] <= 2
    assert values["eager"] is False
    # A killed worker's task is handed back to the queue, not lost.
    assert values["acks_late"] is True and values["reject_on_worker_lost"] is True
    assert values["broker"] == "redis://redis:6379/0"
    # A dead Redis cannot hang a request: short socket timeouts and few retries.
    assert values["broker_opts"]["socket_timeout"] <= 5
    assert values["broker_opts"]["socket_connect_timeout"] <= 5
    assert values["mailer"].endswith("smtp.EmailBackend")
    assert values["mailer_opts"]["host"] == "smtp.exemple.fr" and values["mailer_opts"]["port"] == 2525
    assert values["media_root"] == "/srv/parcours/private"
    assert values["site_url"] == "https://parcours.exemple.fr"


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-very-long-and-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "parcours.exemple.fr",
    "SITE_URL": "https://parcours.exemple.fr",
    "EMAIL_HOST": "smtp.exemple.fr",
    "DEFAULT_FROM_EMAIL": "Parcours <parcours@exemple.fr>",
}


def test_production_values_turn_on_https_protections():
    values = probe(PRODUCTION)
    assert values["debug"] is False
    assert values["hsts"] >= 31536000
    assert values["secure_cookies"] is True
    assert values["hosts"] == ["parcours.exemple.fr"]


def test_production_refuses_the_development_secret_key():
    result = run_with({"DEBUG": "0", "ALLOWED_HOSTS": "parcours.exemple.fr"})
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_check_deploy_passes_with_production_values():
    result = run_with(PRODUCTION, args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("value", "expected"), [("", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_are_read_from_the_environment(value, expected):
    values = probe({"PARCOURS_TRUSTED_PROXIES": value})
    assert values["proxies"] == expected and values["allauth_proxies"] == expected


@pytest.mark.parametrize("flag", ["1", "true", "yes"])
def test_mfa_requirement_is_read_from_the_environment(flag):
    assert probe({"PARCOURS_REQUIRE_MFA": flag})["mfa"] is True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_the_apps_postgresql_connections_do_not_jit_compile():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
