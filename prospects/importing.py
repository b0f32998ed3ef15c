"""Reading a watch spreadsheet (CSV or XLSX): parse, map columns, classify every row as new / duplicate /
invalid with its reason. Nothing here writes: the import itself is `services.import_run`.

Classification is set-based: each row is checked on its own without a query (`check_rows`), then the whole
file is matched against the base with one query per dedupe key (`match_rows`): constant in the number of rows.

The file type is read from the content (an XLSX is a ZIP archive), never from the name. Text files are
read as UTF-8 (with or without BOM), then Windows-1252. A workbook is judged from its archive's directory
before it is parsed (members, inflated sizes, compression ratio, sheets: `XLSX_LIMITS`, `MAX_SHEETS`), then
read with caps on columns and cell length, so no file can cost more than a few tens of megabytes. A file
with real formulas (an XLSX formula cell), markup or a script, no rows, no usable header or the wrong type
is refused as a whole: nothing is imported. A text cell that merely starts with = + - @ (« @Home Coop »,
« -Le Relais ») is a name like any other: the exports neutralise it (`programme.exports`).
"""

import csv
import functools
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import connection
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.files import ZipLimits, is_active_text, open_zip
from programme.forms import strip_bidi, validate_date_range
from programme.identity import digits_only, normalise_name, normalise_town, validate_siren, validate_siret
from programme.models import (
    KIND_FAMILY,
    Organisation,
    OrganisationKind,
    Programme,
    Role,
    Territory,
    Theme,
    User,
)

from .models import Audience, ImportFile, Prospect, Source

MAX_ROWS = 20_000
#: Rows checked between two progress reports of a running import.
PROGRESS_EVERY = 1000
#: Caps on a workbook, checked before and while it is read (a real watch list is far below them).
MAX_SHEETS = 32
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767  # Excel's own limit
XLSX_LIMITS = ZipLimits(entries=500, total=32 * 1024 * 1024, member=20 * 1024 * 1024, ratio=100)
#: The shared strings are loaded whole by the reader: a tighter cap.
MAX_SHARED_STRINGS = 8 * 1024 * 1024

#: Target fields: key → (label shown in the mapping, required column).
FIELDS: dict[str, tuple[str | Promise, bool]] = {  # labels are lazy translations
    "name": (gettext_lazy("Nom de la structure"), True),
    "town": (gettext_lazy("Commune"), True),
    "siren": (gettext_lazy("SIREN"), False),
    "siret": (gettext_lazy("SIRET"), False),
    "kind": (gettext_lazy("Forme"), False),
    "postcode": (gettext_lazy("Code postal"), False),
    "address": (gettext_lazy("Adresse"), False),
    "website": (gettext_lazy("Site web"), False),
    "source": (gettext_lazy("Source"), False),
    "audience": (gettext_lazy("Public"), False),
    "themes": (gettext_lazy("Thématiques"), False),
    "territory": (gettext_lazy("Territoire"), False),
    "owner": (gettext_lazy("Suivi par (e-mail)"), False),
    "next_action": (gettext_lazy("Prochaine action"), False),
    "next_action_date": (gettext_lazy("Date de la prochaine action"), False),
    "notes": (gettext_lazy("Notes"), False),
    "contact_first_name": (gettext_lazy("Contact — prénom"), False),
    "contact_last_name": (gettext_lazy("Contact — nom"), False),
    "contact_email": (gettext_lazy("Contact — e-mail"), False),
    "contact_phone": (gettext_lazy("Contact — téléphone"), False),
    "contact_job_title": (gettext_lazy("Contact — fonction"), False),
}

