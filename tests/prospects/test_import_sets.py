"""The import at the speed of the database (issue #16): rows matched against the base by set operations
(one query per dedupe key, whatever the number of rows) with the same outcome as row by row, written in a
constant number of statements (staging table + INSERT … SELECT), all or nothing, with its progress shown."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme import bulk
from programme.identity import normalise_name, normalise_town
from programme.models import AuditEntry, Organisation, Person, Theme
from prospects import importing, services
from prospects.models import ImportFile, ImportStatus, Prospect, StageChange
from tests.factories import OrganisationFactory

from .factories import VALID_SIRENS, prospect_in
from .test_import import csv_bytes, full_import, preview_of

THEMED = "Nom;Commune;SIREN;Forme;E-mail;Prénom;Nom du contact;Date prochaine action;Thématiques\n"


def markers(reasons: list[str]) -> list[tuple[str, ...]]:
    """The reasons of a duplicate, as what they name: the prospect (name, how matched) or the line."""
    found = []
    for reason in reasons:
        if prospect := re.search(r"Déjà prospect.*« (.+) » \((.+)\)", reason):
            found.append(("prospect", *prospect.groups()))
        elif line := re.search(r"Doublon de la ligne (\d+)", reason):
            found.append(("line", line.group(1)))
    return found


def row_by_row(programme, row: importing.RowResult, seen: dict) -> tuple[str, int | None, list[tuple]]:
    """What a row-by-row classifier decides for one checked row: a query per key and per row."""
    if row.status == importing.INVALID:
        return row.status, None, markers(row.reasons)
    status, reasons, match, how = importing.NEW, [], None, ""
    if row.siren:
        match = Organisation.objects.filter(siren=row.siren).order_by("-pk").first()
        how = "même SIREN"
    if match is None:
        how = "même nom et même commune"
        match = (
            Organisation.objects.filter(
                normalised_name=normalise_name(row.name), normalised_town=normalise_town(row.town)
            )
            .order_by("pk")
            .first()
        )
    if match is not None and Prospect.objects.filter(programme=programme, organisation=match).exists():
        status = importing.DUPLICATE
        reasons.append(("prospect", match.name, how))
    key = (normalise_name(row.name), normalise_town(row.town))
    earlier = (seen["siren"].get(row.siren) if row.siren else None) or seen["name"].get(key)
    earlier = earlier or (seen["structure"].get(match.pk) if match else None)
    if earlier:
        status = importing.DUPLICATE
        reasons.append(("line", str(earlier)))
    else:
        if row.siren:
            seen["siren"][row.siren] = row.line
        seen["name"][key] = row.line
        if match:
            seen["structure"][match.pk] = row.line
    return status, match.pk if match else None, reasons


def test_set_based_classification_matches_the_row_by_row_one(world):
    prospect_in(world)  # « Structure A », Lyon, already a prospect
    Organisation.objects.filter(pk=world.org_b.pk).update(siren=VALID_SIRENS[0])  # known, not a prospect
    known = OrganisationFactory(name="Coop des Pentes", town="Lyon", siren=VALID_SIRENS[1])
    prospect_in(world, organisation=known)  # a prospect known by its SIREN
    OrganisationFactory(name="Atelier Vélo", town="Villeurbanne")  # known by name + town only
    content = csv_bytes(
        "Nouvelle Asso;Villeurbanne;;association;;;;",
        "STRUCTURE A;lyon;;;;;;",  # an existing prospect by name + town
        f"Autre nom;Lyon;{VALID_SIRENS[0]};;;;;",  # org_b by SIREN: reused
        f"Encore un nom;Bron;{VALID_SIRENS[1]};;;;;",  # an existing prospect by SIREN
        "Atelier velo;Villeurbanne;;;;;;",  # a known structure by name + town: reused
        "Nouvelle Asso;Villeurbanne;;;;;;",  # line 2 again, by name
        f"Doublon siren;Vienne;{VALID_SIRENS[2]};;;;;",
        f"Doublon siren bis;Vienne;{VALID_SIRENS[2]};;;;;",  # line 8 again, by SIREN
        f"Atelier Vélo;Villeurbanne;{VALID_SIRENS[3]};;;;;",  # unknown SIREN, known name + town; repeats line 6
        "Sans siren valide;Lyon;123456789;;;;;",
        ";Lyon;;;;;;",
    )
    preview = preview_of(world, content)
    seen: dict = {"siren": {}, "name": {}, "structure": {}}
    expected = {row.line: row_by_row(world.programme, row, seen) for row in preview.rows}
    got = {row.line: (row.status, row.organisation_id, markers(row.reasons)) for row in preview.rows}
    assert got == expected
    statuses = [row.status for row in preview.rows]
    assert statuses == ["new", "duplicate", "new", "duplicate", "new", "duplicate", "new", "duplicate"] + [
        "duplicate",
        "invalid",
        "invalid",
    ]


def test_queries_do_not_grow_with_the_file(world):
    Theme.objects.get_or_create(name="Climat")
    ContentType.objects.get_for_model(Prospect)  # cached for the process: read before counting
    counts = []
    for rows, first in ((10, 0), (200, 100)):
        content = csv_bytes(
            *[
                f"Asso {i};Lyon;;association;c{i}@asso.fr;Ana;N{i};;Climat"
                for i in range(first, first + rows)
            ],
            header=THEMED,
        )
        with CaptureQueriesContext(connection) as classified:
            preview = preview_of(world, content)
        with CaptureQueriesContext(connection) as written:
            created = services.import_rows_create(
                actor=world.staff, programme=world.programme, preview=preview
            )
        assert len(created) == rows
        counts.append((len(classified), len(written)))
    # Classified: the team, themes, territories; the structures by SIREN (none in the file: skipped) and by
    # normalised name. Written: a savepoint and its release, the programme's lock, two id reservations
    # (three statements each on SQLite), the staging table (created, filled — a COPY on PostgreSQL, not
    # counted —, dropped), five INSERT … SELECT, and for each of the two theme-link tables its staging
    # table (created, filled, dropped) and one INSERT … SELECT.
    assert counts[0] == counts[1]
    assert counts[0][0] == 4
    assert counts[0][1] == (25 if connection.vendor == "sqlite" else 18)
    assert Prospect.objects.filter(programme=world.programme).count() == 210
    asso = Prospect.objects.select_related("organisation").get(organisation__name="Asso 150")
    assert list(asso.themes.values_list("name", flat=True)) == ["Climat"]
    assert list(asso.organisation.themes.values_list("name", flat=True)) == ["Climat"]
    assert asso.organisation.normalised_name == "150" and asso.organisation.family == "ess"
    assert Person.objects.get(email="c150@asso.fr").organisation == asso.organisation
    assert StageChange.objects.get(prospect=asso).to_stage == "identified"
    entry = AuditEntry.objects.get(action="prospect.imported", object_id=str(asso.pk))
    assert entry.object_repr == "Asso 150" and entry.changes == {"source": [None, "import"]}
    assert entry.actor == world.staff


def test_ids_are_reserved_past_every_existing_row(world):
    ids = bulk.reserve_ids(Organisation, 3)
    assert (
        len(ids) == 3
        and ids == sorted(ids)
        and ids[0] > max(Organisation.objects.values_list("pk", flat=True))
    )
    assert bulk.reserve_ids(Organisation, 2)[0] > ids[-1]
    assert OrganisationFactory().pk > ids[-1]


@pytest.mark.parametrize("failing", [Prospect, Person, AuditEntry])
def test_a_failure_mid_write_leaves_nothing_and_keeps_the_file(world, staff_client, monkeypatch, failing):
    insert = bulk.Staging.insert

    def boom(self, model, *args, **kwargs):
        if model is failing:
            raise RuntimeError("disk full")
        return insert(self, model, *args, **kwargs)

    monkeypatch.setattr(bulk.Staging, "insert", boom)
    organisations, audit = Organisation.objects.count(), AuditEntry.objects.count()
    content = csv_bytes("Asso Une;Lyon;;;a@b.fr;A;B;", "Asso Deux;Bron;;;c@d.fr;C;D;")
    full_import(staff_client, world, content)
    import_file = ImportFile.objects.get()
    assert import_file.status == ImportStatus.FAILED
    assert Organisation.objects.count() == organisations
    assert not Prospect.objects.exists() and not StageChange.objects.exists()
    assert not Person.objects.filter(email__in=["a@b.fr", "c@d.fr"]).exists()
    assert not AuditEntry.objects.filter(action__in=["prospect.imported", "prospects.imported"]).exists()
    assert AuditEntry.objects.count() > audit  # the upload and the confirmation are recorded
    assert default_storage.exists(import_file.path)  # a file is deleted only once its import committed


def test_a_successful_import_deletes_its_file_and_ends_at_100(world, staff_client):
    full_import(staff_client, world, csv_bytes("Asso Une;Lyon;;;;;;"))
    import_file = ImportFile.objects.get()
    assert import_file.status == ImportStatus.IMPORTED and import_file.progress == 100
    assert not default_storage.exists(import_file.path)


def test_progress_is_written_as_rows_are_checked_and_shown_as_a_percentage(world, staff_client, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    seen = []
    check = importing._check_row

    def spy(*args, **kwargs):
        seen.append(ImportFile.objects.values_list("progress", flat=True).get())
        return check(*args, **kwargs)

    monkeypatch.setattr(importing, "_check_row", spy)
    content = csv_bytes(*[f"Asso {i};Lyon;;;;;;" for i in range(6)])
    full_import(staff_client, world, content)
    assert seen[-6:] == [0, 0, 30, 30, 60, 60]  # (the confirmation page checked the rows too, before)
    import_file = ImportFile.objects.get()
    ImportFile.objects.filter(pk=import_file.pk).update(status=ImportStatus.RUNNING, progress=42)
    page = staff_client.get(reverse("prospects:import.status", args=[import_file.token])).content.decode()
    assert 'value="42"' in page and "42\u00a0%" in page
    # Counts are written as French numbers, thousands apart.
    ImportFile.objects.filter(pk=import_file.pk).update(row_count=10000)
    page = staff_client.get(reverse("prospects:import.status", args=[import_file.token])).content.decode()
    assert "10\u00a0000 lignes à traiter." in page
    ImportFile.objects.filter(pk=import_file.pk).update(
        status=ImportStatus.IMPORTED, created_count=12500, duplicate_count=1, invalid_count=0
    )
    page = staff_client.get(reverse("prospects:import.status", args=[import_file.token])).content.decode()
    assert "12\u00a0500 prospects importés\u202f; 1 doublon laissé de côté." in page


def test_two_rows_reaching_one_known_structure_by_different_keys_make_one_prospect(world, staff_client):
    """One row names a known structure by its SIREN, a later one by its name and town: the structure
    becomes a prospect once and the second row is said to repeat the first (the import used to fail on
    the unique prospect per structure with « Erreur inattendue »)."""
    known = OrganisationFactory(name="Ressourcerie du Rhône", town="Vénissieux", siren=VALID_SIRENS[4])
    content = csv_bytes(
        f"Un autre nom;Lyon;{VALID_SIRENS[4]};;;;;",  # line 2: the known structure by its SIREN
        "Ressourcerie du Rhone;Venissieux;;;;;;",  # line 3: the same one by its name and town
        "Toute nouvelle;Lyon;;;;;;",
    )
    preview = preview_of(world, content)
    assert [row.status for row in preview.rows] == ["new", "duplicate", "new"]
    assert "Doublon de la ligne 2 du fichier." in preview.rows[1].reasons
    full_import(staff_client, world, content)
    assert Prospect.objects.filter(programme=world.programme, organisation=known).count() == 1
    assert Prospect.objects.filter(programme=world.programme, organisation__name="Toute nouvelle").exists()
