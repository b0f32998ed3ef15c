"""Reads of the register, taking the acting user (team only: partners read nothing of it)."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Upper
from django.http import QueryDict
from django.urls import reverse

from programme import access
from programme.identity import normalise_town
from programme.models import Area, AreaKind, Organisation, Programme, Territory, User

from ..models import Prospect
from .columns import CATEGORY_GROUPS, DEFAULT_CATEGORIES, kind_for
from .filters import RadarFilter, latest_units_import, name_matches
from .models import RegisterImport, RegisterImportStatus, RegisterUnit, SavedSearch, UnitQuerySet

#: The radar counts its results up to this number (then: « au moins 1 000 structures »).
COUNT_CAP = 1000


def radar_units(user: User, *, capped: bool = True, version: str | None = None) -> QuerySet[RegisterUnit]:
    """The structures the radar offers: the active units of the register, each page marked with those
    already structures or prospects (`mark_known`), counted up to COUNT_CAP (the count kept in the cache
    for the register's `version`, see `register_version`)."""
    units = access.scoped(user, RegisterUnit).filter(active=True).order_by("name", "siren")
    assert isinstance(units, UnitQuerySet)
    units = units.after_fetch(lambda rows: mark_known(user, rows))
    return units.count_capped(COUNT_CAP, version=version) if capped else units


def register_version(state: dict[str, Any]) -> str | None:
    """What changes whenever an import replaces the register's rows: the last successful import of each
    file (`register_state`). None before the first import."""
    parts = [
        f"{row.pk}.{row.finished_at.timestamp() if row.finished_at else 0}"
        for row in (state.get("units_import"), state.get("establishments_import"))
        if row is not None
    ]
    return "-".join(parts) or None


def mark_known(user: User, units: list[RegisterUnit]) -> list[RegisterUnit]:
    """Set on each unit the structure (`known_organisation`) and the prospects (`known_prospects`) that
    already carry its SIREN: two queries whatever the number of rows."""
    sirens = [unit.siren for unit in units]
    organisations = {
        org.siren: org
        for org in access.scoped(user, Organisation).filter(siren__in=sirens).only("id", "name", "siren")
    }
    prospects: dict[str, list[Prospect]] = {}
    for prospect in (
        access.scoped(user, Prospect)
        .filter(organisation__siren__in=sirens)
        .select_related("programme", "organisation")
        .only("id", "stage", "programme__name", "organisation__siren")
    ):
        prospects.setdefault(prospect.organisation.siren, []).append(prospect)
    for unit in units:
        unit.known_organisation = organisations.get(unit.siren)  # type: ignore[attr-defined]
        unit.known_prospects = prospects.get(unit.siren, [])  # type: ignore[attr-defined]
    return units


def imports(user: User) -> QuerySet[RegisterImport]:
    return access.scoped(user, RegisterImport).select_related("requested_by")


def register_state(user: User) -> dict[str, Any]:
    """What the register holds: the last successful import of each file and the number of structures."""
    done = access.scoped(user, RegisterImport).filter(status=RegisterImportStatus.DONE)
    latest = done.filter(kind=OuterRef("kind")).order_by("-finished_at", "-id").values("pk")[:1]
    rows = {row.kind: row for row in done.filter(pk=Subquery(latest))}  # one query for both files
    return {"units_import": rows.get("units"), "establishments_import": rows.get("establishments")}


@dataclass
class PanelRow:
    search: SavedSearch
    new: int
    url: str


def new_structures_panel(user: User) -> dict[str, Any]:
    """For each territory's saved search: how many of the structures it finds the last import brought."""
    latest = latest_units_import()
    searches = list(access.scoped(user, SavedSearch).select_related("territory"))
    first_import = (
        latest is not None
        and not RegisterImport.objects.filter(
            kind="units", status=RegisterImportStatus.DONE, pk__lt=latest.pk
        ).exists()
    )
    rows = []
    if latest is not None:
        for search in searches:
            query = QueryDict(search.query, mutable=True)
            query["new"] = "1"
            filterset = RadarFilter(query, queryset=radar_units(user, capped=False))
            rows.append(
                PanelRow(search=search, new=filterset.qs.count(), url=f"{search.get_absolute_url()}&new=1")
            )
    return {"latest": latest, "rows": rows, "first_import": first_import, "has_searches": bool(searches)}


def autocomplete(user: User, term: str, *, limit: int = 8) -> list[RegisterUnit]:
    """Structures of the register by SIREN (its first digits) or name, for the organisation form."""
    term = term.strip()
    digits = term.replace(" ", "")
    units = access.scoped(user, RegisterUnit)
    if digits.isdigit():
        if len(digits) < 3:
            return []
        return list(units.filter(siren__startswith=digits[:9]).order_by("siren")[:limit])
    if len(term) < 3:
        return []
    return list(name_matches(units, term).order_by("-active", "name")[:limit])


def target_rules() -> tuple[frozenset[str], frozenset[str]]:
    """The legal categories and départements the import keeps: those chosen in the settings of the active
    programmes (« Paramètres du programme »; several programmes: the union of their choices); where no
    programme chose any, the server's SIRENE_LEGAL_CATEGORIES (default: every group's codes) and
    SIRENE_DEPARTEMENTS (empty: every département)."""
    groups: set[str] = set()
    chosen_departements: set[str] = set()
    for chosen_groups, departements in Programme.objects.filter(is_active=True).values_list(
        "register_categories", "register_departements"
    ):
        groups.update(chosen_groups or ())
        chosen_departements.update(departements or ())
    categories = [code for group in sorted(groups) for code in CATEGORY_GROUPS.get(group, ())] or (
        getattr(settings, "SIRENE_LEGAL_CATEGORIES", None) or DEFAULT_CATEGORIES
    )
    departements = chosen_departements or getattr(settings, "SIRENE_DEPARTEMENTS", None) or ()
    return frozenset(categories), frozenset(departements)


#: The public lookup answers at most this many structures.
PUBLIC_LOOKUP_LIMIT = 10


@dataclass
class PublicUnit:
    """What the public lookup says of a structure: the register's own published fields, nothing of Parcours."""

    name: str
    siren: str
    kind: str
    group_label: str
    postcode: str
    town: str


def public_lookup(term: str, *, limit: int = PUBLIC_LOOKUP_LIMIT) -> list[PublicUnit]:
    """The application form's lookup (no login): the register's structures by name or by the first digits
    of a SIREN, three characters at least. The register is public (INSEE, Licence Ouverte) and the import
    keeps only diffusible units; this says no more than the stock file does and nothing Parcours knows:

    - only active units the targets keep anyway (ESS or in the kept legal categories) — the import also keeps
      the ceased or untargeted units of the structures Parcours records, which must not show here;
    - an address only in the kept départements — elsewhere the import keeps the head office of the recorded
      structures alone."""
    term = term.strip()
    digits = term.replace(" ", "")
    categories, departements = target_rules()
    units = RegisterUnit.objects.filter(Q(ess=True) | Q(legal_category__in=categories), active=True)
    if digits.isdigit():
        if len(digits) < 3:
            return []
        found = units.filter(siren__startswith=digits[:9]).order_by("siren")
    elif len(term) < 3:
        return []
    else:
        found = name_matches(units, term).order_by(Upper("name"), "siren")
    rows = found.only("siren", "name", "legal_category", "postcode", "commune", "departement")[:limit]
    return [
        PublicUnit(
            name=unit.name,
            siren=unit.siren,
            kind=kind_for(unit.legal_category),
            group_label=unit.group_label,
            postcode=unit.postcode if placed else "",
            town=unit.commune_name if placed else "",
        )
        for unit in rows
        for placed in [not departements or unit.departement in departements]
    ]


def register_unit(user: User, siren: str) -> RegisterUnit | None:
    return access.scoped(user, RegisterUnit).filter(siren=siren).first()


@dataclass
class RegisterCheck:
    """What the register says about a recorded structure, against what its record says."""

    unit: RegisterUnit | None
    ceased: bool
    address_changed: bool


def organisation_check(user: User, organisation: Organisation) -> RegisterCheck | None:
    """None when the structure has no SIREN or the register has not been imported."""
    if not organisation.siren or latest_units_import() is None:
        return None
    unit = register_unit(user, organisation.siren)
    if unit is None:
        return RegisterCheck(unit=None, ceased=False, address_changed=False)
    moved = bool(unit.postcode or unit.commune) and (
        (organisation.postcode and unit.postcode and organisation.postcode != unit.postcode)
        or (
            organisation.town
            and unit.commune
            and normalise_town(organisation.town) != normalise_town(unit.commune)
        )
    )
    return RegisterCheck(unit=unit, ceased=not unit.active, address_changed=bool(moved))


#: The territory page's section lists this many communes, those with the most ESS structures first.
TOP_COMMUNES = 10


def territory_place(areas: list[Area]) -> Q | None:
    """The register's structures established in a territory's areas (their head office's commune): its
    communes and départements directly, its EPCI and régions through the communes of the administrative list
    (`Area`, which gives each commune its EPCI and région). None when the territory has no area."""
    codes: dict[str, list[str]] = {}
    for area in areas:
        codes.setdefault(area.kind, []).append(area.code)
    if not codes:
        return None
    place = Q(pk__in=[])
    if codes.get(AreaKind.COMMUNE):
        place |= Q(commune_code__in=codes[AreaKind.COMMUNE])
    if codes.get(AreaKind.DEPARTMENT):
        place |= Q(departement__in=[code.zfill(2) for code in codes[AreaKind.DEPARTMENT]])
    groupings = Q(epci_code__in=codes.get(AreaKind.EPCI, [])) | Q(
        region_code__in=codes.get(AreaKind.REGION, [])
    )
    if codes.get(AreaKind.EPCI) or codes.get(AreaKind.REGION):
        place |= Q(commune_code__in=Area.objects.filter(groupings, kind=AreaKind.COMMUNE).values("code"))
    return place


def _departements(areas: list[Area]) -> list[str]:
    """The départements a territory's areas lie in (for the radar's filter), in code order."""
    found = {area.code if area.kind == AreaKind.DEPARTMENT else area.department_code for area in areas}
    return sorted(code.zfill(2) for code in found if code)


def territory_density(user: User, territory: Territory) -> dict[str, Any]:
    """The territory page's section « Structures de l'ESS »: the number of active ESS units established in
    the territory's areas, the communes with the most of them, the last import, and the radar's link
    (through the territory's saved search when it has one, else its départements). Five queries at most."""
    latest = latest_units_import()
    if latest is None:
        return {"latest": None}
    areas = list(territory.areas.only("kind", "code", "department_code"))
    place = territory_place(areas)
    if SavedSearch.objects.filter(territory=territory).exists():
        radar_query = f"territory={territory.pk}&ess=true"
    else:
        departements = _departements(areas)
        radar_query = "ess=true" + (f"&departement={','.join(departements)}" if departements else "")
    result: dict[str, Any] = {
        "latest": latest,
        "has_areas": place is not None,
        "radar_url": f"{reverse('prospects:radar')}?{radar_query}",
        "ess_count": 0,
        "communes": [],
    }
    if place is None:
        return result
    units = access.scoped(user, RegisterUnit).filter(place, active=True, ess=True)
    communes = list(
        units.exclude(commune_code="")
        .values("commune_code")
        .annotate(count=Count("siren"), name=Max("commune"))
        .order_by("-count", "commune_code")
    )
    result["ess_count"] = units.count()
    result["communes"] = communes[:TOP_COMMUNES]
    result["commune_count"] = len(communes)
    return result
