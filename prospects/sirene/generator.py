"""Stock files in INSEE's published format, made up, for tests, the demo and the benchmark: the header and
column order of `columns.py`, UTF-8, comma-separated, every field quoted only when it must be, one CSV per
zip named as INSEE names it. Nothing here is real data: names are drawn from word lists, SIREN/SIRET are
made-up numbers with a valid check digit.

The same `seed` and `rows` give the same legal units, and the establishments file written with them gives
each unit its head office (and, for some, a second establishment): the two files go together."""

import csv
import io
import random
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from stdnum import luhn

from .columns import CATEGORY_GROUP, ESTABLISHMENT_COLUMNS, ESTABLISHMENT_FILE, UNIT_COLUMNS, UNIT_FILE

FIRST_SIREN = 81_000_000  # 8 digits: the 9th is the check digit

#: (commune code, postcode, libellé as INSEE writes it). Real communes of the COG.
COMMUNES = (
    ("69266", "69100", "VILLEURBANNE"),
    ("69259", "69200", "VENISSIEUX"),
    ("69256", "69120", "VAULX-EN-VELIN"),
    ("69383", "69003", "LYON 3EME"),
    ("69387", "69007", "LYON 7EME"),
    ("42218", "42000", "SAINT-ETIENNE"),
    ("38185", "38000", "GRENOBLE"),
    ("01053", "01000", "BOURG-EN-BRESSE"),
    ("44109", "44000", "NANTES"),
    ("44143", "44400", "REZE"),
    ("44184", "44600", "SAINT-NAZAIRE"),
    ("75111", "75011", "PARIS 11"),
    ("75120", "75020", "PARIS 20"),
    ("93048", "93100", "MONTREUIL"),
    ("93066", "93200", "SAINT-DENIS"),
)

#: Real NAF rév. 2 codes, as the register writes them.
NAF_CODES = (
    "94.99Z", "88.99B", "85.59A", "90.01Z", "56.10A", "62.01Z", "47.11B", "81.21Z",
    "38.11Z", "01.13Z", "93.12Z", "86.90E", "70.22Z", "43.21A", "88.10A", "55.20Z",
)  # fmt: skip

#: (legal category, weight, ESS flag "O" probability).
CATEGORIES = (
    ("1000", 40, 0.0),  # natural persons: dropped by the import
    ("9220", 22, 0.9),
    ("9230", 1, 0.9),
    ("5710", 14, 0.03),
    ("5499", 12, 0.02),
    ("5458", 1, 1.0),
    ("5460", 1, 1.0),
    ("5560", 0.5, 1.0),
    ("8210", 0.5, 1.0),
    ("9300", 0.5, 1.0),
    ("7210", 1, 0.0),
    ("6540", 6.5, 0.0),
)

TARGETED = {code for code, _weight, _ess in CATEGORIES if code in CATEGORY_GROUP}

BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22")

WORDS_A = (
    "Atelier", "Maison", "Collectif", "Réseau", "Jardins", "Ressourcerie", "Épicerie", "Coopérative",
    "Fabrique", "Café", "Compagnie", "Union", "Cercle", "Pôle", "Chantier", "Recyclerie",
)  # fmt: skip
WORDS_B = (
    "solidaire", "des possibles", "du quartier", "partagé", "citoyen", "vélo", "des savoirs", "du lien",
    "en transition", "à vivre", "des habitants", "nomade", "d’insertion", "bio", "numérique", "durable",
)  # fmt: skip
WORDS_C = (
    "Rhône", "Loire", "Confluence", "Croix-Rousse", "Gerland", "Part-Dieu", "Estuaire", "Erdre",
    "Belleville", "Ménilmontant", "Vercors", "Bresse", "Pilat", "Forez", "Presqu’île", "Canal",
)  # fmt: skip
STREETS = ("RUE", "AV", "BD", "PL", "CHE", "ALL", "QUAI", "IMP")
STREET_NAMES = ("DE LA REPUBLIQUE", "VICTOR HUGO", "DES LILAS", "JEAN JAURES", "DU PORT", "PASTEUR")


