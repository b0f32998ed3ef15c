"""French typography on every page: the URL×role matrix's pages, read as staff, director and partner.

Each page a role may open (a GET case of tests/<app>/access_cases.py answering 200) is fetched and its
visible text — text nodes and the attributes a reader sees or hears (title, placeholder, aria-label), not
tags, other attributes, <code>, scripts or styles — is checked for what a French
reader notices: a breaking space before « ; : ! ? » or inside guillemets, a straight apostrophe, an
internal code left untranslated (`project.gate.continue`, `shared_vision`) and a numeric date in a sentence
(`01/03/2026` belongs to dense tables only).
"""

import csv
import html as html_module
import io
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from evaluation.reports import dashboard as dashboard_tables
from evaluation.reports import pdf as report_pdf
from programme.services import invitation_create
from projects.reminders import deadline_scan
from projects.services import deliverable_upload
from tests.access import all_cases
from tests.clients import FormClient, totp_code
from tests.conftest import client_for
from tests.factories import PASSWORD
from tests.projects.factories import ActionFactory, DeliverableFactory, MilestoneFactory, pdf_file
from tests.prospects.factories import candidate_in
from tests.reports.conftest import convention, season  # noqa: F401  (fixtures: a convention; the reports' season of activity)
from tests.reports.helpers import order_activity, order_funder, pdf_reader

ROLES = ("staff", "director", "partner_a", "partner_b")

# A breaking space (not U+00A0 / U+202F) before a high punctuation mark, or inside guillemets.
BREAKING_SPACE_BEFORE = re.compile(r"[ \t\r\n][;:!?»]|«[ \t\r\n]")
# No space at all between a word and « ; : ! ? » (« Remarque: »), where the mark ends a phrase (not « 10:30 »,
# « https: », « ?page=2 »).
NO_SPACE_BEFORE = re.compile(r"[^\W\d_][;:!?](?=\s|$)")
STRAIGHT_APOSTROPHE = re.compile(r"\w'\w")
# `project.gate.continue`, `evaluation.measurement.validated` (not an e-mail address nor a host name).
AUDIT_CODE = re.compile(r"(?<![@\w./-])[a-z]+\.[a-z_]+\.[a-z_]+\b(?![@./-]\w)")
SNAKE_CASE = re.compile(r"(?<![@\w./-])[a-z]+_[a-z_]+\b(?![@./-]\w)")
HOST = re.compile(r"^www\.|\.(fr|org|com|net|eu|io|gouv\.fr)$")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")

