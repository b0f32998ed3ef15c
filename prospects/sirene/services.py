"""Writes of the register: imports (queued, run with progress, recorded), prospects added from the radar,
saved searches. Keyword-only, typed, atomic where they write the app's rows, audited."""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.audit import audit_log, delete_audited
from programme.identity import validate_rna, validate_siret
from programme.models import Organisation, Programme, Territory, User

from .. import services as prospect_services
from ..models import Prospect, Source
from . import loader, selectors
from .columns import kind_for
from .models import RegisterImport, RegisterImportStatus, RegisterUnit, SavedSearch

logger = logging.getLogger(__name__)


# --- Imports ------------------------------------------------------------------------------------------


def register_targets() -> loader.Targets:
    """What the import keeps: the programmes' choices (`selectors.target_rules`) plus the SIREN of every
    structure already recorded (kept whatever the rules, so their page can say « radiée »)."""
    categories, departements = selectors.target_rules()
    known = Organisation.objects.exclude(siren="").values_list("siren", flat=True)
    return loader.Targets(
        categories=frozenset(categories), departements=frozenset(departements), known_sirens=frozenset(known)
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def register_import_create(*, actor: User | None, path: Path) -> RegisterImport:
    """Record an import to run (the file is checked when it runs)."""
    path = Path(path)
    row = RegisterImport.objects.create(
        kind=_guess_kind(path),
        path=str(path),
        file_name=path.name,
        size=path.stat().st_size if path.is_file() else 0,
        requested_by=actor,
    )
    audit_log(actor=actor, obj=row, action="register_import.requested")
    return row


def _guess_kind(path: Path) -> str:
    return "establishments" if "etablissement" in path.name.lower() else "units"


@transaction.atomic
def register_import_queue(*, actor: User | None, path: Path) -> RegisterImport:
    """Record an import and hand it to the worker once committed."""
    from . import tasks

    row = register_import_create(actor=actor, path=path)
    transaction.on_commit(lambda: tasks.run_register_import.delay(row.pk))
    return row


def register_import_run(*, import_id: int) -> RegisterImport:
    """Run a recorded import (claimed first: a second message for it does nothing). The file is read and
    loaded by `loader.load`; the row records its size, hash, rows read and kept, duration and outcome."""
    claimed = RegisterImport.objects.filter(pk=import_id, status=RegisterImportStatus.QUEUED).update(
        status=RegisterImportStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    row = RegisterImport.objects.get(pk=import_id)
    if not claimed:
        return row
    path = Path(row.path)

    def progress(percent: int, read: int, kept: int) -> None:
        RegisterImport.objects.filter(pk=import_id).update(progress=percent, rows_read=read, rows_kept=kept)

    try:
        kind = loader.detect_kind(path)
        RegisterImport.objects.filter(pk=import_id).update(
            kind=kind, size=path.stat().st_size, sha256=_sha256(path)
        )
        outcome = loader.load(path, import_id=import_id, targets=register_targets(), progress=progress)
    except loader.RegisterFileError as refusal:
        RegisterImport.objects.filter(pk=import_id).update(
            status=RegisterImportStatus.FAILED, error=str(refusal), finished_at=timezone.now()
        )
    except Exception:
        logger.exception("SIRENE import %s failed", import_id)
        RegisterImport.objects.filter(pk=import_id).update(
            status=RegisterImportStatus.FAILED,
            error=_("L’import s’est interrompu sur une erreur inattendue : rien n’a changé."),
            finished_at=timezone.now(),
        )
    else:
        RegisterImport.objects.filter(pk=import_id).update(
            status=RegisterImportStatus.DONE,
            progress=100,
            rows_read=outcome.rows_read,
            rows_kept=outcome.rows_kept,
            duration=outcome.duration,
            finished_at=timezone.now(),
        )
    row.refresh_from_db()
    audit_log(actor=None, obj=row, action=f"register_import.{row.status}")
    return row


# --- From the radar to the prospects ---------------------------------------------------------------------


@dataclass
class AddResult:
    created: list[Prospect] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # names of those already prospects


def organisation_values(unit: RegisterUnit) -> dict[str, str]:
    """What the register says of a structure, as the organisation's fields (the identity the form fills)."""
    siret = unit.siret
    try:
        validate_siret(siret)
    except ValidationError:
        siret = ""
    rna = unit.rna
    try:
        validate_rna(rna)
    except ValidationError:
        rna = ""
    return {
        "name": unit.name,
        "kind": kind_for(unit.legal_category),
        "siren": unit.siren,
        "siret": siret,
        "rna": rna,
        "address": unit.address,
        "postcode": unit.postcode,
        "town": unit.commune_name,
    }


@transaction.atomic
def prospects_add_from_register(
    *, actor: User, programme: Programme, sirens: list[str], territory: Territory | None = None
) -> AddResult:
    """The structures of the register chosen on the radar become prospects of the programme (source
    « Veille »): the structure already recorded (same SIREN, then same name and town) is reused, otherwise
    created from the register; one already a prospect of the programme is left as it is."""
    result = AddResult()
    units = list(RegisterUnit.objects.filter(siren__in=sirens).order_by("name"))
    if not units:
        raise ValidationError(_("Choisissez au moins une structure du répertoire."), code="empty")
    for unit in units:
        values = organisation_values(unit)
        organisation = prospect_services.organisation_match(
            siren=unit.siren, name=values["name"], town=values["town"]
        )
        if organisation is None:
            organisation = Organisation.objects.create(**values, territory=territory)
            audit_log(
                actor=actor,
                obj=organisation,
                action="organisation.created",
                changes={"source": [None, "sirene"]},
            )
        elif Prospect.objects.filter(programme=programme, organisation=organisation).exists():
            result.already.append(organisation.name)
            continue
        result.created.append(
            prospect_services.prospect_create(
                actor=actor,
                programme=programme,
                organisation=organisation,
                source=Source.WATCH,
                territory=territory,
            )
        )
    return result


# --- Saved searches ---------------------------------------------------------------------------------------


@transaction.atomic
def saved_search_save(*, actor: User, territory: Territory, query: str) -> SavedSearch:
    """Keep the radar's current criteria as the territory's search (replacing the one it had)."""
    search, created = SavedSearch.objects.update_or_create(
        territory=territory, defaults={"query": query[:1000], "created_by": actor}
    )
    audit_log(
        actor=actor,
        obj=search,
        action="saved_search.created" if created else "saved_search.updated",
        changes={"query": [None, search.query]},
    )
    return search


@transaction.atomic
def saved_search_delete(*, actor: User, search: SavedSearch) -> None:
    delete_audited(actor=actor, obj=search, action="saved_search.deleted")
