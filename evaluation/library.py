"""The starter indicator library: what an ESS accompaniment programme usually measures.

Shipped by data migration 0003 (a frozen copy) and re-applied by the demo; staff edit it freely
afterwards. `ensure_starter_library()` only creates the codes that are missing, never overwrites.
"""

#: What an indicator of the library is unless its entry says otherwise: a count, summed over the periods,
#: that should increase, followed per project every quarter.
USUAL: dict[str, str] = {
    "unit": "",
    "type": "count",
    "aggregation": "sum",
    "direction": "increase",
    "periodicity": "quarterly",
    "scope": "project",
}

#: Each starter indicator by what is its own (Indicator's field names); the rest is USUAL.
STARTER_LIBRARY: list[dict[str, str | int]] = [
    {
        "code": "personnes-touchees",
        "name": "Personnes bénéficiaires touchées",
        "unit": "personnes",
        "verification": "Feuilles d’émargement, fichier de suivi des bénéficiaires",
        "description": "Personnes ayant bénéficié au moins une fois de l’action sur la période.",
    },
    {
        "code": "emplois-crees",
        "name": "Emplois créés",
        "unit": "emplois",
        "periodicity": "yearly",
        "verification": "Registre du personnel, contrats signés",
        "description": "Emplois (CDI, CDD de plus de 6 mois, contrats d’insertion) créés sur la période.",
    },
    {
        "code": "emplois-maintenus",
        "name": "Emplois maintenus",
        "unit": "emplois",
        "aggregation": "latest",
        "periodicity": "yearly",
        "verification": "Registre du personnel",
        "description": "Emplois existants consolidés grâce au projet, au dernier jour de la période.",
    },
    {
        "code": "structures-impliquees",
        "name": "Structures impliquées dans le collectif",
        "unit": "structures",
        "aggregation": "latest",
        "verification": "Conventions de partenariat, comptes rendus de COPIL",
        "description": "Structures qui contribuent activement (temps, moyens, décisions).",
    },
    {
        "code": "partenaires-publics",
        "name": "Partenaires publics du collectif",
        "unit": "structures",
        "aggregation": "latest",
        "periodicity": "per_phase",
        "verification": "Conventions, délibérations",
        "description": "Collectivités, établissements publics et institutions engagés.",
    },
    {
        "code": "partenaires-prives",
        "name": "Entreprises partenaires du collectif",
        "unit": "structures",
        "aggregation": "latest",
        "periodicity": "per_phase",
        "verification": "Conventions de mécénat ou de partenariat",
        "description": "Entreprises privées engagées dans le collectif.",
    },
    {
        "code": "partenaires-ess",
        "name": "Acteurs de l’ESS dans le collectif",
        "unit": "structures",
        "aggregation": "latest",
        "periodicity": "per_phase",
        "verification": "Statuts, conventions",
        "description": "Associations, coopératives, mutuelles, fondations et entreprises ESUS engagées.",
    },
    {
        "code": "fonds-leves",
        "name": "Fonds levés",
        "unit": "€",
        "type": "amount",
        "verification": "Conventions de financement signées, notifications de subvention",
        "description": "Financements obtenus (subventions, mécénat, prêts d’honneur) sur la période.",
    },
    {
        "code": "ateliers-tenus",
        "name": "Ateliers tenus",
        "unit": "ateliers",
        "scope": "programme",
        "verification": "Comptes rendus d’ateliers",
        "description": "Ateliers collectifs (design, coopération, COPIL élargis) réellement tenus.",
    },
    {
        "code": "participants-ateliers",
        "name": "Participations aux ateliers",
        "unit": "participations",
        "scope": "programme",
        "verification": "Feuilles d’émargement",
        "description": "Présences cumulées aux ateliers (une personne présente à deux ateliers compte deux fois).",
    },
    {
        "code": "taux-satisfaction",
        "name": "Taux de satisfaction des bénéficiaires",
        "unit": "%",
        "type": "percentage",
        "verification": "Questionnaire de satisfaction",
        "description": "Répondants satisfaits ou très satisfaits / répondants.",
    },
    {
        "code": "satisfaction-ateliers",
        "name": "Satisfaction des participants aux ateliers",
        "unit": "sur 5",
        "type": "scale",
        "aggregation": "average",
        "scope": "programme",
        "verification": "Questionnaire de fin d’atelier",
        "description": "Note moyenne donnée par les participants (1 = pas du tout, 5 = tout à fait satisfait).",
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "code": "sorties-positives",
        "name": "Taux de sorties positives vers l’emploi",
        "unit": "%",
        "type": "percentage",
        "periodicity": "yearly",
        "verification": "Suivi des parcours à 6 mois",
        "description": "Personnes en emploi ou formation qualifiante / personnes sorties du dispositif.",
    },
    {
        "code": "benevoles-mobilises",
        "name": "Bénévoles mobilisés",
        "unit": "bénévoles",
        "aggregation": "latest",
        "verification": "Fichier des bénévoles",
        "description": "Bénévoles actifs au dernier jour de la période.",
    },
    {
        "code": "dechets-detournes",
        "name": "Déchets détournés de l’enfouissement",
        "unit": "tonnes",
        "verification": "Pesées, bordereaux de suivi",
        "description": "Tonnages réemployés ou recyclés grâce au projet.",
    },
    {
        "code": "modele-economique",
        "name": "Modèle économique validé",
        "type": "boolean",
        "aggregation": "latest",
        "periodicity": "per_phase",
        "verification": "Compte de résultat prévisionnel validé en COPIL",
        "description": "Le collectif dispose d’un modèle économique validé par ses financeurs.",
    },
    {
        "code": "sites-essaimage",
        "name": "Sites d’essaimage ouverts",
        "unit": "sites",
        "aggregation": "latest",
        "periodicity": "yearly",
        "scope": "programme",
        "verification": "Conventions d’essaimage",
        "description": "Territoires où l’expérimentation est reprise.",
    },
    {
        "code": "effets-observes",
        "name": "Effets observés et témoignages",
        "type": "text",
        "aggregation": "latest",
        "direction": "maintain",
        "periodicity": "per_phase",
        "verification": "Entretiens, récits de vie",
        "description": "Ce que les bénéficiaires et partenaires disent des changements vécus.",
    },
]


def ensure_starter_library(Indicator) -> int:  # noqa: N803 — the model class (historical in migrations)
    """Create the missing starter indicators; return how many were created."""
    existing = set(Indicator.objects.values_list("code", flat=True))
    missing = [entry for entry in STARTER_LIBRARY if entry["code"] not in existing]
    for entry in missing:
        Indicator.objects.create(**{**USUAL, **entry})
    return len(missing)
