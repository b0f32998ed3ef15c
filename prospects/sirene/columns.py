"""The published format of INSEE's SIRENE stock files and the nomenclature codes the radar speaks in words.

The column names and their order are those of the monthly stock files of the « Base Sirene des entreprises
et de leurs établissements (SIREN, SIRET) » published on data.gouv.fr (Licence Ouverte): a CSV file in UTF-8
with a header line, comma-separated, inside a zip of the same name (`StockUniteLegale_utf8.zip` holding
`StockUniteLegale_utf8.csv`, `StockEtablissement_utf8.zip` holding `StockEtablissement_utf8.csv`). The
import reads columns by name and needs only `UNIT_REQUIRED` / `ESTABLISHMENT_REQUIRED`: a file with its
columns in another order, or a later file with columns added at the end, still imports; a file without one
of them is refused, naming it.
"""

from django.utils.translation import gettext_lazy as _

from programme.identity import LEGAL_CATEGORY_GROUPS, LEGAL_GROUP_LABELS

UNIT_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
)

UNIT_REQUIRED = (
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "etatAdministratifUniteLegale",
    "denominationUniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
)

ESTABLISHMENT_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)

ESTABLISHMENT_REQUIRED = (
    "siren",
    "siret",
    "statutDiffusionEtablissement",
    "etablissementSiege",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
)

#: The file names INSEE publishes (zip and the CSV inside).
UNIT_FILE = "StockUniteLegale_utf8"
ESTABLISHMENT_FILE = "StockEtablissement_utf8"

#: catégorie juridique of natural persons (entrepreneurs individuels): never kept.
NATURAL_PERSON = "1000"

#: The legal categories in words (groups of INSEE codes): programme.identity, so the programme's settings
#: (its register targets) can offer the groups too.
CATEGORY_GROUPS = LEGAL_CATEGORY_GROUPS
GROUP_LABELS = LEGAL_GROUP_LABELS

#: What the organisation form's « forme » becomes for each group (programme.OrganisationKind values).
GROUP_KIND = {
    "association": "association",
    "scop": "scop",
    "cooperative": "cooperative",
    "mutuelle": "mutuelle",
    "fondation": "fondation",
    "other": "company",
}

CATEGORY_GROUP: dict[str, str] = {code: group for group, codes in CATEGORY_GROUPS.items() for code in codes}

#: Every legal category of the groups above: the programme's default targets (setting SIRENE_LEGAL_CATEGORIES).
DEFAULT_CATEGORIES: tuple[str, ...] = tuple(CATEGORY_GROUP)


def category_group(code: str) -> str:
    if code.startswith("7"):
        return "public"
    return CATEGORY_GROUP.get(code, "other")


def kind_for(code: str) -> str:
    """The organisation kind (programme.OrganisationKind value) of an INSEE legal category."""
    if code.startswith("72"):
        return "collectivite"
    if code.startswith("7"):
        return "public_body"
    return GROUP_KIND.get(CATEGORY_GROUP.get(code, "other"), "company")


#: trancheEffectifsUniteLegale (INSEE « tranche d'effectif salarié »), in words.
HEADCOUNT_BANDS = {
    "NN": _("Non employeuse"),
    "00": _("0 salarié"),
    "01": _("1 ou 2 salariés"),
    "02": _("3 à 5 salariés"),
    "03": _("6 à 9 salariés"),
    "11": _("10 à 19 salariés"),
    "12": _("20 à 49 salariés"),
    "21": _("50 à 99 salariés"),
    "22": _("100 à 199 salariés"),
    "31": _("200 à 249 salariés"),
    "32": _("250 à 499 salariés"),
    "41": _("500 à 999 salariés"),
    "42": _("1\u00a0000 à 1\u00a0999 salariés"),
    "51": _("2\u00a0000 à 4\u00a0999 salariés"),
    "52": _("5\u00a0000 à 9\u00a0999 salariés"),
    "53": _("10\u00a0000 salariés et plus"),
}


def departement_of(commune_code: str) -> str:
    """The département of a commune code (COG): 2 characters (2A, 2B included), 3 for the overseas ones."""
    if commune_code.startswith("97"):
        return commune_code[:3]
    return commune_code[:2]


#: Accented small letters and their plain letters, for PostgreSQL's translate() (immutable, so indexable).
_ACCENTED = "àâäáãåçéèêëíîïìñóôöòõúûüùýÿ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyy"
#: The words of a name, accents and case ignored, as the name's word index holds them
#: (`loader.PG_NAME_WORDS_INDEX`) and the name search matches them (`filters.name_matches`): one expression.
NAME_WORDS = f"to_tsvector('simple'::regconfig, translate(lower(name::text), '{_ACCENTED}', '{_PLAIN}'))"
