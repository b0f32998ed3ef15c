"""Import of watch spreadsheets: preview (new / duplicate / invalid with reasons), all-or-nothing import
after confirmation, idempotent re-import, encodings, and every bad file refused with nothing imported."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from programme import bulk
from programme.models import Organisation, Person
from prospects import importing
from prospects.models import ImportFile, ImportStatus, Prospect

from .factories import VALID_SIREN_TOWN, prospect_in

HEADER = "Nom;Commune;SIREN;Forme;E-mail;Prénom;Nom du contact;Date prochaine action\n"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, world, content: bytes, name: str = "veille.csv"):
    return client.post(
        reverse("prospects:import.upload"),
        {"programme": world.programme.pk, "file": SimpleUploadedFile(name, content)},
    )


def preview_of(world, content: bytes) -> importing.Preview:
    headers, body = importing.read_table(content)
    return importing.classify(
        programme=world.programme, headers=headers, body=body, mapping=importing.auto_mapping(headers)
    )


def confirm(client, token: str, data: dict | None = None):
    """Confirm an import; the queued task runs (inline, as without Redis) when the request commits."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("prospects:import.confirm", args=[token]), data or {})


def full_import(client, world, content: bytes, *, skip_invalid: bool = False, name: str = "veille.csv"):
    response = upload(client, world, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].rstrip("/").split("/")[-1]
    return confirm(client, token, {"skip_invalid": "on"} if skip_invalid else {})


# --- Reading files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_are_read_correctly(world, encoding):
    content = csv_bytes("Société Coopérative Écolière;Saint-Étienne;;scic;;;;", encoding=encoding)
    headers, body = importing.read_table(content)
    assert headers[0] == "Nom"  # no BOM left in the first header
    assert body[0][1][:2] == ["Société Coopérative Écolière", "Saint-Étienne"]


def test_comma_separated_files_are_read(world):
    headers, body = importing.read_table(b"Nom,Commune\nAsso A,Lyon\n")
    assert headers == ["Nom", "Commune"]
    assert body == [(2, ["Asso A", "Lyon"])]


def test_xlsx_files_are_read_with_dates(world):
    from datetime import date

    content = xlsx_bytes([["Nom", "Commune", "Date prochaine action"], ["Asso X", "Lyon", date(2026, 12, 1)]])
    preview = preview_of(world, content)
    assert preview.counts == {"new": 1, "duplicate": 0, "invalid": 0}
    assert preview.rows[0].data["next_action_date"] == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vide"),
        (b"   \n\n", "vide"),
        (HEADER.encode(), "que la ligne d’en-tête"),
        (b"Nom;Commune\n<html><script>alert(1)</script>;Lyon\n", "ni un CSV"),
        (b"\xef\xbb\xbf#!/bin/sh\nNom;Commune\n", "ni un CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"%PDF-1.7 something", "ni un CSV"),
        (b"PK\x03\x04not really a zip", "XLSX lisible"),
    ],
)
def test_bad_files_are_refused(world, content, message):
    with pytest.raises(importing.ImportFileError, match=message):
        importing.read_table(content)


def test_xlsx_formulas_are_refused(world):
    content = xlsx_bytes([["Nom", "Commune"], ["Asso", '=CONCAT("Ly","on")']])
    with pytest.raises(importing.ImportFileError, match="formules"):
        importing.read_table(content)


def test_names_starting_like_a_formula_are_imported_as_they_are(world, staff_client):
    """The import takes real names (« @Home Coop », « -Le Relais ») as typed; the exports neutralise them."""
    content = csv_bytes(
        "@Home Coop;Lyon;;;;;;",
        "-Le Relais;Bron;;;;;;",
        "+Plus Solidaire;Vienne;;;;;;",
        '=HYPERLINK("x");Givors;;;;;;',
    )
    full_import(staff_client, world, content)
    names = set(Prospect.objects.values_list("organisation__name", flat=True))
    assert {"@Home Coop", "-Le Relais", "+Plus Solidaire", '=HYPERLINK("x")'} <= names
    export = staff_client.get(reverse("prospects:prospect.export", args=["csv"]))
    first_cells = {
        row[0] for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";")
    }
    assert {"'@Home Coop", "'-Le Relais", "'+Plus Solidaire", '\'=HYPERLINK("x")'} <= first_cells
    workbook = load_workbook(
        io.BytesIO(staff_client.get(reverse("prospects:prospect.export", args=["xlsx"])).content)
    )
    cells = {row[0].value: row[0].data_type for row in list(workbook.active.iter_rows())[1:]}
    assert {"'@Home Coop", "'-Le Relais", "'+Plus Solidaire", '\'=HYPERLINK("x")'} <= set(cells)
    assert set(cells.values()) == {"s"}


