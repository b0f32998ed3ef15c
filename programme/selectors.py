"""Reads on the core records. The caller has resolved the object through programme.access."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from . import access
from .access import TEAM_ROLES
from .identity import folded
from .models import AuditEntry, Cohort, DataVersion, Organisation, Person, Programme, Territory, Theme, User
from .privacy import HOLDERS


def account_language(person_id: int | None) -> str | None:
    """The language a contact chose for their Parcours account (an active one), or None without one: what
    the e-mails written to them use when nothing else says."""
    if person_id is None:
        return None
    return User.objects.filter(person_id=person_id, is_active=True).values_list("language", flat=True).first()


def person_data_export(*, person: Person) -> dict[str, Any]:
    """Everything Parcours holds on a contact record, as plain data (right of access)."""
    return {
        "prénom": person.first_name,
        "nom": person.last_name,
        "e-mail": person.email,
        "téléphone": person.phone,
        "fonction": person.job_title,
        "structure": person.organisation.name if person.organisation else None,
        "consentement": {
            "date": person.consent_date.isoformat() if person.consent_date else None,
            "base légale": person.get_consent_basis_display(),
            "source": person.consent_source,
        },
        "créé le": person.created_at.isoformat(),
        "modifié le": person.updated_at.isoformat(),
        # What the higher apps hold on the contact (the applications to a call…): programme/privacy.py.
        **{key: holder.export(person) for key, holder in HOLDERS.items() if holder.export is not None},
    }


def account_data_export(*, user: User) -> dict[str, Any]:
    """A user's own account, as plain data (right of access)."""
    return {
        "e-mail": user.email,
        "prénom": user.first_name,
        "nom": user.last_name,
        "rôle": user.get_role_display(),
        "structure": user.organisation.name if user.organisation else None,
        "inscrit le": user.date_joined.isoformat(),
        "dernière connexion": user.last_login.isoformat() if user.last_login else None,
        "récapitulatif des échéances": user.digest_enabled,
        "lien d’agenda actif": bool(user.calendar_token),
    }


def audit_data_export(*, user: User, limit: int = 1000) -> list[dict[str, str]]:
    """What the user did, from the audit trail (oldest first)."""
    return [
        {"date": e.created_at.isoformat(), "action": e.action, "objet": e.object_repr}
        for e in AuditEntry.objects.filter(actor=user).order_by("created_at")[:limit]
    ]


