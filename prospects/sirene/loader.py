"""Reading INSEE's stock files and loading what the programme targets into the local register.

- **Streams**: a zip member is opened with `zipfile` and decoded by `io.TextIOWrapper` into `csv`, row by
  row; nothing is unzipped to disk nor held in memory (a few thousand kept rows at a time).
- **Checks first**: the header must name every column the import needs; a wrong encoding, a truncated zip or
  a damaged row stops the import with a message naming the problem (`RegisterFileError`).
- **Shadow table**: rows go into `<table>_shadow`, which gets its primary key and indexes once loaded, then
  replaces the live table in one transaction. Until then the previous register stays as it was; a failure
  drops the shadow and changes nothing.
- **PostgreSQL**: `COPY … FROM STDIN` (psycopg 3) in chunks (the import row's progress is written between
  them) and a full-text index of the names' words for name search. **SQLite**: batched inserts.
"""

import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from .columns import (
    ESTABLISHMENT_REQUIRED,
    NAME_WORDS,
    NATURAL_PERSON,
    UNIT_REQUIRED,
    departement_of,
)
from .models import RegisterEstablishment, RegisterFile, RegisterUnit

CHUNK = 20_000  # rows kept between two progress updates (and per COPY statement)


class RegisterFileError(Exception):
    """A file the import refuses; the message (French) names the problem."""


@dataclass
class Targets:
    """What the programme keeps: its legal categories (ESS-flagged units are kept whatever their
    category), its départements (establishments), and the SIREN of the structures it already knows
    (kept even when ceased or elsewhere, so their record can say « radiée » or « adresse changée »)."""

    categories: frozenset[str]
    departements: frozenset[str]
    known_sirens: frozenset[str] = frozenset()


@dataclass
class Outcome:
    rows_read: int = 0
    rows_kept: int = 0
    duration: float = 0.0


# --- Reading ------------------------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """Counts the bytes read through it (the import's progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


@dataclass
class Opened:
    header: list[str]
    rows: Iterator[list[str]]
    total: int
    counter: _Counting

    @property
    def position(self) -> int:
        return self.counter.count


@contextmanager
def open_stock(path: Path) -> Iterator[Opened]:
    """The rows of a stock file (CSV, or a zip holding one CSV), streamed. Raises RegisterFileError."""
    path = Path(path)
    if not path.is_file():
        raise RegisterFileError(_("Fichier introuvable : %(path)s.") % {"path": path})
    with path.open("rb") as handle:
        magic = handle.read(4)
    archive = None
    try:
        if magic.startswith(b"PK"):
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError):
                raise RegisterFileError(
                    _("L’archive zip %(name)s est tronquée ou illisible.") % {"name": path.name}
                ) from None
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise RegisterFileError(
                    _("L’archive %(name)s doit contenir un seul fichier CSV (elle en contient %(count)s).")
                    % {"name": path.name, "count": len(members)}
                )
            raw: IO[bytes] = archive.open(members[0])
            total = members[0].file_size
        else:
            raw = path.open("rb")
            total = path.stat().st_size
        counter = _Counting(raw)
        text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding="utf-8", newline="")
        reader = _csv_reader(text, path.name)
        try:
            header = next(reader)
        except StopIteration:
            raise RegisterFileError(_("Le fichier %(name)s est vide.") % {"name": path.name}) from None
        yield Opened(
            header=[h.strip().lstrip("\ufeff") for h in header], rows=reader, total=total, counter=counter
        )
    finally:
        if archive is not None:
            archive.close()


