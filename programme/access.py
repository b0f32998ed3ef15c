"""One place decides access.

Every view gets its objects through this module. The programme team (staff and directors) sees
everything in the programme; a partner sees only the projects whose collective currently includes their
organisation, and within them only what is shared with the collective. Outsiders get 404 — never 403,
never the object.

How a model is reached is declared on the model itself, as data this module reads: a class attribute
`access_rule` (what a person may read) and, for what partners handle in their portal, `portal_rule`. Both
are instances of the rules below; `scoped(user, Model)` and `portal_scoped(user, Model)` are the only
functions that apply them. This keeps the module at the bottom of the import graph (`evaluation` →
`projects` → `prospects` → `programme`): it never names a higher app's model, the model names its rule.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import User

View = Callable[..., HttpResponseBase]


class AuthedRequest(HttpRequest):
    """The request of a page behind login (every page but the few `@login_not_required` ones): its user
    is an account, never `AnonymousUser`; `htmx` is set on every request by django-htmx's middleware.
    For type checking only; views annotate `request` with it."""

    user: "User"
    htmx: "HtmxDetails"


TEAM_ROLES = ("staff", "director")


def is_team(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in TEAM_ROLES)


def team_member() -> "User":
    """An unsaved member of the programme team standing for all of them: what a statement compiled once per
    process for the team is built for (`programme.batch.Prepared`, `PreparedModels`). `scoped` gives every
    team member the same rows; if access ever came to depend on which member reads, those statements would
    need a shape per member."""
    from .models import Role, User

    return User(role=Role.STAFF, is_active=True)


def is_director(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "director")


def is_partner(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == "partner"
        and user.organisation_id is not None
    )


def _role_required(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


#: Pages of the programme team (staff and directors). Anyone else gets 404.
team_required = _role_required(is_team)
#: Decisions reserved to directors (gates, selection). Anyone else gets 404.
director_required = _role_required(is_director)
#: Partner portal pages. Anyone else gets 404.
partner_required = _role_required(is_partner)


#: The day memberships are judged on, when not today (`as_of`).
_AS_OF: ContextVar[date | None] = ContextVar("access_as_of", default=None)


@contextmanager
def as_of(day: date) -> Iterator[None]:
    """Build querysets judging memberships on `day` instead of today: a statement compiled once with a
    stand-in day (`programme.batch.Prepared`), its date moved to each request's."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def active_membership_q(prefix: str = "") -> Q:
    """Memberships in force today (or on the day of `as_of`): joined (or no date) and not left."""
    today = _AS_OF.get() or timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": today})


# --- Rules, declared on the models -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamOnly:
    """The programme team reads every row; partners none (prospects, interview scores…)."""


@dataclass(frozen=True)
class OwnOrganisation:
    """A partner reads the rows of their own organisation: `path` leads from the row to it."""

    path: str
    partner_q: Q | None = None
    distinct: bool = False  # where the path is a to-many (an event's registrations, say)


@dataclass(frozen=True)
class ThroughProject:
    """Rows hanging off a project. `path` leads from the row to its project (`"pk"` for a project
    itself). Partners read the rows of their current projects, only the shared ones when `shared_field`
    is set, narrowed further by `partner_q(user)` when given; `distinct` where the path is a to-many."""

    path: str = "project"
    shared_field: str | None = None
    partner_q: Callable[[Any], Q] | None = None
    distinct: bool = False


@dataclass(frozen=True)
class Granted:
    """Rows a partner was given explicitly, person by person (a territory's page for its local partners):
    `partner_q(user)` selects them; the team reads every row."""

    partner_q: Callable[[Any], Q]
    distinct: bool = False


Rule = TeamOnly | OwnOrganisation | ThroughProject | Granted
NOTHING = Q(pk__in=[])


def partner_project_ids(user: Any) -> "QuerySet[Any, Any]":
    """Ids of the projects whose collective currently includes the partner's organisation: the memberships
    are read through the organisation's reverse relation, so this module never names the projects app."""
    from .models import Organisation

    organisation = Organisation(pk=user.organisation_id)
    return organisation.memberships.filter(active_membership_q()).values("project_id")


def _apply[M: Model](user: Any, model: type[M], rule: Rule) -> QuerySet[M]:
    manager = model._default_manager
    if is_team(user):
        return manager.all()
    if not is_partner(user) or isinstance(rule, TeamOnly):
        return manager.none()
    if isinstance(rule, Granted):
        qs = manager.filter(rule.partner_q(user))
        return qs.distinct() if rule.distinct else qs
    if isinstance(rule, OwnOrganisation):
        qs = manager.filter(**{rule.path: user.organisation_id})
        qs = qs.filter(rule.partner_q) if rule.partner_q is not None else qs
        return qs.distinct() if rule.distinct else qs
    qs = manager.filter(**{f"{rule.path}__in": partner_project_ids(user)})
    if rule.shared_field:
        qs = qs.filter(**{rule.shared_field: True})
    if rule.partner_q is not None:
        qs = qs.filter(rule.partner_q(user))
    return qs.distinct() if rule.distinct else qs


def scoped[M: Model](user: Any, model: type[M]) -> QuerySet[M]:
    """The rows of `model` that `user` may read, by the model's `access_rule`."""
    return _apply(user, model, model.access_rule)  # type: ignore[attr-defined]


def portal_scoped[M: Model](user: Any, model: type[M]) -> QuerySet[M]:
    """What a partner handles in the portal, by the model's `portal_rule` (narrower than what the
    collective may read: the deliverables assigned to their organisation, the actions they own…).
    Nobody but a partner handles anything there."""
    if not is_partner(user):
        return model._default_manager.none()
    return _apply(user, model, model.portal_rule)  # type: ignore[attr-defined]


def get_for_user_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from an already-scoped queryset; outsiders get 404."""
    return get_object_or_404(queryset, **lookup)
