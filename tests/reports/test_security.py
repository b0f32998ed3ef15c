"""No network and no local files while rendering: only the project's own static files are loaded."""

import socket

import pytest

from evaluation.models import ReportStatus
from evaluation.reports import pdf as report_pdf

from .helpers import order_activity, order_funder, pdf_text

HOSTILE_HTML = """<!DOCTYPE html><html lang="fr"><head>
<link rel="stylesheet" href="/static/css/print.css">
<link rel="stylesheet" href="http://tracker.example/x.css">
<style>body { background: url(file:///etc/hostname) }</style>
</head><body><h1>Titre</h1>
<img src="file:///etc/passwd">
<img src="http://tracker.example/pixel.png">
<img src="https://tracker.example/pixel.png">
<img src="data:text/html;base64,PHNjcmlwdD4=">
<img src="/static/../programme/settings.py">
<img src="/static/img/favicon.svg">
<svg width="40" height="40"><image href="file:///etc/passwd" width="40" height="40"/></svg>
<p>Fin</p></body></html>"""


@pytest.fixture
def no_sockets(monkeypatch):
    """Any attempt to open a network connection while rendering fails the test."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network access attempted while rendering a report")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def test_the_fetcher_refuses_files_and_network_and_the_pdf_still_renders(db, no_sockets):
    rendered = report_pdf.html_to_pdf(HOSTILE_HTML)
    assert rendered.pages >= 1 and rendered.content.startswith(b"%PDF")
    refused = rendered.fetch_log.refused
    assert "file:///etc/passwd" in refused
    assert "http://tracker.example/pixel.png" in refused
    assert "https://tracker.example/pixel.png" in refused
    assert "http://tracker.example/x.css" in refused
    assert "file:///etc/hostname" in refused
    assert any(url.startswith("data:text/html") for url in refused)
    assert any(url.endswith("programme/settings.py") for url in refused)
    assert all(url.startswith(report_pdf.BASE_URL + "static/") for url in rendered.fetch_log.loaded), (
        rendered.fetch_log.loaded
    )
    assert report_pdf.BASE_URL + "static/css/print.css" in rendered.fetch_log.loaded
    assert b"root:x:0:0" not in rendered.content
    assert no_sockets == []


@pytest.mark.parametrize(
    "url",
    [
        "/static/../programme/settings.py",
        "/static/%2e%2e/programme/settings.py",
        "/static/js/parcours.js",  # not a type the PDF needs
        "/media/reports/x.pdf",
        "https://parcours.invalid/static/../../etc/passwd",
        "http://127.0.0.1:8000/static/css/print.css",
        "file:///work/main/static/css/print.css",
    ],
)
def test_only_static_files_of_allowed_types_resolve(url):
    assert report_pdf.static_path_for(url) is None


def test_static_files_resolve_through_the_finders():
    path = report_pdf.static_path_for("/static/css/print.css")
    assert path is not None and path.name == "print.css" and path.is_file()


def test_user_text_with_urls_is_printed_not_fetched(
    season, django_capture_on_commit_callbacks, monkeypatch, no_sockets
):
    """A lesson carrying an <img src="file:///etc/passwd"> and http:// URLs: shown as text, never loaded."""
    logs = []
    original = report_pdf.html_to_pdf

    def spy(html, **kwargs):
        rendered = original(html, **kwargs)
        logs.append(rendered.fetch_log)
        return rendered

    monkeypatch.setattr(report_pdf, "html_to_pdf", spy)
    activity = order_activity(season.world, django_capture_on_commit_callbacks)
    funder = order_funder(season.world, django_capture_on_commit_callbacks)
    assert activity.status == funder.status == ReportStatus.DONE
    assert len(logs) == 2
    for log in logs:
        fetched = log.loaded + log.refused
        assert not [url for url in fetched if "passwd" in url or "tracker" in url], fetched
        assert all(url.startswith(report_pdf.BASE_URL + "static/") for url in log.loaded)
    text = pdf_text(activity)
    assert '<img src="file:///etc/passwd">' in text  # printed as the text it is
    assert "root:x:0:0" not in text
    assert no_sockets == []
