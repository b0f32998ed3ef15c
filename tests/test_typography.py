"""French typography on every page: the URL×role matrix's pages, read as staff, director and partner.

Each page a role may open (a GET case of tests/<app>/access_cases.py answering 200) is fetched and its
visible text — text nodes, not tags, attributes, <code>, scripts or styles — is checked for what a French
reader notices: a breaking space before « ; : ! ? » or inside guillemets, a straight apostrophe, an
internal code left untranslated (`project.gate.continue`, `shared_vision`) and a numeric date in a sentence
(`01/03/2026` belongs to dense tables only).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.access import all_cases
from tests.conftest import client_for

ROLES = ("staff", "director", "partner_a")

# A breaking space (not U+00A0 / U+202F) before a high punctuation mark, or inside guillemets.
BREAKING_SPACE_BEFORE = re.compile(r"[ \t\r\n][;:!?»]|«[ \t\r\n]")
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
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text nodes of a page with whether they sit in a table cell, skipping non-prose elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.nodes: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
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
