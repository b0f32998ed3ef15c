"""Money in the reports: the funder report's financial section (budget vs actual, funding received,
contributions in kind), read back from the PDF, and the compte rendu financier of a convention laid out
like the Cerfa 15059 (XLSX and PDF), the team's only."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.models import ReportStatus
from projects.funding import services as funding_services
from tests.reports.helpers import order_funder, pdf_text

pytestmark = pytest.mark.django_db


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def test_the_funder_report_has_a_financial_section(world, convention, django_capture_on_commit_callbacks):
    report = order_funder(world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE, report.error
    text = _plain(pdf_text(report))
    assert "Budget et financements" in text
    # Budget vs actual: personnel 20 000 € planned, 26 000 € spent (+6 000 €).
    assert "Personnel 20 000 € 26 000 € 6 000 €" in text
    # Funding received, by funder: the Région's 24 000 € secured, 10 000 € received, 14 000 € to come.
    assert "Région Auvergne-Rhône-Alpes Région 24 000 € 10 000 € 14 000 €" in text
    # Volunteers' time is valued apart.
    assert "Contributions en nature valorisées 3 000 €" in text
    assert "Bénévolat 3 000 € 4 500 € 1 500 €" in text


def test_the_cerfa_xlsx_follows_the_form_s_headings_and_adds_up(staff_client, convention):
    response = staff_client.get(reverse("evaluation:funding.cerfa", args=[convention.pk, "xlsx"]))
    assert response.status_code == 200
    assert "compte-rendu-financier-AURA-2026-017" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    cells = [_plain(" ".join(str(c) for c in row if c is not None)) for row in rows]
    text = "\n".join(cells)
    assert "Compte rendu financier de l'action subventionnée" in text
    for heading in (
        "1. Bilan qualitatif de l'action réalisée",
        "2. Tableau de synthèse",
        "3. Données chiffrées",
        "Je soussigné(e)",
    ):
        assert heading in text, heading
    by_account = {(row[0], row[1].strip() if row[1] else ""): row for row in rows if row and row[0]}
    personnel = next(r for (acc, _l), r in by_account.items() if acc == "64")
    assert personnel[2:6] == (20000, 26000, 6000, 30)
    travel = next(r for (acc, _l), r in by_account.items() if acc == "62")
    assert travel[2:5] == (2000, 1500, -500)
    assert all(acc in {a for a, _l in by_account} for acc in ("60", "61", "63", "65", "66", "67", "68"))
    # Products: account 74 with the Région and the foundation on their own sub-lines.
    grants = next(r for (acc, _l), r in by_account.items() if acc == "74")
    assert grants[2:4] == (30000, 30000)
    region = next(r for r in rows if r[1] and r[1].strip() == "Région(s)")
    private = next(r for r in rows if r[1] and r[1].strip().startswith("Aides privées"))
    assert (region[2], private[2]) == (24000, 6000)
    totals = {r[1]: r for r in rows if r[1] in ("Total des charges", "Total des produits")}
    assert totals["Total des charges"][2:4] == (22000, 27500)
    assert totals["Total des produits"][2:4] == (30000, 30000)
    # Contributions in kind: 864 (what they pay for) and 870 (who gives them), the same amounts.
    assert by_account[("864", "Personnel bénévole")][2:4] == (3000, 4500)
    assert by_account[("870", "Bénévolat")][2:4] == (3000, 4500)
    # The annex is pre-filled with what Parcours knows: the significant variances and the contributions.
    assert any("64 Charges de personnel" in c and "+30" in c for c in cells)
    assert any("Bénévolat" in c and "4 500 €" in c for c in cells)
    assert "AURA-2026-017" in text and "Région Auvergne-Rhône-Alpes" in text and "10 000 €" in text


def test_the_cerfa_pdf_reads_back(staff_client, convention):
    response = staff_client.get(reverse("evaluation:funding.cerfa", args=[convention.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = _plain(" ".join(page.extract_text() or "" for page in reader.pages))
    assert "Compte rendu financier de l'action subventionnée" in text
    assert "Cerfa n° 15059" in text
    assert "64 Charges de personnel 20 000 € 26 000 € +6 000 € +30" in text
    assert "Total des charges 22 000 € 27 500 €" in text
    assert "Expliquer et justifier les écarts significatifs" in text
    assert "Quelle a été la règle de répartition des charges indirectes" in text
    assert "870 Bénévolat 3 000 € 4 500 €" in text


def test_partners_never_get_the_cerfa_even_when_the_money_is_shared(world, convention):
    from tests.conftest import client_for

    funding_services.funding_share(actor=world.staff, project=world.project_a, shared=True)
    for user in (world.partner_a, world.partner_b):
        response = client_for(user).get(reverse("evaluation:funding.cerfa", args=[convention.pk, "xlsx"]))
        assert response.status_code == 404