#: Usual spellings of each column in a watch spreadsheet (compared after normalise_header).
ALIASES: dict[str, str] = {
    "nom": "name",
    "nom de la structure": "name",
    "structure": "name",
    "raison sociale": "name",
    "denomination": "name",
    "organisation": "name",
    "name": "name",
    "commune": "town",
    "ville": "town",
    "town": "town",
    "city": "town",
    "siren": "siren",
    "siret": "siret",
    "forme": "kind",
    "forme juridique": "kind",
    "statut juridique": "kind",
    "kind": "kind",
    "code postal": "postcode",
    "cp": "postcode",
    "adresse": "address",
    "site web": "website",
    "site internet": "website",
    "site": "website",
    "source": "source",
    "public": "audience",
    "audience": "audience",
    "famille": "audience",
    "thematiques": "themes",
    "themes": "themes",
    "territoire": "territory",
    "suivi par": "owner",
    "responsable": "owner",
    "charge de projet": "owner",
    "prochaine action": "next_action",
    "date prochaine action": "next_action_date",
    "date de la prochaine action": "next_action_date",
    "echeance": "next_action_date",
    "notes": "notes",
    "commentaire": "notes",
    "commentaires": "notes",
    "prenom": "contact_first_name",
    "contact prenom": "contact_first_name",
    "nom du contact": "contact_last_name",
    "contact nom": "contact_last_name",
    "email": "contact_email",
    "e mail": "contact_email",
    "mail": "contact_email",
    "courriel": "contact_email",
    "contact email": "contact_email",
    "contact e mail": "contact_email",
    "telephone": "contact_phone",
    "tel": "contact_phone",
    "contact telephone": "contact_phone",
    "fonction": "contact_job_title",
    "contact fonction": "contact_job_title",
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in French."""


@functools.lru_cache(maxsize=4096)  # the same few forms, sources and themes on every row
def normalise_header(text: str) -> str:
    # normalise_name drops legal-form words such as "sa": fine for headers, none of ours is one.
    return normalise_name(str(text or ""))


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as str) → target field, guessed from the header; each field used once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        target = ALIASES.get(normalise_header(header))
        if target and target not in used:
            mapping[str(index)] = target
            used.add(target)
    return mapping


def missing_required(mapping: dict[str, str]) -> list[str]:
    mapped = set(mapping.values())
    return [str(label) for key, (label, required) in FIELDS.items() if required and key not in mapped]


# --- Reading the file -------------------------------------------------------------------------------


def read_table(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headers and (line number, cells) of a CSV or XLSX file. Raises ImportFileError."""
    if not content or not content.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if content.startswith(b"PK\x03\x04"):
        table = _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "Les classeurs .xls (Excel 97-2003) ne sont pas pris en charge : enregistrez-le en .xlsx ou .csv."
            )
        )
    elif content.startswith(b"%PDF") or b"\x00" in content[:4096] or is_active_text(content[:65536]):
        raise ImportFileError(_("Ce fichier n’est ni un CSV ni un classeur XLSX."))
    else:
        table = _read_csv(content)
    rows = [(line, cells) for line, cells in table if any(cell.strip() for cell in cells)]
    if not rows:
        raise ImportFileError(_("Le fichier est vide."))
    (_header_line, headers), *body = rows
    headers = [h.strip() for h in headers]
    if not body:
        raise ImportFileError(
            _("Le fichier ne contient que la ligne d’en-tête : aucune structure à importer.")
        )
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("Le fichier compte %(count)s lignes ; la limite est de %(max)s par import : découpez-le.")
            % {"count": len(body), "max": MAX_ROWS}
        )
    return headers, body


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 (ou Windows-1252).")
        )


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    except csv.Error as error:
        raise ImportFileError(_("Ce fichier CSV est mal formé (%(error)s).") % {"error": error})


def _too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "Ce classeur est trop volumineux une fois décompressé pour être lu : enregistrez-le en CSV ou "
            "découpez-le. Rien n’a été importé."
        )
    )