def test_exports_neutralise_text_but_keep_negative_numbers():
    from programme.exports import csv_bytes as export_csv

    text = export_csv(["Structure", "Écart"], [["-Le Relais", -5], ["@Home Coop", 3]]).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["'-Le Relais;-5", "'@Home Coop;3"]


def test_phone_numbers_and_dashes_are_not_formulas(world):
    headers, body = importing.read_table(
        csv_bytes("Asso;Lyon;;;;;-;", header="Nom;Commune;SIREN;Forme;Tél;A;B;C\n")
    )
    assert body  # "+33 …" or a lone "-" are plain values
    importing.read_table("Nom;Commune;Téléphone\nAsso;Lyon;+33 4 72 00 00 00\n".encode())


# --- Classification -------------------------------------------------------------------------------------


def test_missing_required_columns_are_reported(world):
    preview = preview_of(world, b"Structure;Ville du siege\nAsso;Lyon\n")
    assert preview.missing == ["Commune"]
    assert preview.rows == []


def test_rows_are_classified_with_reasons(world):
    existing = prospect_in(world)  # org_a "Structure A", Lyon
    siren, town = VALID_SIREN_TOWN
    Organisation.objects.filter(pk=world.org_b.pk).update(siren=siren)
    content = csv_bytes(
        "Nouvelle Asso;Villeurbanne;;association;;;;",
        "structure a;LYON;;;;;;",  # same normalised name + town as an existing prospect
        f"Autre nom;{town};{siren};;;;;",  # same SIREN as org_b (not yet a prospect): new, reusing it
        "Nouvelle Asso;Villeurbanne;;;;;;",  # duplicate of line 2 in the file
        "Sans siren valide;Lyon;123456789;;;;;",
        "Mauvais mail;Lyon;;;pas-un-mail;;;",
        ";Lyon;;;;;;",
        "Date bizarre;Lyon;;;;;;31/02/2026",
        "Forme inconnue;Lyon;;coopérative magique;;;;",
    )
    preview = preview_of(world, content)
    by_line = {row.line: row for row in preview.rows}
    assert by_line[2].status == "new"
    assert by_line[3].status == "duplicate" and "Déjà prospect" in by_line[3].reasons[0]
    assert by_line[4].status == "new" and by_line[4].organisation_id == world.org_b.pk
    assert by_line[5].status == "duplicate" and "ligne 2" in by_line[5].reasons[0]
    assert by_line[6].status == "invalid" and "SIREN" in by_line[6].reasons[0]
    assert by_line[7].status == "invalid" and "e-mail" in by_line[7].reasons[0]
    assert by_line[8].status == "invalid" and "Nom de la structure manquant" in by_line[8].reasons[0]
    assert by_line[9].status == "invalid" and "Date" in by_line[9].reasons[0]
    assert by_line[10].status == "invalid" and "Forme" in by_line[10].reasons[0]
    assert existing.organisation_id == world.org_a.pk


# --- The upload / preview / confirm flow --------------------------------------------------------------


def test_import_flow_creates_structures_prospects_and_contacts(world, staff_client):
    content = csv_bytes("Asso Nouvelle Énergie;Vénissieux;;association;ana@asso.fr;Ana;Bel;01/12/2026")
    response = upload(staff_client, world, content)
    preview_url = response["Location"]
    page = staff_client.get(preview_url)
    assert "1 nouvelle" in page.content.decode()
    assert Prospect.objects.count() == 0  # nothing before confirmation
    token = preview_url.rstrip("/").split("/")[-1]
    response = confirm(staff_client, token)
    assert response["Location"] == reverse("prospects:import.status", args=[token])
    page = staff_client.get(response["Location"]).content.decode()
    assert "1 prospect importé" in page and "Voir les prospects" in page
    prospect = Prospect.objects.select_related("organisation").get()
    assert prospect.organisation.name == "Asso Nouvelle Énergie"
    # Written set-based (not by save()), the structure is found by a search typed without accents.
    listed = staff_client.get(reverse("prospects:prospect.list"), {"q": "venissieux"}).content.decode()
    assert "1 prospect" in listed and "Asso Nouvelle Énergie" in listed
    assert (
        "1 prospect"
        in staff_client.get(reverse("prospects:prospect.list"), {"q": "nouvelle energie"}).content.decode()
    )
    assert prospect.source == "import" and str(prospect.next_action_date) == "2026-12-01"
    assert Person.objects.get(email="ana@asso.fr").organisation == prospect.organisation
    contacts = staff_client.get(reverse("programme:person.list"), {"q": "ana bel"}).content.decode()
    assert "1 contact" in contacts and "ana@asso.fr" in contacts
    assert ImportFile.objects.get().status == ImportStatus.IMPORTED


def test_reimporting_the_same_file_creates_nothing(world, staff_client):
    content = csv_bytes("Asso Une;Lyon;;;;;;", "Asso Deux;Vénissieux;;;;;;")
    full_import(staff_client, world, content)
    assert Prospect.objects.count() == 2
    organisations = Organisation.objects.count()
    full_import(staff_client, world, content)
    assert Prospect.objects.count() == 2
    assert Organisation.objects.count() == organisations


def test_invalid_rows_block_the_import_unless_explicitly_skipped(world, staff_client):
    content = csv_bytes("Bonne Asso;Lyon;;;;;;", "Mauvaise;Lyon;111;;;;;")
    response = full_import(staff_client, world, content)
    assert response.status_code == 200
    assert "1 ligne invalide" in response.content.decode()
    assert Prospect.objects.count() == 0
    token = ImportFile.objects.get().token
    response = confirm(staff_client, token, {"skip_invalid": "on"})
    assert response.status_code == 302
    assert list(Prospect.objects.values_list("organisation__name", flat=True)) == ["Bonne Asso"]


