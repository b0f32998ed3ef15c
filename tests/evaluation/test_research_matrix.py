"""The cross-territory view (#22, item 4): a matrix territories × conditions with the latest coding (the
observation one click away), a period filter, an XLSX export, a printable PDF rendered in the background
(a report kind of evaluation/reports), and a synthesis page per condition listing every territory's codings."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import Report, ReportKind
from tests.evaluation.research_helpers import framework, observe, pilot_territory
from tests.reports.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(world):
    version, governance, seats, mobilisation = framework(world)
    vaulx, venissieux = pilot_territory(world, "Vaulx-en-Velin"), pilot_territory(world, "Vénissieux")
    old = observe(world, vaulx, version, (governance, "absent"), on=date(2025, 11, 5), text="Avant")
    new = observe(
        world, vaulx, version, (governance, "present"), (mobilisation, "emerging"), on=date(2026, 3, 10)
    )
    other = observe(world, venissieux, version, (governance, "emerging"), on=date(2026, 2, 1))
    return {
        "version": version,
        "governance": governance,
        "mobilisation": mobilisation,
        "seats": seats,
        "vaulx": vaulx,
        "venissieux": venissieux,
        "old": old,
        "new": new,
        "other": other,
    }


def test_the_matrix_shows_the_latest_coding_with_its_observation_one_click_away(coded, staff_client):
    response = staff_client.get(reverse("evaluation:research.matrix"))
    html = response.content.decode()
    rows = {row["territory"].name: row["cells"] for row in response.context["rows"]}
    names = [c.name for c in response.context["conditions"]]
    assert names == ["Gouvernance partagée", "Place des habitants au COPIL", "Mobilisation des habitants"]
    assert [c.status if c else None for c in rows["Vaulx-en-Velin"]] == ["present", None, "emerging"]
    assert [c.status if c else None for c in rows["Vénissieux"]] == ["emerging", None, None]
    assert coded["new"].get_absolute_url() in html and coded["old"].get_absolute_url() not in html


def test_the_period_filter_reads_the_latest_coding_within_it(coded, staff_client):
    response = staff_client.get(
        reverse("evaluation:research.matrix"), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    rows = {row["territory"].name: row["cells"] for row in response.context["rows"]}
    assert [c.status if c else None for c in rows["Vaulx-en-Velin"]] == ["absent", None, None]
    assert rows["Vénissieux"] == [None, None, None]
    # A period ending before it starts: said, and the matrix falls back to every date.
    bad = staff_client.get(
        reverse("evaluation:research.matrix"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert "La fin de la période précède son début." in bad.content.decode()


def test_the_xlsx_export_says_the_same(coded, staff_client):
    response = staff_client.get(reverse("evaluation:research.matrix.export"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    vaulx = next(r for r in rows if r[0] == "Vaulx-en-Velin")
    at = header.index("Gouvernance partagée")
    assert vaulx[at] == "Présente" and vaulx[at + 2] == "Parce que gouvernance partagée"
    assert vaulx[header.index("Mobilisation des habitants")] == "Émergente"


def test_the_printable_matrix_is_rendered_in_the_background(
    coded, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("evaluation:research.matrix.pdf"), {"start": "2026-01-01", "end": ""}
        )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "evaluation:report.detail", args=[report.pk]
    )
    report.refresh_from_db()
    assert report.kind == ReportKind.RESEARCH_MATRIX and report.status == "done", report.error
    assert report.parameters == {"period_start": "2026-01-01"}
    text = pdf_text(report)
    # (table headers are set in capitals by the print style sheet)
    assert "Matrice territoires × conditions" in text and "VAULX-EN-VELIN" in text
    assert "GOUVERNANCE PARTAGÉE Présente 10/03/2026 Émergente 01/02/2026" in text
    assert "Absente" not in text  # the 2025 coding is outside the period
    detail = staff_client.get(reverse("evaluation:report.detail", args=[report.pk]))
    assert detail.status_code == 200 and "Matrice de la recherche-action" in detail.content.decode()
    assert staff_client.get(reverse("evaluation:report.download", args=[report.pk])).status_code == 200


def test_the_matrix_costs_the_same_whatever_the_number_of_territories(coded, world, staff_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("evaluation:research.matrix")).status_code == 200
        return len(queries)

    few = count()
    for i in range(4):
        territory = pilot_territory(world, f"Territoire {i}")
        observe(world, territory, coded["version"], (coded["mobilisation"], "absent"))
    # 1 session, 2 user, 3 the programme, 4 the framework's version, 5 its conditions, 6 the territories,
    # 7 the codings with their observation and condition (8 the sub-navigation's nothing: no query).
    assert few == 7
    assert count() == few


def test_the_synthesis_of_a_condition_lists_every_territory(coded, staff_client):
    response = staff_client.get(reverse("evaluation:research.condition", args=[coded["governance"].pk]))
    html = response.content.decode()
    assert "Vaulx-en-Velin" in html and "Vénissieux" in html
    for observation in ("old", "new", "other"):
        assert coded[observation].get_absolute_url() in html
    # …within a period.
    narrowed = staff_client.get(
        reverse("evaluation:research.condition", args=[coded["governance"].pk]), {"start": "2026-01-01"}
    ).content.decode()
    assert coded["old"].get_absolute_url() not in narrowed and coded["other"].get_absolute_url() in narrowed
