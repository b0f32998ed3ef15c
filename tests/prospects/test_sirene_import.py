"""The SIRENE import: it reads INSEE's stock files as published (zipped or not), keeps what the programme
targets, records each import, and refuses a malformed file with a message naming the problem — changing
nothing."""

import csv
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from prospects.sirene import generator
from prospects.sirene.columns import CATEGORY_GROUP, CATEGORY_GROUPS, UNIT_COLUMNS
from prospects.sirene.models import RegisterEstablishment, RegisterImport, RegisterUnit
from tests.factories import OrganisationFactory, ProgrammeFactory

from .sirene_data import import_file, load_register

pytestmark = pytest.mark.django_db


def test_generated_files_have_insee_header_and_zip_layout(tmp_path):
    units, establishments = generator.write_register(tmp_path, rows=20)
    assert units.name == "StockUniteLegale_utf8.zip"
    with zipfile.ZipFile(units) as archive:
        assert archive.namelist() == ["StockUniteLegale_utf8.csv"]
        with archive.open("StockUniteLegale_utf8.csv") as raw:
            header = raw.readline().decode("utf-8").strip().split(",")
    assert tuple(header) == UNIT_COLUMNS
    assert header[:4] == [
        "siren",
        "statutDiffusionUniteLegale",
        "unitePurgeeUniteLegale",
        "dateCreationUniteLegale",
    ]
    with zipfile.ZipFile(establishments) as archive:
        assert archive.namelist() == ["StockEtablissement_utf8.csv"]


def test_import_keeps_active_targeted_units_and_records_the_import(tmp_path):
    units_import, establishments_import = load_register(tmp_path, rows=400)

    assert units_import.status == "done", units_import.error
    assert units_import.rows_read == 400
    assert 0 < units_import.rows_kept == RegisterUnit.objects.count() < 400
    assert units_import.size == (tmp_path / "StockUniteLegale_utf8.zip").stat().st_size
    assert (
        len(units_import.sha256) == 64 and units_import.duration is not None and units_import.progress == 100
    )
    # Natural persons and non-diffusible units never kept; every unit kept is active and ESS or targeted.
    assert not RegisterUnit.objects.filter(legal_category="1000").exists()
    assert not RegisterUnit.objects.filter(name="[ND]").exists()
    for unit in RegisterUnit.objects.all():
        assert unit.active and (unit.ess or unit.legal_category in CATEGORY_GROUP)
    # Establishments of the kept units, and each unit placed at its head office.
    assert establishments_import.status == "done"
    assert RegisterEstablishment.objects.count() == establishments_import.rows_kept > 0
    assert not RegisterUnit.objects.filter(departement="").exists()


def test_departements_setting_keeps_only_those_establishments(tmp_path, settings):
    settings.SIRENE_DEPARTEMENTS = ["69"]
    load_register(tmp_path, rows=300)
    assert set(RegisterEstablishment.objects.values_list("departement", flat=True)) == {"69"}
    assert set(RegisterUnit.objects.exclude(departement="").values_list("departement", flat=True)) == {"69"}


def test_the_programme_settings_choose_what_is_kept_over_the_server_settings(tmp_path, settings):
    settings.SIRENE_DEPARTEMENTS = ["69"]
    ProgrammeFactory(register_categories=["association"], register_departements=["44"])
    ProgrammeFactory(register_categories=["fondation"], register_departements=["01"])
    ProgrammeFactory(register_categories=["scop"], register_departements=["38"], is_active=False)  # archived
    load_register(tmp_path, rows=400)

    # The union of the active programmes' choices; the server's setting (69) is only the fallback.
    assert set(RegisterEstablishment.objects.values_list("departement", flat=True)) == {"44", "01"}
    chosen = {*CATEGORY_GROUPS["association"], *CATEGORY_GROUPS["fondation"]}
    kept = list(RegisterUnit.objects.all())
    assert kept and all(unit.ess or unit.legal_category in chosen for unit in kept)
    assert any(unit.legal_category in CATEGORY_GROUPS["association"] for unit in kept)
    # Non-ESS SCOP are kept by the default targets but not by these programmes' choices.
    assert not any(not unit.ess and unit.legal_category in CATEGORY_GROUPS["scop"] for unit in kept)


def test_without_programme_choices_the_server_settings_apply(tmp_path, settings):
    settings.SIRENE_LEGAL_CATEGORIES = list(CATEGORY_GROUPS["association"])
    ProgrammeFactory(register_categories=[], register_departements=[])
    load_register(tmp_path, rows=300)
    assert all(
        unit.ess or unit.legal_category in CATEGORY_GROUPS["association"]
        for unit in RegisterUnit.objects.all()
    )
    assert RegisterEstablishment.objects.values("departement").distinct().count() > 1  # every département


def test_a_known_structure_is_kept_even_ceased(tmp_path):
    ceased = next(
        row
        for row in generator.unit_rows(300)
        if row["etatAdministratifUniteLegale"] == "C"
        and row["statutDiffusionUniteLegale"] == "O"
        and row["categorieJuridiqueUniteLegale"] != "1000"
    )
    OrganisationFactory(name="Ancienne structure", siren=ceased["siren"])
    load_register(tmp_path, rows=300)
    unit = RegisterUnit.objects.get(siren=ceased["siren"])
    assert not unit.active