def test_import_is_all_or_nothing(world, staff_client, monkeypatch):
    """The contacts fail to be written after the structures and prospects were: nothing is left."""
    insert = bulk.Staging.insert

    def boom(self, model, *args, **kwargs):
        if model is Person:
            raise RuntimeError("disk full")
        return insert(self, model, *args, **kwargs)

    monkeypatch.setattr(bulk.Staging, "insert", boom)
    content = csv_bytes("Asso Une;Lyon;;;a@b.fr;A;B;", "Asso Deux;Lyon;;;c@d.fr;C;D;")
    response = full_import(staff_client, world, content)
    assert Prospect.objects.count() == 0
    assert not Organisation.objects.filter(name__startswith="Asso ").exists()
    import_file = ImportFile.objects.get()
    assert import_file.status == ImportStatus.FAILED
    page = staff_client.get(response["Location"]).content.decode()
    assert "Rien n&#x27;a été importé" in page or "Rien n’a été importé" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (HEADER.encode(), "que la ligne d’en-tête"),
        (b"<!-- veille --><svg onload=alert(1)>;Lyon\n", "ni un CSV"),
    ],
)
def test_bad_uploads_show_the_error_next_to_the_field(world, staff_client, content, message):
    response = upload(staff_client, world, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportFile.objects.exists()


def test_oversize_files_are_refused(world, staff_client, settings):
    settings.PARCOURS_MAX_IMPORT_MB = 1
    content = csv_bytes(*[f"Asso {i};Lyon;;;;;;" for i in range(60_000)])
    assert len(content) > 1024 * 1024
    response = upload(staff_client, world, content)
    assert "la limite est de 1 Mo" in response.content.decode()
    assert not ImportFile.objects.exists()


def test_the_file_type_comes_from_the_content_not_the_name(world, staff_client):
    content = xlsx_bytes([["Nom", "Commune"], ["Asso Tableur", "Lyon"]])
    full_import(staff_client, world, content, name="liste.csv")
    assert Prospect.objects.filter(organisation__name="Asso Tableur").exists()


def test_columns_can_be_mapped_by_hand(world, staff_client):
    content = b"Structure;Localite\nAsso Mappee;Bron\n"
    response = upload(staff_client, world, content)
    token = response["Location"].rstrip("/").split("/")[-1]
    page = staff_client.get(response["Location"]).content.decode()
    assert "Colonnes obligatoires manquantes : Commune" in page
    response = staff_client.post(
        reverse("prospects:import.preview", args=[token]), {"map-col_0": "name", "map-col_1": "town"}
    )
    assert response.status_code == 302
    confirm(staff_client, token)
    assert Prospect.objects.get().organisation.town == "Bron"


def test_a_column_cannot_feed_two_fields(world, staff_client):
    response = upload(staff_client, world, b"Nom;Commune\nA;Lyon\n")
    token = response["Location"].rstrip("/").split("/")[-1]
    response = staff_client.post(
        reverse("prospects:import.preview", args=[token]), {"map-col_0": "name", "map-col_1": "name"}
    )
    assert response.status_code == 200
    assert "déjà alimenté" in response.content.decode()


def test_another_users_import_is_404(world, director_client, staff_client):
    response = upload(staff_client, world, b"Nom;Commune\nA;Lyon\n")
    assert director_client.get(response["Location"]).status_code == 404


def test_cancelled_import_deletes_the_stored_file(world, staff_client):
    from django.core.files.storage import default_storage

    response = upload(staff_client, world, b"Nom;Commune\nA;Lyon\n")
    import_file = ImportFile.objects.get()
    assert default_storage.exists(import_file.path)
    token = import_file.token
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is deleted once the cancel commits
        staff_client.post(reverse("prospects:import.cancel", args=[token]))
    assert not default_storage.exists(import_file.path)
    assert staff_client.get(response["Location"]).status_code == 404


def test_abandoned_imports_are_purged(world, staff_client):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from prospects.tasks import purge_abandoned_imports

    upload(staff_client, world, b"Nom;Commune\nA;Lyon\n")
    fresh = ImportFile.objects.get()
    upload(staff_client, world, b"Nom;Commune\nB;Lyon\n")
    old = ImportFile.objects.exclude(pk=fresh.pk).get()
    ImportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert purge_abandoned_imports() == 1
    old.refresh_from_db()
    assert old.status == ImportStatus.CANCELLED and not default_storage.exists(old.path)
    assert default_storage.exists(fresh.path)


def test_status_page_polls_until_the_import_is_done(world, staff_client, director_client):
    response = upload(staff_client, world, b"Nom;Commune\nA;Lyon\n")
    token = response["Location"].rstrip("/").split("/")[-1]
    status_url = reverse("prospects:import.status", args=[token])
    assert staff_client.get(status_url)["Location"] == response["Location"]  # not confirmed yet
    staff_client.post(reverse("prospects:import.confirm", args=[token]))  # queued; the task waits for commit
    import_file = ImportFile.objects.get()
    assert import_file.status == ImportStatus.QUEUED and import_file.row_count == 1
    page = staff_client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<html" not in page
    assert director_client.get(status_url).status_code == 404
    from prospects.tasks import run_import

    run_import(import_file.pk)
    run_import(import_file.pk)  # a redelivered task does nothing more
    assert Prospect.objects.count() == 1
    page = staff_client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in page and "1 prospect importé" in page


def test_an_import_refuses_dates_outside_1900_2100_and_strips_bidi_controls(world):
    """The same edge checks as the forms (issue #13): 31/12/9999 makes the row invalid, an RTL override in
    a name is dropped."""
    preview = preview_of(
        world,
        csv_bytes(
            "Asso Lointaine;Lyon;;association;;;;31/12/9999", "Asso \u202eenilno\u202c;Lyon;;association;;;;"
        ),
    )
    far, spoofed = preview.rows
    assert far.status == "invalid" and "Indiquez une date comprise entre 1900 et 2100." in far.reasons
    assert spoofed.name == "Asso enilno"
