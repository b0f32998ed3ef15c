"""Exports (content, filters, formula escaping) and the SVG charts."""

import io
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

from django.urls import reverse
from openpyxl import load_workbook

from evaluation import charts
from programme.exports import csv_bytes, escape_formula, xlsx_bytes
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, record
from tests.factories import CohortFactory, ProjectFactory

SVG = "{http://www.w3.org/2000/svg}"


def test_formula_escaping():
    for dangerous in ("=1+1", "+33 6 00", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(dangerous) == "'" + dangerous
    assert escape_formula("Projet A") == "Projet A"
    assert escape_formula(-2) == -2


def test_csv_is_for_french_spreadsheets():
    data = csv_bytes(
        ["Projet", "Valeur", "Date"],
        [['=HYPERLINK("http://x")', D("1234.5"), date(2026, 11, 22)], ["B", None, None]],
    )
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines[0] == "Projet;Valeur;Date"
    assert lines[1] == '"\'=HYPERLINK(""http://x"")";1234,5;22/11/2026'
    assert lines[2] == "B;;"


def test_xlsx_keeps_numbers_and_never_stores_a_formula():
    data = xlsx_bytes("Indicateurs", ["Projet", "Valeur"], [["=2+2", D("12.5")], ["+cmd", 3]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Indicateurs"
    assert [c.value for c in sheet[1]] == ["Projet", "Valeur"]
    assert sheet["A2"].value == "'=2+2" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5
    assert sheet["A3"].value == "'+cmd" and sheet["B3"].value == 3


def test_xlsx_header_is_bold_dates_read_as_dates_and_columns_fit_their_text():
    data = xlsx_bytes(
        "Projets", ["Projet", "Fin"], [["Vélos-cargos pour les commerces de quartier", date(2027, 3, 9)]]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].font.b and sheet["B1"].font.b and not sheet["A2"].font.b
    assert sheet["B2"].value.date() == date(2027, 3, 9) and sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["A"].width == len("Vélos-cargos pour les commerces de quartier") + 2
    assert sheet.column_dimensions["B"].width == 12  # « 2027-03-09 », at least 10 characters


def _measured_world(world):
    indicator = IndicatorFactory(name="=Personnes touchées", unit="personnes")
    pi = ProjectIndicatorFactory(
        project=world.project_a, indicator=indicator, baseline_value=10, target_value=50
    )
    record(world.staff, pi, value=D(30))
    other_cohort = CohortFactory(programme=world.programme, name="Autre promotion")
    other = ProjectFactory(programme=world.programme, cohort=other_cohort, title="Projet hors promotion")
    pi_other = ProjectIndicatorFactory(project=other, indicator=indicator, baseline_value=0, target_value=10)
    record(world.staff, pi_other, value=D(7))
    return indicator


def test_dashboard_csv_export_content_follows_the_filters(world, director_client):
    _measured_world(world)
    url = reverse("evaluation:dashboard.export", args=["indicators", "csv"])
    response = director_client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="parcours-indicators-' in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "Indicateur;Nature;Projets (mesurés / suivant);Valeur sur la période;Comparé à la cible;Référence;"
        "Cible;Avancement vers la cible (%);Évolution depuis la référence (%);Unité;Nature de la cible;Remarque"
    )
    # A flow with a cumulative target: 37 so far against 60 = 61,7 %; no "+270 % since the baseline"
    # (a cumul is not compared with a per-period baseline) — the reason is written instead.
    assert lines[1] == (
        "'=Personnes touchées;flux;2;37;37;10;60;61,7;;personnes;cumulée;"
        "cumul rapporté à la cible cumulée · sans objet pour un cumul"
    )
    # The export ends with what the table counts and over which dates.
    assert lines[-3].startswith('Définition;"Mesures validées des indicateurs')
    assert lines[-2].startswith("Période;Données depuis le début")
    response = director_client.get(url, {"cohort": world.cohort.pk, "programme": world.programme.pk})
    line = response.content.decode("utf-8-sig").split("\r\n")[1]
    assert line.startswith("'=Personnes touchées;flux;1;30;30;10;50;60;;personnes;cumulée;")


def test_dashboard_xlsx_export(world, director_client):
    _measured_world(world)
    response = director_client.get(reverse("evaluation:dashboard.export", args=["phases", "xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Phase", "Projets")
    assert ("Sélection", 3) in rows


def test_every_dashboard_table_exports(world, staff_client):
    from evaluation.reports.dashboard import TABLES

    for key in TABLES:
        for fmt in ("csv", "xlsx"):
            response = staff_client.get(reverse("evaluation:dashboard.export", args=[key, fmt]))
            assert response.status_code == 200, (key, fmt)


def _parse(svg: str):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
    assert "style=" not in svg  # CSP: presentation attributes only
    return root


def test_bar_chart_is_accessible_and_writes_values_as_text():
    svg = charts.bar_chart(
        title="Projets par phase",
        desc="Nombre de projets",
        bars=[charts.Bar("Émergence", 1234, charts.PHASE_COLOURS["emergence"]), charts.Bar("<script>", 0)],
    )
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1\u00a0234" in texts and "&lt;script&gt;" in svg and "<script>" not in svg
    assert any(r.get("fill") == "#0b6e8a" for r in root.iter(f"{SVG}rect"))


def test_other_charts_parse_and_handle_empty_data():
    _parse(
        charts.grouped_bar_chart(
            title="Maturité",
            desc="d",
            categories=["Vision"],
            series=[charts.Series("Début", [D("1.5")]), charts.Series("Fin", [None])],
            max_value=4,
        )
    )
    _parse(
        charts.column_chart(
            title="Ateliers",
            desc="d",
            labels=["T1 2026", "T2 2026"],
            series=[charts.Series("Ateliers", [2, 0])],
        )
    )
    _parse(
        charts.progress_chart(
            title="Indicateurs",
            desc="d",
            rows=[{"label": "X", "value": 30, "baseline": 10, "target": 50, "text": "30 / cible 50"}],
        )
    )
    for empty in (
        charts.bar_chart(title="t", desc="d", bars=[], empty="Aucune donnée"),
        charts.column_chart(title="t", desc="d", labels=[], series=[]),
        charts.progress_chart(title="t", desc="d", rows=[]),
    ):
        assert "Aucune donnée" in empty
        _parse(empty)
