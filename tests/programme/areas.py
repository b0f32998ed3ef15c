"""A small extract of @etalab/decoupage-administratif, written in the package's exact format (one JSON array
per level, the same field names), for the loader's tests and the pages' area pickers."""

import json
from pathlib import Path

REGIONS = [
    {"code": "84", "chefLieu": "69123", "nom": "Auvergne-Rhône-Alpes", "typeLiaison": 1, "zone": "metro"}
]
DEPARTEMENTS = [
    {"code": "38", "region": "84", "chefLieu": "38185", "nom": "Isère", "typeLiaison": 5, "zone": "metro"},
    {"code": "69", "region": "84", "chefLieu": "69123", "nom": "Rhône", "typeLiaison": 2, "zone": "metro"},
]


def _commune(code: str, nom: str, departement: str, population: int, **extra: object) -> dict[str, object]:
    return {
        "code": code,
        "nom": nom,
        "typeLiaison": 0,
        "zone": "metro",
        "arrondissement": departement + "1",
        "departement": departement,
        "region": "84",
        "type": "commune-actuelle",
        "rangChefLieu": 0,
        "siren": "21" + code + "0",
        "codesPostaux": [],
        "population": population,
        **extra,
    }


COMMUNES = [
    _commune("69123", "Lyon", "69", 519127),
    _commune("69266", "Villeurbanne", "69", 163684),
    _commune("69256", "Vaulx-en-Velin", "69", 53069),
    _commune("69259", "Vénissieux", "69", 65502),
    _commune("38053", "Bourgoin-Jallieu", "38", 30151),
    # Not today's communes: left out by the loader.
    {**_commune("69381", "Lyon 1er Arrondissement", "69", 28717), "type": "arrondissement-municipal"},
    {**_commune("38001", "Ancienne commune", "38", 10), "type": "commune-deleguee"},
]


def _members(*codes: str) -> list[dict[str, object]]:
    return [
        {"code": c, "siren": "21" + c + "0", "nom": c, "populationTotale": 1, "populationMunicipale": 1}
        for c in codes
    ]


EPCI = [
    {
        "code": "200046977",
        "nom": "Métropole de Lyon",
        "type": "METLYON",
        "modeFinancement": "FPU",
        "populationTotale": 1424069,
        "populationMunicipale": 1411571,
        "membres": _members("69123", "69266", "69256", "69259"),
    },
    {
        "code": "243800604",
        "nom": "CA Porte de l'Isère (CAPI)",
        "type": "CA",
        "modeFinancement": "FPU",
        "populationTotale": 110000,
        "populationMunicipale": 108000,
        "membres": _members("38053"),
    },
]


def write_extract(folder: Path, *, communes: list[dict[str, object]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("regions.json", REGIONS),
        ("departements.json", DEPARTEMENTS),
        ("epci.json", EPCI),
        ("communes.json", COMMUNES if communes is None else communes),
    ):
        (folder / name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return folder


def load_extract(tmp_path: Path) -> None:
    from programme.territories.loading import load_areas

    load_areas(write_extract(tmp_path / "decoupage"))