def test_a_second_import_knows_which_structures_are_new(tmp_path):
    first = load_register(tmp_path / "a", rows=200)[0]
    second = load_register(tmp_path / "b", rows=260)[0]
    old = set(RegisterUnit.objects.filter(first_import=first.pk).values_list("siren", flat=True))
    new = set(RegisterUnit.objects.filter(first_import=second.pk).values_list("siren", flat=True))
    assert old and new and not old & new
    assert all(int(siren[:8]) - generator.FIRST_SIREN >= 200 for siren in new)


def test_a_plain_csv_imports_too(tmp_path):
    path = generator.write_csv(
        tmp_path / "StockUniteLegale_utf8.csv", UNIT_COLUMNS, generator.unit_rows(50), zipped=False
    )
    row = import_file(path)
    assert row.status == "done" and row.rows_read == 50 and RegisterUnit.objects.count() == row.rows_kept


# --- Refused files: a clear message, nothing changed -------------------------------------------------------


@pytest.fixture
def loaded(tmp_path):
    load_register(tmp_path / "ok", rows=200)
    return set(RegisterUnit.objects.values_list("siren", flat=True))


def _refused(path, loaded, *words):
    row = import_file(path)
    assert row.status == "failed"
    for word in words:
        assert word in row.error, row.error
    assert set(RegisterUnit.objects.values_list("siren", flat=True)) == loaded
    return row


def test_wrong_columns_are_refused_naming_them(tmp_path, loaded):
    path = tmp_path / "liste.csv"
    path.write_text("siren,nom,ville\n123456789,ASSO,LYON\n", encoding="utf-8")
    _refused(path, loaded, "il manque", "statutDiffusionUniteLegale", "categorieJuridiqueUniteLegale")


def test_truncated_zip_is_refused(tmp_path, loaded):
    good = generator.write_register(tmp_path / "src", rows=3000, establishments=False)[0]
    data = good.read_bytes()
    path = tmp_path / "StockUniteLegale_utf8.zip"
    path.write_bytes(data[: len(data) // 2])
    _refused(path, loaded, "zip", "tronquée")


def test_wrong_encoding_is_refused(tmp_path, loaded):
    rows = list(generator.unit_rows(30))
    rows[10]["denominationUniteLegale"] = "MAISON DES SAVOIRS ÉTÉ"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(UNIT_COLUMNS)
    writer.writerows([[row[c] for c in UNIT_COLUMNS] for row in rows])
    path = tmp_path / "StockUniteLegale_latin1.csv"
    path.write_bytes(buffer.getvalue().encode("latin-1"))
    _refused(path, loaded, "UTF-8")


def test_a_short_row_is_refused(tmp_path, loaded):
    path = generator.write_csv(tmp_path / "units.csv", UNIT_COLUMNS, generator.unit_rows(30), zipped=False)
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text.rsplit(",", 5)[0] + "\n", encoding="utf-8")
    _refused(path, loaded, "Ligne incomplète")


def test_a_siren_twice_is_refused(tmp_path, loaded):
    rows = list(generator.unit_rows(60))
    kept = [
        r
        for r in rows
        if r["categorieJuridiqueUniteLegale"] == "9220"
        and r["etatAdministratifUniteLegale"] == "A"
        and r["statutDiffusionUniteLegale"] == "O"
    ]
    path = generator.write_csv(tmp_path / "units.csv", UNIT_COLUMNS, iter([*rows, kept[0]]), zipped=False)
    _refused(path, loaded, "deux fois")


# --- The command --------------------------------------------------------------------------------------------


def test_command_imports_units_before_establishments(tmp_path, capsys):
    units, establishments = generator.write_register(tmp_path, rows=150)
    call_command("sirene_import", str(establishments), str(units))
    kinds = list(RegisterImport.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [("units", "done"), ("establishments", "done")]
    assert "lignes lues" in capsys.readouterr().out


def test_command_refuses_a_bad_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="il manque"):
        call_command("sirene_import", str(path))
    assert not RegisterUnit.objects.exists()


def test_command_queues_the_import_for_the_worker_which_runs_it_once(
    tmp_path, django_capture_on_commit_callbacks
):
    from prospects.sirene.tasks import run_register_import

    units, _ = generator.write_register(tmp_path, rows=120)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        call_command("sirene_import", "--queue", str(units))
    # Handed to the worker after commit (run at once in tests); the data version's own bump aside.
    from programme.dataversion import is_bump

    assert len([callback for callback in queued if not is_bump(callback)]) == 1
    row = RegisterImport.objects.get()
    assert row.status == "done" and row.progress == 100 and RegisterUnit.objects.count() == row.rows_kept
    finished = row.finished_at
    run_register_import(row.pk)  # a redelivered message: the import is claimed, nothing runs again
    row.refresh_from_db()
    assert row.finished_at == finished