def unaccented(text: str) -> str:
    """INSEE writes names in capitals without accents (« EPICERIE SOLIDAIRE »)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", " "))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def siren_at(index: int) -> str:
    base = str(FIRST_SIREN + index).zfill(8)
    return base + luhn.calc_check_digit(base)


def siret_for(siren: str, number: int) -> str:
    base = siren + str(number).zfill(4)
    return base + luhn.calc_check_digit(base)


def _pick_category(rng: random.Random) -> tuple[str, float]:
    total = sum(weight for _, weight, _ in CATEGORIES)
    point = rng.random() * total
    for code, weight, ess in CATEGORIES:
        point -= weight
        if point <= 0:
            return code, ess
    return CATEGORIES[-1][0], CATEGORIES[-1][2]


def unit_rows(rows: int, *, seed: int = 21, targeted: bool = False) -> Iterator[dict[str, str]]:
    """The legal units, as dicts keyed by INSEE column name. `targeted`: only units the import keeps (active,
    diffusible, in the default legal categories) — a register of `rows` structures for the radar's benchmark."""
    rng = random.Random(seed)
    today = date(2026, 11, 1)
    for index in range(rows):
        category, ess_share = _pick_category(rng)
        if targeted:
            while category not in TARGETED:
                category, ess_share = _pick_category(rng)
        natural = category == "1000"
        diffusible = targeted or rng.random() > (0.08 if natural else 0.01)
        name = unaccented(f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {rng.choice(WORDS_C)}").upper()
        created = today - timedelta(days=rng.randrange(0, 365 * 40))
        row = dict.fromkeys(UNIT_COLUMNS, "")
        row.update(
            siren=siren_at(index),
            statutDiffusionUniteLegale="O" if diffusible else "P",
            dateCreationUniteLegale=created.isoformat(),
            trancheEffectifsUniteLegale=rng.choice(BANDS),
            anneeEffectifsUniteLegale="2023",
            dateDernierTraitementUniteLegale="2026-10-02T09:15:00",
            nombrePeriodesUniteLegale="1",
            categorieEntreprise="PME",
            anneeCategorieEntreprise="2023",
            dateDebut=created.isoformat(),
            etatAdministratifUniteLegale="C" if not targeted and rng.random() < 0.15 else "A",
            categorieJuridiqueUniteLegale=category,
            activitePrincipaleUniteLegale=rng.choice(NAF_CODES),
            nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
            nicSiegeUniteLegale=siret_for(siren_at(index), 1)[9:],
            economieSocialeSolidaireUniteLegale="O" if rng.random() < ess_share else "N",
            caractereEmployeurUniteLegale="N",
        )
        if natural:
            row.update(
                nomUniteLegale="[ND]" if not diffusible else rng.choice(("MARTIN", "BERNARD", "DUBOIS")),
                prenom1UniteLegale="[ND]" if not diffusible else rng.choice(("CAMILLE", "SACHA", "LOUISE")),
                sexeUniteLegale="F",
            )
        else:
            row["denominationUniteLegale"] = name if diffusible else "[ND]"
            if category.startswith("92"):
                row["identifiantAssociationUniteLegale"] = f"W{rng.randrange(10**8, 10**9)}"
            if rng.random() < 0.2:
                row["sigleUniteLegale"] = "".join(word[0] for word in name.split()[:3])
        yield row


def establishment_rows(rows: int, *, seed: int = 21) -> Iterator[dict[str, str]]:
    """The establishments of the units `unit_rows(rows, seed=seed)` gives: each unit's head office, and a
    second establishment for one unit in five."""
    rng = random.Random(seed + 1)
    for unit in unit_rows(rows, seed=seed):
        siren = unit["siren"]
        for number in (1, 2) if rng.random() < 0.2 else (1,):
            code, postcode, commune = rng.choice(COMMUNES)
            row = dict.fromkeys(ESTABLISHMENT_COLUMNS, "")
            siret = siret_for(siren, number)
            row.update(
                siren=siren,
                nic=siret[9:],
                siret=siret,
                statutDiffusionEtablissement=unit["statutDiffusionUniteLegale"],
                dateCreationEtablissement=unit["dateCreationUniteLegale"],
                trancheEffectifsEtablissement=unit["trancheEffectifsUniteLegale"],
                dateDernierTraitementEtablissement="2026-10-02T09:15:00",
                etablissementSiege="true" if number == 1 else "false",
                nombrePeriodesEtablissement="1",
                numeroVoieEtablissement=str(rng.randrange(1, 120)),
                typeVoieEtablissement=rng.choice(STREETS),
                libelleVoieEtablissement=rng.choice(STREET_NAMES),
                codePostalEtablissement=postcode,
                libelleCommuneEtablissement=commune,
                codeCommuneEtablissement=code,
                dateDebut=unit["dateCreationUniteLegale"],
                etatAdministratifEtablissement="F" if unit["etatAdministratifUniteLegale"] == "C" else "A",
                activitePrincipaleEtablissement=unit["activitePrincipaleUniteLegale"],
                nomenclatureActivitePrincipaleEtablissement="NAFRev2",
                caractereEmployeurEtablissement="N",
            )
            yield row


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, str]], *, zipped: bool) -> Path:
    """Write the rows as INSEE does: a header line, comma-separated, UTF-8; zipped under the CSV's name."""
    path = Path(path)
    if zipped:
        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            archive.open(f"{path.stem}.csv", "w", force_zip64=True) as raw,
        ):
            _write(io.TextIOWrapper(raw, encoding="utf-8", newline=""), columns, rows)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            _write(handle, columns, rows)
    return path


def _write(handle: io.TextIOBase, columns: tuple[str, ...], rows: Iterator[dict[str, str]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[column] for column in columns])
    handle.flush()


def write_register(directory: Path, *, rows: int, seed: int = 21, establishments: bool = True) -> list[Path]:
    """The units zip (and the establishments zip) of `rows` legal units in `directory`, named as INSEE
    names them. Returns the paths, units first."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [write_csv(directory / f"{UNIT_FILE}.zip", UNIT_COLUMNS, unit_rows(rows, seed=seed), zipped=True)]
    if establishments:
        paths.append(
            write_csv(
                directory / f"{ESTABLISHMENT_FILE}.zip",
                ESTABLISHMENT_COLUMNS,
                establishment_rows(rows, seed=seed),
                zipped=True,
            )
        )
    return paths