def _csv_reader(text: io.TextIOWrapper, name: str) -> Iterator[list[str]]:
    """csv rows, with the reading errors turned into a RegisterFileError naming the line."""
    import csv

    reader = csv.reader(text)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise RegisterFileError(
                _(
                    "Le fichier %(name)s n’est pas encodé en UTF-8 (vers la ligne %(line)s) : prenez les fichiers « utf8 » publiés par l’Insee."
                )
                % {"name": name, "line": reader.line_num + 1}
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise RegisterFileError(
                _("L’archive zip %(name)s est tronquée ou endommagée (vers la ligne %(line)s).")
                % {"name": name, "line": reader.line_num + 1}
            ) from None
        except csv.Error as error:
            raise RegisterFileError(
                _("Le fichier %(name)s est mal formé à la ligne %(line)s (%(error)s).")
                % {"name": name, "line": reader.line_num, "error": error}
            ) from None
        yield row


def kind_of(header: list[str]) -> str:
    """Which stock file a header is (units or establishments), or RegisterFileError naming what is missing."""
    columns = set(header)
    required: tuple[str, ...]
    if "siret" in columns:
        required = ESTABLISHMENT_REQUIRED
        kind = RegisterFile.ESTABLISHMENTS
    else:
        required = UNIT_REQUIRED
        kind = RegisterFile.UNITS
    missing = [name for name in required if name not in columns]
    if missing:
        raise RegisterFileError(
            _(
                "Ce fichier n’a pas les colonnes du stock SIRENE de l’Insee : il manque %(columns)s. "
                "Importez StockUniteLegale_utf8 ou StockEtablissement_utf8 tels que publiés."
            )
            % {"columns": ", ".join(missing)}
        )
    return kind


def detect_kind(path: Path) -> str:
    with open_stock(path) as opened:
        return kind_of(opened.header)


# --- Keeping rows ---------------------------------------------------------------------------------------

UNIT_FIELDS = (
    "siren",
    "name",
    "acronym",
    "legal_category",
    "naf",
    "headcount_band",
    "ess",
    "active",
    "created_on",
    "rna",
    "nic_siege",
    "address",
    "postcode",
    "commune_code",
    "commune",
    "departement",
    "first_import",
)
ESTABLISHMENT_FIELDS = (
    "siret",
    "siren",
    "head_office",
    "active",
    "address",
    "postcode",
    "commune_code",
    "commune",
    "departement",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _incomplete(row: list[str], width: int) -> RegisterFileError:
    """A row without the header's number of columns: the file was cut short."""
    return RegisterFileError(
        _("Ligne incomplète : %(found)s colonnes au lieu de %(expected)s (fichier tronqué ?).")
        % {"found": len(row), "expected": width}
    )


def unit_keeper(
    header: list[str], targets: Targets, import_id: int, first_seen: dict[str, int] | None = None
) -> Callable[[list[str]], tuple | None]:
    """A function turning a units row into the tuple stored (UNIT_FIELDS), or None when not kept.
    `first_seen`: the import that first listed each SIREN already in the register (kept as it was)."""
    at = {name: header.index(name) for name in UNIT_REQUIRED}
    width = len(header)
    i_siren, i_diff, i_state = (
        at["siren"],
        at["statutDiffusionUniteLegale"],
        at["etatAdministratifUniteLegale"],
    )
    i_cat, i_ess = at["categorieJuridiqueUniteLegale"], at["economieSocialeSolidaireUniteLegale"]
    i_name, i_acr, i_naf = (
        at["denominationUniteLegale"],
        at["sigleUniteLegale"],
        at["activitePrincipaleUniteLegale"],
    )
    i_band, i_created, i_rna = (
        at["trancheEffectifsUniteLegale"],
        at["dateCreationUniteLegale"],
        at["identifiantAssociationUniteLegale"],
    )
    i_nic = at["nicSiegeUniteLegale"]
    categories, known = targets.categories, targets.known_sirens
    seen = first_seen or {}

    def keep(row: list[str]) -> tuple | None:
        if len(row) != width:
            raise _incomplete(row, width)
        category = row[i_cat]
        if category == NATURAL_PERSON or row[i_diff] != "O":
            return None
        siren = row[i_siren]
        active = row[i_state] == "A"
        ess = row[i_ess] == "O"
        if not ((active and (ess or category in categories)) or siren in known):
            return None
        created = row[i_created]
        return (
            siren,
            row[i_name][:255] or row[i_acr][:255] or siren,
            row[i_acr][:60],
            category,
            row[i_naf][:6],
            row[i_band][:2],
            ess,
            active,
            created if _DATE.fullmatch(created) else None,
            row[i_rna][:10],
            row[i_nic][:5],
            "",
            "",
            "",
            "",
            "",
            seen.get(siren, import_id),
        )

    return keep


def establishment_keeper(
    header: list[str], targets: Targets, unit_sirens: frozenset[str]
) -> Callable[[list[str]], tuple | None]:
    at = {name: header.index(name) for name in ESTABLISHMENT_REQUIRED}
    width = len(header)
    departements, known = targets.departements, targets.known_sirens

    def keep(row: list[str]) -> tuple | None:
        if len(row) != width:
            raise _incomplete(row, width)
        siren = row[at["siren"]]
        if row[at["statutDiffusionEtablissement"]] != "O" or siren not in unit_sirens:
            return None
        head_office = row[at["etablissementSiege"]] == "true"
        active = row[at["etatAdministratifEtablissement"]] == "A"
        commune_code = row[at["codeCommuneEtablissement"]]
        departement = departement_of(commune_code) if commune_code else ""
        in_area = not departements or departement in departements
        if not ((active and in_area) or (head_office and siren in known)):
            return None
        street = " ".join(
            part
            for part in (
                row[at["numeroVoieEtablissement"]],
                row[at["indiceRepetitionEtablissement"]],
                row[at["typeVoieEtablissement"]],
                row[at["libelleVoieEtablissement"]],
            )
            if part
        )
        complement = row[at["complementAdresseEtablissement"]]
        address = f"{complement}, {street}" if complement and street else complement or street
        return (
            row[at["siret"]],
            siren,
            head_office,
            active,
            address[:255],
            row[at["codePostalEtablissement"]][:5],
            commune_code[:5],
            row[at["libelleCommuneEtablissement"]][:100],
            departement,
        )

    return keep


# --- Loading ----------------------------------------------------------------------------------------------


# The statements below are built from table and column names (ours, quoted), never from a file's values,
# which travel as parameters or through COPY.
def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_of(kind: str) -> tuple[str, tuple[str, ...], str]:
    if kind == RegisterFile.UNITS:
        return RegisterUnit._meta.db_table, UNIT_FIELDS, "siren"
    return RegisterEstablishment._meta.db_table, ESTABLISHMENT_FIELDS, "siret"


def _columns(model: type[models.Model], fields: tuple[str, ...]) -> list[str]:
    by_name = {f.name: str(f.column) for f in model._meta.concrete_fields}
    return [by_name[name] for name in fields]


def _create_shadow(live: str, shadow: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(shadow)}")
        if connection.vendor == "postgresql":
            # No index nor constraint copied: the primary key and indexes are built once the rows are in.
            cursor.execute(f"CREATE TABLE {_q(shadow)} (LIKE {_q(live)} INCLUDING DEFAULTS)")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [live])
            (sql,) = cursor.fetchone()
            cursor.execute(sql.replace(f'"{live}"', f'"{shadow}"', 1))


def _duplicate(key: str) -> RegisterFileError:
    return RegisterFileError(
        _("Le fichier contient deux fois le même identifiant (%(key)s) : il n’est pas importé.")
        % {"key": key.upper()}
    )


def _write_chunk(shadow: str, columns: list[str], rows: list[tuple], key: str) -> None:
    if not rows:
        return
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {_q(shadow)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            try:
                with transaction.atomic():
                    cursor.executemany(f"INSERT INTO {_q(shadow)} ({names}) VALUES ({marks})", rows)  # noqa: S608
            except IntegrityError as error:  # SQLite's shadow has its primary key from the start
                raise _duplicate(key) from error


#: The indexes of the register tables, built on the shadow table (named after the import: `{n}`).
UNIT_INDEXES = (
    "CREATE INDEX sirene_unit_{n}_name ON {t} (name)",
    "CREATE INDEX sirene_unit_{n}_dep ON {t} (departement, name)",
    "CREATE INDEX sirene_unit_{n}_cat ON {t} (legal_category)",
    "CREATE INDEX sirene_unit_{n}_first ON {t} (first_import)",
)
#: The NAF filter: a whole code (`naf = '88.99B'`) walks the structures of that code in name order (the
#: radar's order) and stops at the page's 50 rows; the beginning of a code (`LIKE '88.9%'`, pattern ops on
#: PostgreSQL) uses its first column.
SQLITE_UNIT_INDEXES = ("CREATE INDEX sirene_unit_{n}_naf ON {t} (naf, name)",)
PG_UNIT_INDEXES = ("CREATE INDEX sirene_unit_{n}_naf ON {t} (naf varchar_pattern_ops, name)",)
#: Name search (`filters.name_matches`): the words of the name, full-text (GIN), on the same expression.
PG_NAME_WORDS_INDEX = "CREATE INDEX sirene_unit_{n}_words ON {t} USING gin ((" + NAME_WORDS + "))"
ESTABLISHMENT_INDEXES = ("CREATE INDEX sirene_estab_{n}_siren ON {t} (siren)",)
ANALYSED = (
    "legal_category",
    "naf",
    "headcount_band",
    "ess",
    "active",
    "created_on",
    "departement",
    "commune_code",
    "first_import",
    "siren",
)


def _finish_shadow(kind: str, shadow: str, key: str, import_id: int) -> None:
    """Primary key and indexes on the loaded shadow table (PostgreSQL: the key is added now, named after
    the import; SQLite: the table was created with it)."""
    prefix = "sirene_unit" if kind == RegisterFile.UNITS else "sirene_estab"
    statements = list(UNIT_INDEXES if kind == RegisterFile.UNITS else ESTABLISHMENT_INDEXES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"ALTER TABLE {_q(shadow)} ADD CONSTRAINT {prefix}_{import_id}_pkey "
                        f"PRIMARY KEY ({_q(key)})"
                    )
            except IntegrityError as error:  # a SIREN/SIRET twice in the file
                raise _duplicate(key) from error
            if kind == RegisterFile.UNITS:
                statements += [*PG_UNIT_INDEXES, PG_NAME_WORDS_INDEX]
        elif kind == RegisterFile.UNITS:
            statements += SQLITE_UNIT_INDEXES
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '256MB'")  # index builds in memory (this session)
        for statement in statements:
            cursor.execute(statement.format(n=import_id, t=_q(shadow)))
        if connection.vendor == "postgresql":
            cursor.execute("RESET maintenance_work_mem")
        if connection.vendor == "postgresql":
            # The planner's statistics before the swap, for the columns the radar filters on (the name's
            # word index needs none: analysing its expression would double the import's index time).
            columns = f" ({', '.join(ANALYSED)})" if kind == RegisterFile.UNITS else ""
            cursor.execute(f"ANALYZE {_q(shadow)}{columns}")


def _fill_location(units: str, establishments: str, *, reset: bool) -> None:
    """Each unit's address: its head office's, when the establishments table has it (`reset`: blank the
    others first — a fresh shadow is blank already)."""
    unit_cols = ("address", "postcode", "commune_code", "commune", "departement")
    sets = ", ".join(f"{_q(c)} = e.{_q(c)}" for c in unit_cols)
    join = f"e.siret = {_q(units)}.siren || {_q(units)}.nic_siege"
    with connection.cursor() as cursor:
        if reset:
            blank = ", ".join(f"{_q(c)} = ''" for c in unit_cols)
            cursor.execute(f"UPDATE {_q(units)} SET {blank} WHERE departement <> '' OR address <> ''")  # noqa: S608
        cursor.execute(
            f"UPDATE {_q(units)} SET {sets} FROM {_q(establishments)} e WHERE {join} AND e.head_office"  # noqa: S608
        )


def _swap(kind: str, live: str, shadow: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {_q(live)}")
        cursor.execute(f"ALTER TABLE {_q(shadow)} RENAME TO {_q(live)}")
        if kind == RegisterFile.ESTABLISHMENTS:
            _fill_location(RegisterUnit._meta.db_table, live, reset=True)


def drop_shadow(kind: str) -> None:
    live, _fields, _key = _table_of(kind)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(live + '_shadow')}")


def load(
    path: Path,
    *,
    import_id: int,
    targets: Targets,
    progress: Callable[[int, int, int], None] | None = None,
) -> Outcome:
    """Import one stock file into the register (all or nothing). `progress(percent, read, kept)` is called
    between chunks. Raises RegisterFileError for a file it refuses; the live tables are then untouched."""
    started = time.monotonic()
    outcome = Outcome()
    with open_stock(path) as opened:
        kind = kind_of(opened.header)
        live, fields, key = _table_of(kind)
        model = RegisterUnit if kind == RegisterFile.UNITS else RegisterEstablishment
        shadow = f"{live}_shadow"
        if kind == RegisterFile.UNITS:
            # SIREN → the import that first listed it (« nouvelles structures »), read once, kept as it was.
            first_seen = dict(
                RegisterUnit.objects.values_list("siren", "first_import").iterator(chunk_size=20_000)
            )
            keep = unit_keeper(opened.header, targets, import_id, first_seen)
        else:
            sirens = frozenset(
                RegisterUnit.objects.values_list("siren", flat=True).iterator(chunk_size=20_000)
            )
            keep = establishment_keeper(opened.header, targets, sirens)
        columns = _columns(model, fields)
        _create_shadow(live, shadow)
        try:
            chunk: list[tuple] = []
            for row in opened.rows:
                outcome.rows_read += 1
                kept = keep(row)
                if kept is not None:
                    chunk.append(kept)
                    if len(chunk) >= CHUNK:
                        _write_chunk(shadow, columns, chunk, key)
                        outcome.rows_kept += len(chunk)
                        chunk = []
                        if progress:
                            percent = min(95, int(95 * opened.position / max(opened.total, 1)))
                            progress(percent, outcome.rows_read, outcome.rows_kept)
            _write_chunk(shadow, columns, chunk, key)
            outcome.rows_kept += len(chunk)
            if kind == RegisterFile.UNITS:
                _fill_location(shadow, RegisterEstablishment._meta.db_table, reset=False)
            _finish_shadow(kind, shadow, key, import_id)
            if progress:
                progress(98, outcome.rows_read, outcome.rows_kept)
            _swap(kind, live, shadow)
        except BaseException:
            drop_shadow(kind)
            raise
    outcome.duration = time.monotonic() - started
    return outcome