# Text inside these is not prose: code samples, scripts, styles and what the user typed.
SKIPPED = {"script", "style", "code", "pre", "textarea"}
# A numeric date is the dense-table style: allowed in table cells only.
TABLE_CELLS = {"td", "th"}
#: Attributes a reader sees (a tooltip) or hears (a screen reader), checked like text.
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text nodes of a page with whether they sit in a table cell, skipping non-prose elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.nodes: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        # Before the tag opens: a <textarea>'s placeholder is ours, its content is the user's.
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.handle_data(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not SKIPPED.intersection(self.stack):
            self.nodes.append((data, bool(TABLE_CELLS.intersection(self.stack))))


def typography_faults(html: str) -> list[str]:
    """What a French reader would notice in a page's visible text, one line per fault."""
    parser = VisibleText()
    parser.feed(html)
    faults = []
    for text, in_table in parser.nodes:
        checks = [
            ("espace sécable avant la ponctuation", BREAKING_SPACE_BEFORE),
            ("espace manquante avant la ponctuation", NO_SPACE_BEFORE),
            ("apostrophe droite", STRAIGHT_APOSTROPHE),
            ("code interne", AUDIT_CODE),
            ("valeur interne", SNAKE_CASE),
        ]
        if not in_table:
            checks.append(("date numérique dans une phrase", NUMERIC_DATE))
        for label, pattern in checks:
            for match in pattern.finditer(text):
                if HOST.search(match.group()):
                    continue
                start = max(match.start() - 30, 0)
                faults.append(f"{label}: {text[start : match.end() + 30].strip()!r}")
    return faults


def test_the_checker_sees_what_a_reader_sees():
    html = (
        '<input placeholder="Nom ou SIREN : 123"><a title="l\'atelier" aria-label="Ouvrir !">x</a>'
        '<textarea placeholder="Votre commentaire ?">l\'avis tapé</textarea>'
        '<img alt="ok" title="Statut\u202f: actif">'
    )
    faults = typography_faults(html)
    assert sum("espace sécable" in f for f in faults) == 3
    assert sum("apostrophe" in f for f in faults) == 1
    html = (
        "<p>Statut : actif ! « Projet » l'atelier</p><code>a.b.c snake_case</code>"
        "<p>project.gate.continue shared_vision le 01/03/2026</p>"
        "<table><tr><td>01/03/2026</td></tr></table><p>alice@test.fr www.example.org</p>"
        "<p>Statut\u202f: actif\u202f! «\u202fProjet\u202f» l’atelier</p>"
    )
    faults = typography_faults(html)
    assert sum("espace sécable" in f for f in faults) == 4
    assert sum("apostrophe" in f for f in faults) == 1
    assert sum("code interne" in f for f in faults) == 1
    assert sum("valeur interne" in f for f in faults) == 1
    assert sum("date numérique" in f for f in faults) == 1


PAGES = [
    (case, role)
    for case in all_cases()
    for role in ROLES
    if case.method == "get"
    and 200 in (case.expected[role] if isinstance(case.expected[role], tuple) else (case.expected[role],))
]


@pytest.mark.parametrize(("case", "role"), PAGES, ids=[f"{case.label}-{role}" for case, role in PAGES])
def test_page_reads_as_french(world, case, role):
    client = client_for(getattr(world, role))
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    response = client.get(url, case.data(world) if case.data else {})
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    body = b"".join(response) if response.streaming else response.content
    faults = typography_faults(body.decode())
    assert not faults, f"{role} {url}:\n" + "\n".join(faults)


def test_a_yes_no_filter_never_reads_unknown(world, staff_client):
    url = reverse("evaluation:indicator.list")
    page = staff_client.get(url).content.decode()
    assert "Inconnu" not in page and 'value="true"' in page
    filtered = staff_client.get(url, {"is_active": "true"}).content.decode()
    assert "Inconnu" not in filtered and not typography_faults(filtered)


def test_no_plural_is_written_with_parentheses():
    """« 4 retenu(s) » reads as a form, not a sentence: plurals go through ngettext / blocktranslate count.
    The Cerfa 15059 keeps the official form's own wording (« Région(s) », « soussigné(e) »)."""
    root = Path(settings.BASE_DIR)
    templates = [*(root / "templates").rglob("*.html"), *(root / "templates").rglob("*.txt")]
    code = [
        p for app in ("programme", "prospects", "projects", "evaluation") for p in (root / app).rglob("*.py")
    ]
    in_template = re.compile(r"\w\((?:s|es|x)\)(?!\w)")
    in_msgid = re.compile(r"""\b_\(\s*"[^"]*\w\((?:s|es|x)\)""")
    found = [
        f"{path.relative_to(root)}: {match.group()}"
        for paths, pattern in ((templates, in_template), (code, in_msgid))
        for path in paths
        if "migrations" not in path.parts and "cerfa" not in path.name
        for match in pattern.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)


# --- E-mails, PDF reports and CSV exports: what leaves the application reads as French too -------------


def mail_faults(message) -> list[str]:
    """The subject, the text body and the HTML alternative of a sent e-mail, checked like a page."""
    parts = [("sujet", html_module.escape(message.subject)), ("texte", html_module.escape(message.body))]
    parts += [("html", content) for content, mimetype in message.alternatives if mimetype == "text/html"]
    return [
        f"{message.subject} ({part}) {fault}" for part, text in parts for fault in typography_faults(text)
    ]


def assert_mails_read_as_french(expected: int) -> None:
    assert len(mail.outbox) >= expected
    faults = [fault for message in mail.outbox for fault in mail_faults(message)]
    assert not faults, "\n".join(faults)


def test_invitation_mail_reads_as_french(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=world.staff,
            email="lea@exemple.fr",
            role="partner",
            organisation=world.org_a,
            first_name="Léa",
        )
    assert_mails_read_as_french(1)


def test_report_mails_read_as_french(season, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    order_activity(season.world, django_capture_on_commit_callbacks)  # « Rapport prêt »

    def broken(html, **kwargs):
        raise RuntimeError("Le moteur n’a pas pu mettre en page")

    monkeypatch.setattr(report_pdf, "html_to_pdf", broken)
    order_funder(season.world, django_capture_on_commit_callbacks)  # « Échec du rapport »
    subjects = " ".join(m.subject for m in mail.outbox)
    assert "Rapport prêt" in subjects and "Échec du rapport" in subjects
    assert_mails_read_as_french(2)


def test_digest_reads_as_french(world, django_capture_on_commit_callbacks):
    today = date(2026, 11, 22)
    project = world.project_a
    project.staff_leads.add(world.staff)
    MilestoneFactory(
        project=project, title="Étude de marché", due_date=today + timedelta(14), owner=world.staff
    )
    DeliverableFactory(
        project=project, title="Charte du collectif", due_date=today - timedelta(1), owner_user=world.staff
    )
    ActionFactory(
        project=project, title="Relancer la mairie", due_date=today + timedelta(1), owner_user=world.staff
    )
    with django_capture_on_commit_callbacks(execute=True):
        deadline_scan(now=datetime(2026, 11, 22, 6, 0, tzinfo=UTC))
    assert_mails_read_as_french(1)
    assert "EN RETARD" in mail.outbox[0].body and "À VENIR" in mail.outbox[0].body


def test_deliverable_upload_mail_reads_as_french(world, django_capture_on_commit_callbacks):
    world.project_a.staff_leads.add(world.staff)
    deliverable = DeliverableFactory(project=world.project_a, title="Budget", owner_organisation=world.org_a)
    with django_capture_on_commit_callbacks(execute=True):
        deliverable_upload(
            actor=world.partner_a, deliverable=deliverable, file=pdf_file("budget.pdf"), comment="Corrigé"
        )
    assert_mails_read_as_french(1)


def test_selection_mail_reads_as_french(world, director_client, django_capture_on_commit_callbacks):
    prospect = candidate_in(world)
    prospect.organisation.people.create(first_name="Léa", last_name="Lemaire", email="lea@porteuse.fr")
    prefix = f"c{prospect.pk}-"
    with django_capture_on_commit_callbacks(execute=True):
        director_client.post(
            reverse("projects:selection.decide", args=[world.cohort.pk, prospect.pk]),
            {
                f"{prefix}decision": "retained",
                f"{prefix}rationale": "Oui",
                f"{prefix}project_title": "Cantine",
            },
        )
    assert_mails_read_as_french(1)


def pdf_text_faults(report) -> list[str]:
    """The PDF's text read back (U+202F included), checked for spaces and apostrophes — a PDF has no table
    cells to tell a dense table's date from a sentence's, so dates are checked in the HTML it came from."""
    faults = []
    for number, page in enumerate(pdf_reader(report).pages, start=1):
        text = html_module.escape(page.extract_text() or "")
        faults += [f"page {number}: {f}" for f in typography_faults(text) if "date numérique" not in f]
    return faults


def test_pdf_reports_read_as_french(season, django_capture_on_commit_callbacks, monkeypatch):  # noqa: F811
    rendered_html: list[str] = []
    html_to_pdf = report_pdf.html_to_pdf

    def keeping_the_html(html, **kwargs):
        rendered_html.append(report_pdf.french_spacing(html))
        return html_to_pdf(html, **kwargs)

    monkeypatch.setattr(report_pdf, "html_to_pdf", keeping_the_html)
    activity = order_activity(season.world, django_capture_on_commit_callbacks)
    funder = order_funder(season.world, django_capture_on_commit_callbacks)
    assert len(rendered_html) == 2
    # The text read back keeps its narrow no-break spaces (else the check below would see nothing).
    assert any("\u202f" in (page.extract_text() or "") for page in pdf_reader(activity).pages)
    faults = [f for html in rendered_html for f in typography_faults(html)]
    faults += pdf_text_faults(activity) + pdf_text_faults(funder)
    assert not faults, "\n".join(faults)


def csv_visible_rows(content: bytes) -> list[list[str]]:
    """An export's header row and its footnote rows (« Définition », « Période »): our words, not data."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    return [rows[0], *(row for row in rows[1:] if row and row[0] in ("Définition", "Période"))]


def xlsx_visible_rows(content: bytes) -> list[list[str]]:
    """A workbook's header rows and footnote rows (« Définition », « Période »), every sheet: our words."""
    from openpyxl import load_workbook

    rows = []
    for sheet in load_workbook(io.BytesIO(content), read_only=True).worksheets:
        values = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        values = [row for row in values if row]
        if values:
            rows += [values[0], *(row for row in values[1:] if row[0] in ("Définition", "Période"))]
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_read_as_french(season, staff_client, fmt):  # noqa: F811
    """The words of every export (its header and footnote rows), in both formats."""
    visible_rows = {"csv": csv_visible_rows, "xlsx": xlsx_visible_rows}[fmt]
    urls = [reverse("prospects:prospect.export", kwargs={"fmt": fmt})] + [
        reverse("evaluation:dashboard.export", kwargs={"table": table, "fmt": fmt})
        for table in dashboard_tables.TABLES
    ]
    faults = []
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        rows = visible_rows(b"".join(response) if response.streaming else response.content)
        assert rows, url
        for row in rows:
            faults += [f"{url}: {f}" for cell in row for f in typography_faults(html_module.escape(cell))]
    assert not faults, "\n".join(faults)


def test_the_cerfa_reads_as_french(convention, staff_client):  # noqa: F811
    """The compte rendu financier (Cerfa n° 15059) the team downloads: every text of the workbook and of
    the PDF — the form's own wording, written with French spacing and apostrophes like the rest."""
    from openpyxl import load_workbook

    faults = []
    xlsx = staff_client.get(reverse("evaluation:funding.cerfa", args=[convention.pk, "xlsx"]))
    texts = [
        cell
        for sheet in load_workbook(io.BytesIO(xlsx.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert "Compte rendu financier de l’action subventionnée" in " ".join(texts)
    faults += [f"xlsx: {f}" for text in texts for f in typography_faults(html_module.escape(text))]
    pdf = staff_client.get(reverse("evaluation:funding.cerfa", args=[convention.pk, "pdf"]))
    from pypdf import PdfReader

    for number, page in enumerate(PdfReader(io.BytesIO(pdf.content)).pages, start=1):
        text = html_module.escape(page.extract_text() or "")
        faults += [f"pdf page {number}: {f}" for f in typography_faults(text) if "date numérique" not in f]
    assert not faults, "\n".join(faults)


# --- The account pages: django-allauth's French, corrected by the project's catalogue ------------------
# allauth's own French writes « l'accès » and « oublié ? » with a breaking space; locale/fr (written by
# scripts/french-catalogue) carries its translations again in French typography, and comes first.

SIGNED_IN_ACCOUNT_PAGES = (
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_change_password",
    "mfa_index",
    "mfa_activate_totp",
    "account_reset_password",  # « Remarque : vous êtes déjà connecté »
)
ANONYMOUS_ACCOUNT_PAGES = (
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_inactive",
)
TWO_FACTOR_PAGES = (
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_deactivate_totp",
)


def _signed_in(user):
    """A client signed in through the login form, then reauthenticated: the pages that ask for a recent
    password (activating two factors) answer without the reauthentication step."""
    client = FormClient()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


def _account_faults(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return [f"{url}: {fault}" for fault in typography_faults(response.content.decode())]


@pytest.mark.parametrize("role", ["staff", "partner_a"])
def test_the_account_pages_read_as_french(world, role):
    client = _signed_in(getattr(world, role))
    faults = [f for name in SIGNED_IN_ACCOUNT_PAGES for f in _account_faults(client, reverse(name))]
    assert not faults, "\n".join(faults)


def test_the_account_pages_read_as_french_before_sign_in(world):
    client = FormClient()
    faults = [f for name in ANONYMOUS_ACCOUNT_PAGES for f in _account_faults(client, reverse(name))]
    # A reset link that is no longer valid says so.
    stale = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "perime"})
    faults += _account_faults(client, stale)
    assert "jeton" in client.get(stale).content.decode().lower()
    reset = client.get(reverse("account_reset_password")).content.decode()
    assert "E-mail" in reset and "Courriel" not in reset  # the app's word, not Django's auth's
    assert not faults, "\n".join(faults)


def test_the_password_reset_mail_reads_as_french(world):
    FormClient().post(reverse("account_reset_password"), {"email": world.staff.email})
    assert_mails_read_as_french(1)


def test_the_two_factor_pages_read_as_french_once_activated(world):
    client = _signed_in(world.staff)
    client.get(reverse("mfa_activate_totp"))
    code = totp_code(client.session["mfa.totp.secret"])
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    faults = [f for name in TWO_FACTOR_PAGES for f in _account_faults(client, reverse(name))]
    # The second step of the next sign-in: the code page.
    second = FormClient()
    response = second.post(reverse("account_login"), {"login": world.staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    faults += _account_faults(second, reverse("mfa_authenticate"))
    assert not faults, "\n".join(faults)
