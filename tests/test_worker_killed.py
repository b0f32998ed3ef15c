"""A worker killed mid-task: its task is handed back and done once (issue #13, item 3).

A real Celery worker (prefork, one child) runs on its own redis-server (another port: the suite's Redis
is never touched) against the test database. A funder report is sent to it; while the child renders it
(the report is « En cours »), the child is killed with SIGKILL, as the kernel's OOM killer would. The
parent sees the child lost: with `acks_late` and `task_reject_on_worker_lost` the message goes back to
the queue at once, marked redelivered, so the new child takes the report over (the claim lets a
redelivered message take a running report) and renders it — one file, no six-minute wait for the stale
claim. Skips without redis-server, or on a SQLite database another process cannot open.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from evaluation.models import Report, ReportKind, ReportStatus
from evaluation.reports import services as report_services
from evaluation.reports.tasks import render_report
from tests.programme.test_redis_outage import OwnRedis, _free_port, _reset_celery_pools
from tests.programme.test_worker import ROOT, _database_url

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the worker's pool children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def worker_on_own_redis(transactional_db, tmp_path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:", ":memory:")):
        pytest.skip("the worker needs a database it can open from another process")
    server = OwnRedis(executable=executable, port=_free_port(), directory=str(tmp_path))
    server.start()
    from programme.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = server.url
    app.conf.task_always_eager = False
    _reset_celery_pools(app)
    queue = f"parcours-killed-{uuid.uuid4().hex[:8]}"
    media = tmp_path / "private"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": server.url,
        "MEDIA_ROOT": str(media),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "programme", "worker", "--pool=prefork", "--concurrency=1"),
            *("-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, queue, media
    finally:
        for pid in [*_children(process.pid), process.pid]:  # nothing here needs a clean shutdown
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=15)
        app.conf.broker_url, app.conf.task_always_eager = previous
        _reset_celery_pools(app)
        server.stop()


def _wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_a_worker_killed_mid_render_hands_the_report_back_and_it_is_rendered_once(worker_on_own_redis, world):
    process, queue, media = worker_on_own_redis
    report = report_services.report_request(
        actor=world.staff, kind=ReportKind.FUNDER, programme=world.programme, project=world.project_a
    )
    assert _wait_for(lambda: _children(process.pid), 60), "the worker did not start its child"
    render_report.apply_async(args=[report.pk], queue=queue)

    running = _wait_for(
        lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).exists(), 60, 0.02
    )
    assert running, "the worker did not start the render"
    [child] = _children(process.pid)
    os.kill(child, signal.SIGKILL)  # mid-render, as the OOM killer would

    finished = _wait_for(
        lambda: Report.objects.filter(
            pk=report.pk, status__in=[ReportStatus.DONE, ReportStatus.FAILED]
        ).exists(),
        90,
        0.2,
    )
    report.refresh_from_db()
    assert finished, f"the report stayed « {report.get_status_display()} » after its worker was killed"
    assert report.status == ReportStatus.DONE, report.error
    assert child not in _children(process.pid), "a new child took the task over"
    # Rendered once: one file, the one the report points to.
    files = [p.relative_to(media).as_posix() for p in media.rglob(f"*-{report.pk}*.pdf")]
    assert files == [report.file.name]
