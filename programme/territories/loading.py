"""Reading the official administrative list (@etalab/decoupage-administratif) into `Area` rows.

The package publishes one JSON array per level in its `data/` folder: `regions.json` and
`departements.json` (`code`, `nom`, and for a département its `region`), `epci.json` (`code` — the EPCI's
SIREN —, `nom`, `membres`: the member communes by INSEE `code`) and `communes.json` (`code`, `nom`, `type`,
`departement`, `region`, `population`; only `type == "commune-actuelle"` rows are today's communes — the
delegated and associated communes and the municipal arrondissements are left out). Loading is an upsert
on (level, code): run again with a newer package, names and attachments follow; an area that left the
list stays (a territory may still name it)."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from .models import Area, AreaKind

FILES = {
    AreaKind.REGION: "regions.json",
    AreaKind.DEPARTMENT: "departements.json",
    AreaKind.EPCI: "epci.json",
    AreaKind.COMMUNE: "communes.json",
}
#: Where `npm ci` (make install) puts the data files.
DEFAULT_PATH = Path(settings.BASE_DIR) / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
BATCH = 2000


class AreaDataError(Exception):
    """The folder is not the package's data: said in French to the operator."""


@dataclass(frozen=True)
class Loaded:
    regions: int
    departments: int
    epcis: int
    communes: int


def _read(folder: Path, kind: AreaKind) -> list[dict[str, Any]]:
    path = folder / FILES[kind]
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AreaDataError(f"Fichier introuvable : {path}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AreaDataError(f"{path} n’est pas un fichier JSON lisible ({error}).") from error
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and r.get("code") and r.get("nom") for r in rows
    ):
        raise AreaDataError(
            f"{path} n’a pas le format attendu (une liste d’objets avec « code » et « nom »)."
        )
    return rows


def _population(row: dict[str, Any], key: str = "population") -> int | None:
    value = row.get(key)
    return value if isinstance(value, int) and value >= 0 else None


def _rows(folder: Path) -> dict[AreaKind, list[Area]]:
    departments = _read(folder, AreaKind.DEPARTMENT)
    region_of = {d["code"]: d.get("region", "") for d in departments}
    epcis = _read(folder, AreaKind.EPCI)
    epci_of = {m["code"]: e["code"] for e in epcis for m in e.get("membres", []) if m.get("code")}
    communes = [
        c for c in _read(folder, AreaKind.COMMUNE) if c.get("type", "commune-actuelle") == "commune-actuelle"
    ]
    epci_department: dict[str, str] = {}
    for commune in communes:
        if commune["code"] in epci_of:
            epci_department.setdefault(epci_of[commune["code"]], commune.get("departement", ""))
    return {
        AreaKind.REGION: [
            Area(kind=AreaKind.REGION, code=r["code"], name=r["nom"]) for r in _read(folder, AreaKind.REGION)
        ],
        AreaKind.DEPARTMENT: [
            Area(kind=AreaKind.DEPARTMENT, code=d["code"], name=d["nom"], region_code=d.get("region", ""))
            for d in departments
        ],
        AreaKind.EPCI: [
            Area(
                kind=AreaKind.EPCI,
                code=e["code"],
                name=e["nom"],
                department_code=epci_department.get(e["code"], ""),
                region_code=region_of.get(epci_department.get(e["code"], ""), ""),
                population=_population(e, "populationTotale"),
            )
            for e in epcis
        ],
        AreaKind.COMMUNE: [
            Area(
                kind=AreaKind.COMMUNE,
                code=c["code"],
                name=c["nom"],
                department_code=c.get("departement", ""),
                region_code=c.get("region", ""),
                epci_code=epci_of.get(c["code"], ""),
                population=_population(c),
            )
            for c in communes
        ],
    }


def _upsert(areas: Iterable[Area]) -> int:
    batch = [area.fill_derived() for area in areas]
    for start in range(0, len(batch), BATCH):
        Area.objects.bulk_create(
            batch[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["kind", "code"],
            update_fields=[
                "name",
                "search_text",
                "department_code",
                "region_code",
                "epci_code",
                "population",
            ],
        )
    return len(batch)


@transaction.atomic
def load_areas(folder: Path) -> Loaded:
    """Every level read first (a bad file changes nothing), then upserted in one transaction."""
    if not folder.is_dir():
        raise AreaDataError(f"Dossier introuvable : {folder}")
    rows = _rows(folder)
    return Loaded(
        regions=_upsert(rows[AreaKind.REGION]),
        departments=_upsert(rows[AreaKind.DEPARTMENT]),
        epcis=_upsert(rows[AreaKind.EPCI]),
        communes=_upsert(rows[AreaKind.COMMUNE]),
    )
