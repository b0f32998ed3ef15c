"""A real Celery worker on Redis runs a task end to end (CI sets REDIS_URL; elsewhere it is skipped)."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from programme.models import Invitation
from programme.tasks import purge_expired_invitations

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgresql://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker(transactional_db):
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI: the worker integration test has to run")
        pytest.skip("REDIS_URL is not set: no real broker to run a worker against")
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("the worker needs a database it can open from another process")
    queue = f"parcours-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "programme",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_real_worker_runs_a_task_end_to_end(worker):
    from programme.celery import app

    assert app.conf.task_always_eager is False
    expired = Invitation.objects.create(
        email="ancienne@exemple.fr",
        role="staff",
        token_hash=uuid.uuid4().hex,
        expires_at=timezone.now() - timedelta(days=1),
    )
    purge_expired_invitations.apply_async(queue=worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        expired.refresh_from_db()
        if expired.revoked_at:
            break
        time.sleep(0.5)
    assert expired.revoked_at is not None, "the worker did not run the task within 60 s"