def _check_workbook(content: bytes) -> None:
    """Refuse, from the archive's directory and before any parsing, a workbook whose parts would
    inflate beyond the caps or that holds too many sheets."""
    try:
        archive = open_zip(content, XLSX_LIMITS)
    except ValidationError as error:
        if error.code == "bad_zip":
            raise ImportFileError(_("Ce fichier n’est pas un classeur XLSX lisible."))
        raise _too_big()
    with archive:
        infos = archive.infolist()
    for info in infos:
        if info.filename == "xl/sharedStrings.xml" and info.file_size > MAX_SHARED_STRINGS:
            raise _too_big()
    sheets = sum(1 for i in infos if re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename))
    if sheets > MAX_SHEETS:
        raise ImportFileError(
            _(
                "Ce classeur compte %(count)s feuilles ; la limite est de %(max)s : gardez la feuille de veille."
            )
            % {"count": sheets, "max": MAX_SHEETS}
        )


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    _check_workbook(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — any ZIP that is not a workbook
        raise ImportFileError(_("Ce fichier n’est pas un classeur XLSX lisible."))
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + 1000:
                break
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(
                    _(
                        "Ce classeur compte plus de %(max)s colonnes (ligne %(line)s) : ce n’est pas une liste de veille."
                    )
                    % {"max": MAX_COLUMNS, "line": number}
                )
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise ImportFileError(
                        _(
                            "Le fichier contient des formules (ligne %(line)s). Enregistrez-le avec les "
                            "valeurs seules, puis rechargez-le : rien n’a été importé."
                        )
                        % {"line": number}
                    )
                text = _cell_text(cell.value)
                if len(text) > MAX_CELL_CHARS:
                    raise _too_big()
                cells.append(text)
            rows.append((number, cells))
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Classifying rows ---------------------------------------------------------------------------------

NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"


@dataclass
class RowResult:
    line: int
    status: str
    name: str = ""
    town: str = ""
    siren: str = ""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    organisation_id: int | None = None
    #: (normalised name, normalised town) of a valid row: its dedupe key besides the SIREN.
    key: tuple[str, str] = ()  # type: ignore[assignment]


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    rows: list[RowResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {NEW: self.count(NEW), DUPLICATE: self.count(DUPLICATE), INVALID: self.count(INVALID)}


_CHOICE_CACHE: dict[tuple[str, str], dict[str, str]] = {}


def _choice(value: str, choices_class) -> str | None:
    """The choice key matching a typed value or label ("SCIC", "Acteur public", "evenement"…)."""
    from django.utils.translation import get_language

    key = (get_language() or "", choices_class.__name__)
    table = _CHOICE_CACHE.get(key)
    if table is None:
        table = {}
        for choice, label in choices_class.choices:
            table.setdefault(normalise_header(str(label)), choice)
            table.setdefault(normalise_header(choice), choice)
        _CHOICE_CACHE[key] = table
    return table.get(normalise_header(value))


_KIND_WORDS = {"entreprise agreee esus": OrganisationKind.ESUS, "entreprise": OrganisationKind.COMPANY}
_AUDIENCE_KIND: dict[str | None, str] = {
    Audience.ESS: OrganisationKind.ASSOCIATION,
    Audience.COMPANY: OrganisationKind.COMPANY,
    Audience.PUBLIC: OrganisationKind.COLLECTIVITE,
}


def _parse_date(value: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


class _References:
    """The team, themes and territories a row may name, read once per file (three queries)."""

    def __init__(self) -> None:
        self.owners = {
            email.lower(): pk
            for pk, email in User.objects.filter(
                is_active=True, role__in=(Role.STAFF, Role.DIRECTOR)
            ).values_list("pk", "email")
        }
        self.themes = {normalise_header(name): pk for pk, name in Theme.objects.values_list("pk", "name")}
        self.territories = {
            normalise_header(name): pk for pk, name in Territory.objects.values_list("pk", "name")
        }


def _among(values: set[str]) -> RawSQL:
    """A subquery listing `values` with ONE parameter, whatever their number (an IN list of 20,000 values
    would be 20,000 parameters): `column__in=_among(values)`."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", (sorted(values),))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(sorted(values)),))


class _Known:
    """The structures of the base the valid rows of a file may match, found by set operations: one query per dedupe
    key for the whole file (SIREN; normalised name, its town compared here), each telling whether the
    structure is already a prospect of the programme. Constant in the number of rows."""

    def __init__(self, programme: Programme, rows: list[RowResult]):
        self.by_siren: dict[str, tuple[int, str, bool]] = {}
        self.by_name_town: dict[tuple[str, str], tuple[int, str, bool]] = {}
        sirens = {row.siren for row in rows if row.siren}
        names = {row.key[0] for row in rows if row.key}
        already = Exists(Prospect.objects.filter(programme=programme, organisation=OuterRef("pk")))
        known = Organisation.objects.annotate(already=already).order_by("pk")
        if sirens:
            for pk, name, siren, flag in known.filter(siren__in=_among(sirens)).values_list(
                "pk", "name", "siren", "already"
            ):
                self.by_siren[siren] = (pk, name, flag)
        if names:
            for pk, name, nname, ntown, flag in known.filter(normalised_name__in=_among(names)).values_list(
                "pk", "name", "normalised_name", "normalised_town", "already"
            ):
                self.by_name_town.setdefault((nname, ntown), (pk, name, flag))


def classify(
    *, programme: Programme, headers: list[str], body: list[tuple[int, list[str]]], mapping: dict[str, str]
) -> Preview:
    """Classify every row as new, duplicate (same SIREN, or same normalised name + town, in the base or
    earlier in the file) or invalid, with the reasons: `check_rows`, then `match_rows`."""
    return match_rows(programme=programme, preview=check_rows(headers=headers, body=body, mapping=mapping))


def check_rows(
    *,
    headers: list[str],
    body: list[tuple[int, list[str]]],
    mapping: dict[str, str],
    progress: Callable[[int], None] | None = None,
) -> Preview:
    """Read and check every row on its own (three queries for the whole file: the team, themes and
    territories). Rows are left new or invalid; `match_rows` finds the duplicates. `progress(rows)` is
    called every PROGRESS_EVERY rows."""
    preview = Preview(headers=headers, mapping=mapping, missing=missing_required(mapping))
    if preview.missing:
        return preview
    references = _References()
    columns = {target: int(index) for index, target in mapping.items() if target}
    for done, (line, cells) in enumerate(body, start=1):
        # Bidi controls stripped as every form does (programme.forms.strip_bidi): names read the same everywhere.
        raw = {
            target: (strip_bidi(cells[i]).strip() if i < len(cells) else "") for target, i in columns.items()
        }
        preview.rows.append(_check_row(line, raw, references))
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    return preview


def match_rows(*, programme: Programme, preview: Preview) -> Preview:
    """Mark the checked rows of `preview` that are already prospects of the programme (same SIREN, or same
    normalised name + town) or repeat an earlier row of the file, and link those naming a known structure
    to it: two queries for the whole file (`_Known`)."""
    if preview.missing:
        return preview
    known = _Known(programme, [row for row in preview.rows if row.status != INVALID])
    seen_siren: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    #: The known structure an earlier row already makes a prospect (two rows may reach the same one by
    #: different keys: one by its SIREN, the other by its name and town).
    seen_structure: dict[int, int] = {}
    for row in preview.rows:
        if row.status == INVALID:
            continue
        _match(row, known)
        earlier = seen_siren.get(row.siren) if row.siren else None
        earlier = earlier or seen_name.get(row.key)
        if not earlier and row.organisation_id is not None:
            earlier = seen_structure.get(row.organisation_id)
        if earlier:
            row.status = DUPLICATE
            row.reasons.append(_("Doublon de la ligne %(line)s du fichier.") % {"line": earlier})
        else:
            if row.siren:
                seen_siren[row.siren] = row.line
            seen_name[row.key] = row.line
            if row.organisation_id is not None:
                seen_structure[row.organisation_id] = row.line
    return preview


def _match(row: RowResult, known: _Known) -> None:
    """A valid row against the structures of the base: an existing prospect is a duplicate, an existing
    structure not yet a prospect is reused."""
    match = known.by_siren.get(row.siren) if row.siren else None
    by_siren = match is not None
    if match is None:
        match = known.by_name_town.get(row.key)
    if match is None:
        return
    pk, name, already = match
    how = _("même SIREN") if by_siren else _("même nom et même commune")
    row.organisation_id = pk
    if already:
        row.status = DUPLICATE
        row.reasons.append(
            _("Déjà prospect de ce programme : « %(name)s » (%(how)s).") % {"name": name, "how": how}
        )
    else:
        row.notes.append(
            _("Structure déjà connue (« %(name)s », %(how)s) : elle devient prospect.")
            % {"name": name, "how": how}
        )


def _check_row(line: int, raw: dict[str, str], lookups: _References) -> RowResult:
    """One row on its own: its fields read and checked (no query; the references are read once)."""
    row = RowResult(line=line, status=NEW, name=raw.get("name", ""), town=raw.get("town", ""))
    reasons = row.reasons
    data: dict[str, Any] = {}
    if not row.name:
        reasons.append(_("Nom de la structure manquant."))
    if not row.town:
        reasons.append(_("Commune manquante."))
    siret = digits_only(raw.get("siret", ""))
    siren = digits_only(raw.get("siren", ""))
    if siret:
        try:
            validate_siret(siret)
        except ValidationError as error:
            reasons.extend(error.messages)
        if siren and siret[:9] != siren:
            reasons.append(_("Le SIRET ne commence pas par le SIREN."))
        siren = siren or siret[:9]
    if siren:
        try:
            validate_siren(siren)
        except ValidationError as error:
            reasons.extend(error.messages)
    row.siren = siren
    data["siren"], data["siret"] = siren, siret

    audience = None
    if raw.get("audience"):
        audience = _choice(raw["audience"], Audience)
        if audience is None:
            reasons.append(
                _("Public « %(value)s » inconnu (Acteur ESS, Entreprise, Acteur public).")
                % {"value": raw["audience"]}
            )
    kind = None
    if raw.get("kind"):
        kind = _KIND_WORDS.get(normalise_header(raw["kind"])) or _choice(raw["kind"], OrganisationKind)
        if kind is None:
            reasons.append(_("Forme « %(value)s » inconnue.") % {"value": raw["kind"]})
    data["kind"] = kind or _AUDIENCE_KIND.get(audience, OrganisationKind.ASSOCIATION)
    data["audience"] = audience or KIND_FAMILY.get(data["kind"], Audience.ESS)
    source: str | None = Source.IMPORT
    if raw.get("source"):
        source = _choice(raw["source"], Source)
        if source is None:
            reasons.append(_("Source « %(value)s » inconnue.") % {"value": raw["source"]})
    data["source"] = source
    owner = raw.get("owner", "").lower()
    data["owner_id"] = None
    if owner:
        data["owner_id"] = lookups.owners.get(owner)
        if data["owner_id"] is None:
            reasons.append(_("Aucun membre de l’équipe n’a l’adresse « %(value)s ».") % {"value": owner})
    data["next_action_date"] = None
    if raw.get("next_action_date"):
        try:
            data["next_action_date"] = _parse_date(raw["next_action_date"])
            validate_date_range(data["next_action_date"])  # the same 1900–2100 as every form
        except ValueError:
            reasons.append(
                _("Date « %(value)s » illisible (attendu : JJ/MM/AAAA).") % {"value": raw["next_action_date"]}
            )
        except ValidationError as error:
            data["next_action_date"] = None
            reasons.extend(error.messages)
    email = raw.get("contact_email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(_("Adresse e-mail « %(value)s » invalide.") % {"value": email})
    website = raw.get("website", "")
    if website and not website.startswith(("http://", "https://")):
        website = f"https://{website}"
    data["website"] = website[:200]
    data["theme_ids"] = []
    for theme in filter(None, (t.strip() for t in re.split(r"[|,]", raw.get("themes", "")))):
        pk = lookups.themes.get(normalise_header(theme))
        if pk:
            data["theme_ids"].append(pk)
        else:
            row.notes.append(_("Thématique « %(value)s » inconnue, ignorée.") % {"value": theme})
    data["territory_id"] = None
    if raw.get("territory"):
        data["territory_id"] = lookups.territories.get(normalise_header(raw["territory"]))
        if data["territory_id"] is None:
            row.notes.append(_("Territoire « %(value)s » inconnu, ignoré.") % {"value": raw["territory"]})
    for key in (
        "postcode",
        "address",
        "next_action",
        "notes",
        "contact_first_name",
        "contact_last_name",
        "contact_phone",
        "contact_job_title",
    ):
        data[key] = raw.get(key, "")
    data["contact_email"] = email
    if len(row.name) > 200:
        reasons.append(_("Nom trop long (200 caractères au plus)."))
    row.data = data
    if reasons:
        row.status = INVALID
    else:
        row.key = (normalise_name(row.name), normalise_town(row.town))
    return row


# --- Reading a stored file ------------------------------------------------------------------------


def load_preview(import_file: ImportFile) -> Preview:
    """Re-read the stored file and classify it against the database as it is now."""
    return match_rows(programme=import_file.programme, preview=load_checked(import_file))


def load_checked(import_file: ImportFile, progress: Callable[[int], None] | None = None) -> Preview:
    """Re-read the stored file and check its rows (`check_rows`), not yet matched against the base."""
    with default_storage.open(import_file.path, "rb") as handle:
        content = handle.read()
    headers, body = read_table(content)
    return check_rows(headers=headers, body=body, mapping=import_file.mapping, progress=progress)
