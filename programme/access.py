"""One place decides access.

Every view gets its objects through these functions. The programme team (staff and directors) sees
everything in the programme; a partner sees only the projects whose collective currently includes their
organisation, and within them only what is shared with the collective. Outsiders get 404 — never 403,
never the object.

Higher apps' models are looked up lazily with `apps.get_model` so this module stays at the bottom of the
import graph (`evaluation` → `projects` → `prospects` → `programme`).
"""

from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Organisation, Person, Role, User


def is_team(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in (Role.STAFF, Role.DIRECTOR))


def is_director(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.DIRECTOR)


def is_partner(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.PARTNER
        and user.organisation_id is not None
    )


def _role_required(check: Callable[[User], bool]):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
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


def active_membership_q(prefix: str = "") -> Q:
    """Memberships in force today: joined (or no date) and not left."""
    today = timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": today})


# --- Core records -----------------------------------------------------------------------------


def organisations_for(user) -> QuerySet[Organisation]:
    if is_team(user):
        return Organisation.objects.all()
    if is_partner(user):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def people_for(user) -> QuerySet[Person]:
    if is_team(user):
        return Person.objects.all()
    if is_partner(user):
        return Person.objects.filter(organisation_id=user.organisation_id, anonymised_at__isnull=True)
    return Person.objects.none()


# --- Prospects (staff only) ---------------------------------------------------------------------


def prospects_app_qs(user, model_name: str) -> QuerySet:
    """Anything in the prospects app: team only. Partners never see prospects or interview scores."""
    model = apps.get_model("prospects", model_name)
    return model.objects.all() if is_team(user) else model.objects.none()


# --- Projects -------------------------------------------------------------------------------------


def partner_project_ids(user) -> QuerySet:
    """Ids of the projects whose collective currently includes the partner's organisation."""
    Membership = apps.get_model("projects", "Membership")
    return (
        Membership.objects.filter(organisation_id=user.organisation_id)
        .filter(active_membership_q())
        .values("project_id")
    )


def projects_for(user) -> QuerySet:
    Project = apps.get_model("projects", "Project")
    if is_team(user):
        return Project.objects.all()
    if is_partner(user):
        return Project.objects.filter(pk__in=partner_project_ids(user))
    return Project.objects.none()


def project_children_for(
    user, model: type[Model], *, project_field: str = "project", shared_field: str | None = None
) -> QuerySet:
    """Rows that hang off a project. Partners see those of their projects, and only the shared ones
    when the model has a "shared with the collective" flag (`shared_field`)."""
    if is_team(user):
        return model.objects.all()
    if is_partner(user):
        qs = model.objects.filter(**{f"{project_field}__in": partner_project_ids(user)})
        if shared_field:
            qs = qs.filter(**{shared_field: True})
        return qs
    return model.objects.none()


def get_for_user_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already-scoped queryset; outsiders get 404."""
    return get_object_or_404(queryset, **lookup)
