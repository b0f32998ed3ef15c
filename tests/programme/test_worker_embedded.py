"""The embedded default (no Redis): background work (a report, an import) leaves the request for a real
Celery worker on kombu's filesystem broker — here a worker started on a message folder of the test's own — and `make run`'s
supervisor (scripts/run) starts the web server, the worker and one beat, and stops all of them on Ctrl-C."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.urls import reverse

from evaluation.models import Report, ReportStatus
from evaluation.reports import pdf as report_pdf
from programme.settings import filesystem_broker_options
from prospects.models import ImportFile, ImportStatus, Prospect
from tests.programme.test_settings import probe
from tests.prospects.test_import import csv_bytes, upload

ROOT = Path(__file__).resolve().parents[2]


def _reset_celery_pools(app) -> None:
    """Let the app build its connection pools again for the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def filesystem_worker(transactional_db, tmp_path) -> Iterator[Path]:
    """A real worker (Celery's WorkController, solo pool, in a thread so it shares the test database) on the
    filesystem transport in a folder of this test's own; tasks are no longer run inline."""
    from programme.celery import app, make_broker_folders

    folder = tmp_path / "celery"
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = "filesystem://localhost//"
    app.conf.broker_transport_options = filesystem_broker_options(folder)
    make_broker_folders(app)
    _reset_celery_pools(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield folder
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = previous
        _reset_celery_pools(app)


def _wait_for(predicate, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database, busy while the worker writes
            pass
        time.sleep(0.3)
    return False


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_a_report_ordered_in_the_browser_is_rendered_by_the_worker_on_the_filesystem_broker(
    filesystem_worker, world, director_client, monkeypatch
):
    from programme.celery import app

    assert app.conf.task_always_eager is False
    rendered_in: list[int] = []
    html_to_pdf = report_pdf.html_to_pdf

    def recording(html, **kwargs):
        rendered_in.append(threading.get_ident())
        return html_to_pdf(html, **kwargs)

    monkeypatch.setattr(report_pdf, "html_to_pdf", recording)
    started = time.monotonic()
    response = director_client.post(
        reverse("evaluation:report.create"),
        {
            "kind": "activity",
            "programme": world.programme.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
        },
    )
    answered_in = time.monotonic() - started
    assert response.status_code == 302
    # The request only queued the work (a message file for the worker): it answers at once.
    assert answered_in < 1, f"ordering took {answered_in:.1f} s"
    report = Report.objects.get()
    page = director_client.get(response["Location"]).content.decode()
    assert "Rapport commandé." in page and "arrière-plan" not in page

    status_url = reverse("evaluation:report.status", args=[report.pk])
    assert _wait_for(lambda: Report.objects.get(pk=report.pk).status == ReportStatus.DONE), (
        "the worker did not render the report within 90 s"
    )
    assert rendered_in and threading.get_ident() not in rendered_in  # rendered by the worker, not here
    body = director_client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Terminé" in body and "Télécharger le PDF" in body and "every 2s" not in body
    assert director_client.get(reverse("evaluation:report.download", args=[report.pk])).status_code == 200
    assert not list((filesystem_worker / "messages").iterdir()), "a message was left in the queue"


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_an_import_confirmed_in_the_browser_is_run_by_the_worker_on_the_filesystem_broker(
    filesystem_worker, world, staff_client
):
    response = upload(staff_client, world, csv_bytes("Nouvelle Asso;Lyon;;association;a@b.fr;Ana;Bel;"))
    token = response["Location"].rstrip("/").split("/")[-1]
    started = time.monotonic()
    response = staff_client.post(reverse("prospects:import.confirm", args=[token]))
    answered_in = time.monotonic() - started
    assert response.status_code == 302 and answered_in < 1, f"confirming took {answered_in:.1f} s"
    import_file = ImportFile.objects.get(token=token)
    assert _wait_for(lambda: ImportFile.objects.get(pk=import_file.pk).status == ImportStatus.IMPORTED), (
        "the worker did not run the import within 90 s"
    )
    status_url = reverse("prospects:import.status", args=[token])
    body = staff_client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Import terminé" in body and "Voir les prospects" in body and "hx-trigger" not in body
    assert Prospect.objects.filter(organisation__name="Nouvelle Asso").exists()


def test_port_sets_the_site_url_of_the_web_server_the_worker_and_the_beat():
    assert probe({"PORT": "8010"})["site_url"] == "http://127.0.0.1:8010"
    assert probe({"PORT": "8010", "SITE_URL": "https://parcours.exemple.fr"})["site_url"] == (
        "https://parcours.exemple.fr"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        if children.exists():
            for child in map(int, children.read_text().split()):
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.xdist_group("worker")
def test_make_run_starts_the_web_server_a_worker_and_one_beat_and_ctrl_c_stops_them_all(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "REDIS_URL", "DATABASE_URL", "CELERY_", "SITE_URL"))
    }
    env |= {
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_DATA_DIR": str(tmp_path / "celery"),
        "VENV": str(Path(os.sys.executable).parent.parent),
    }
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job…
        # …where Ctrl-C is not ignored (it is when the test run itself was started in the background).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        answered = False
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not answered:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    answered = True
            except OSError:
                time.sleep(0.5)
        assert answered, "the web server did not start"
        children = _descendants(process.pid)
        commands = [
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children
        ]
        assert len(commands) >= 4  # the server and its reloader, the worker (and its pool), the beat
        assert sum(" worker " in c for c in commands if "celery" in c) >= 1
        assert sum("beat" in c for c in commands if "celery" in c and " worker " not in c) == 1
        assert any(f"runserver 127.0.0.1:{port}" in c for c in commands)
        # Links in the e-mails the worker sends point at the port served.
        for pid in children:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"SITE_URL=http://127.0.0.1:{port}".encode() in environ
        assert (tmp_path / "celery" / "messages").is_dir()

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole foreground group
        assert process.wait(timeout=30) == 130
        assert _wait_for(lambda: not any(_alive(pid) for pid in children), 10), "a process outlived Ctrl-C"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_make_run_refuses_a_port_that_is_not_one(port):
    """`make run PORT=abc` says what is wrong in French and starts nothing (no traceback)."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run")],
        env={**os.environ, "PORT": port},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "PORT doit être un numéro de port entre 1 et 65535" in result.stderr
    assert "Traceback" not in result.stderr