# --- Filter menus -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What a page's filters offer: every programme, promotion, territory and theme (archived ones too: a
    dashboard looks back, a list filters on old rows), in their usual order, and the team's members when
    asked for (`filter_choices(team=True)`: who follows a prospect)."""

    programmes: list[Programme]
    cohorts: list[Cohort]
    territories: list[Territory]
    themes: list[Theme]
    #: The data version read with them (`programme.dataversion`): what the dashboard's figures are cached on.
    version: int = 0
    team: list[User] = field(default_factory=list)

    def programme(self, raw: str) -> Programme | None:
        """The programme asked for by its id, else the default one (as `selectors.default_programme`)."""
        chosen = next((p for p in self.programmes if str(p.pk) == raw), None) if raw.isdigit() else None
        return chosen or (self.programmes[0] if self.programmes else None)

    def cohorts_of(self, programme: Programme | None) -> list[Cohort]:
        return [c for c in self.cohorts if programme is not None and c.programme_id == programme.pk]


#: The last menus read with `shared=True`, per database and `team`, with the rows they were made of.
_SHARED_CHOICES: dict[tuple[str, bool, bool], tuple[list[tuple[Any, ...]], FilterChoices]] = {}


def filter_choices(
    *, team: bool = False, shared: bool = False, former: "Callable[[str], str] | None" = None
) -> FilterChoices:
    """The menus of a page's filters in one query: a UNION ALL of four small tables (and of the team's
    active members with `team`), each row tagged with its table, ordered as each model orders itself
    (programmes: active first, then by name; promotions: by programme in that order, then latest year
    first; territories and themes by name; members by first and last name; namesakes by id), and the
    data version. `former(users_table)`: an SQL condition on a member row (the caller's, from its own tables)
    under which a closed account is listed too, marked inactive (the former members who still follow
    prospects). `shared`: for a caller that only reads the objects (a list's menus): when the statement
    returns the same rows as last time in this process, the same objects are returned, not made again.
    Programmes are not scoped (see `evaluation.selectors.default_programme`), nor are these reference
    lists."""
    tables = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (Programme, Cohort, Territory, Theme, DataVersion, User)
    }
    # Table names from the models, the roles from the code: no outside input.
    # Columns: kind, id, name (a member's first name), is_active, programme_id, year, start_date, rank (the
    # programmes' order), a member's last name and e-mail.
    members = (
        f"UNION ALL SELECT 6, id, first_name, is_active, NULL, NULL, NULL, 0, last_name, email "  # noqa: S608
        f"FROM {tables[User]} WHERE ({'is_active' + (f' OR {former(tables[User])}' if former else '')}) "
        f"AND role IN ({', '.join(f"'{r}'" for r in TEAM_ROLES)}) "
        if team
        else ""
    )
    sql = (
        f"SELECT 1, id, name, is_active, NULL, NULL, start_date, CASE WHEN is_active THEN 1 ELSE 0 END, "  # noqa: S608
        f"NULL, NULL FROM {tables[Programme]} "
        f"UNION ALL SELECT 2, id, name, is_active, programme_id, year, NULL, 0, NULL, NULL FROM {tables[Cohort]} "
        f"UNION ALL SELECT 3, id, name, is_active, NULL, NULL, NULL, 0, NULL, NULL FROM {tables[Territory]} "
        f"UNION ALL SELECT 4, id, name, is_active, NULL, NULL, NULL, 0, NULL, NULL FROM {tables[Theme]} "
        f"UNION ALL SELECT 5, value, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL FROM {tables[DataVersion]} "
        f"{members}ORDER BY 1, 8 DESC, 6 DESC, 3, 9, 2"
    )
    models: dict[int, type[Any]] = {1: Programme, 2: Cohort, 3: Territory, 4: Theme, 6: User}
    lists: dict[int, list[Any]] = {kind: [] for kind in models}
    version = 0
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    key = (connection.settings_dict["NAME"], team, former is not None)
    if shared and (last := _SHARED_CHOICES.get(key)) is not None and last[0] == rows:
        return last[1]
    for kind, pk, name, is_active, programme_id, year, start_date, _rank, last_name, email in rows:
        if kind == 5:
            version = pk
            continue
        fields: dict[str, Any] = {"id": pk, "name": name, "is_active": bool(is_active)}
        if kind == 1:
            fields["start_date"] = (
                date.fromisoformat(start_date) if isinstance(start_date, str) else start_date
            )
        elif kind == 2:
            fields.update(programme_id=programme_id, year=year)
        elif kind == 6:
            fields = {
                "id": pk,
                "first_name": name,
                "last_name": last_name,
                "email": email,
                "is_active": bool(is_active),
            }
        model = models[kind]
        # from_db wants the values in the model's field order; the fields not read stay deferred.
        names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]
        lists[kind].append(model.from_db("default", names, [fields[n] for n in names]))
    # Promotions by programme, in the programmes' order (the sort keeps each programme's years in order).
    rank = {programme.pk: index for index, programme in enumerate(lists[1])}
    cohorts = sorted(lists[2], key=lambda cohort: rank.get(cohort.programme_id, len(rank)))
    choices = FilterChoices(lists[1], cohorts, lists[3], lists[4], version, lists[6])
    if shared:
        _SHARED_CHOICES[key] = (rows, choices)
    return choices


# --- The search menus (programme.forms.SearchSelect) ---------------------------------------------------------

#: How many matches a search menu offers, the first ones by name.
CHOICES_SHOWN = 30


def organisation_search(queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """The structures whose name or town holds `text` (accents, case and hyphens aside), or whose SIREN or
    SIRET starts with its digits: the structures list's search and the search menus'."""
    digits = text.replace(" ", "")
    condition = Q(search_text__contains=folded(text))
    if digits.isdigit():
        condition |= Q(siren__startswith=digits[:9]) | Q(siret__startswith=digits)
    return queryset.filter(condition)


def person_search(queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    """The contacts whose name or e-mail holds `text` (accents, case and hyphens aside)."""
    return queryset.filter(search_text__contains=folded(text))


@dataclass
class Choices:
    """What a search menu offers: the first CHOICES_SHOWN matches, and whether there are more."""

    objects: list[Any]
    more: bool = False
    searched: bool = False  # a text was typed (else nothing is offered)


def search_choices(
    rows: QuerySet[Any], text: str, search: Callable[[QuerySet[Any], str], QuerySet[Any]]
) -> Choices:
    """The first CHOICES_SHOWN of `rows` (ordered, scoped) that `search` keeps for `text`; nothing before a
    text is typed."""
    text = text.strip()[:100]
    if not text:
        return Choices([])
    found = list(search(rows, text)[: CHOICES_SHOWN + 1])
    return Choices(found[:CHOICES_SHOWN], more=len(found) > CHOICES_SHOWN, searched=True)


def menu_organisations(user: User) -> QuerySet[Organisation]:
    """The structures a menu may offer the user, by name."""
    return access.scoped(user, Organisation).order_by("name", "pk")


def menu_people(user: User) -> QuerySet[Person]:
    """The contacts a menu may offer the user (not anonymised), by name, with their structure."""
    return (
        access.scoped(user, Person)
        .filter(anonymised_at__isnull=True)
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )
