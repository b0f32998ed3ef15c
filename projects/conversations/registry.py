"""What a thread may hang on. Each kind of target is registered once, with how it is reached: the
project's own thread, its deliverables and actions are registered here; the evaluation app registers
its measurements from `EvaluationConfig.ready()` (projects never names a higher app).

`key` is the URL segment (`/projets/discussion/<key>/<id>/`). A partner sees a target's thread where
their portal shows them the target (`partner_scope`, the model's portal rule by default)."""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programme import access

from ..models import Action, Deliverable, Project


@dataclass(frozen=True)
class Target:
    key: str
    model: type[Model]
    #: « le livrable » …: what the e-mails and the thread's heading call it.
    label: Promise | str
    #: The project the object belongs to (by default its `project`).
    project_of: Callable[[Any], Project] = attrgetter("project")
    #: The team's page of the object, by default its thread page (the partner's page is registered by the
    #: portal: `PORTAL_PAGES`).
    staff_url: Callable[[Any], str] | None = None
    #: The team member answerable for the object (told of a partner's comment), if any.
    team_owner_id: Callable[[Any], int | None] = lambda obj: None
    #: The objects of the model a partner handles in their portal (and so whose thread they see).
    partner_scope: Callable[[Any, type[Model]], QuerySet[Any]] = access.portal_scoped
    #: Related rows to fetch with the object.
    related: tuple[str, ...] = ()
    #: The project page's tab the team's thread page sits under.
    tab: str = "overview"
    #: The object's title on the thread page.
    title: Callable[[Any], str] = str

    def staff_page(self, obj: Any) -> str:
        if self.staff_url is not None:
            return self.staff_url(obj)
        return reverse("projects:comment.list", args=[self.key, obj.pk])


TARGETS: dict[str, Target] = {}
#: The partner's page of each kind of target, registered by the portal (a higher app) in its `ready()`.
PORTAL_PAGES: dict[str, Callable[[Any], str]] = {}


def register_target(target: Target) -> None:
    TARGETS[target.key] = target


def register_portal_page(key: str, url: Callable[[Any], str]) -> None:
    PORTAL_PAGES[key] = url


def page_url(user: Any, obj: Model | Project) -> str:
    """Where `user` reads the thread of `obj`: the team's page, or the partner's portal page."""
    key = key_of(obj)
    if access.is_team(user):
        return TARGETS[key].staff_page(obj)
    page = PORTAL_PAGES.get(key)
    return page(obj) if page is not None else reverse("home")


def target_for_model(model: type[Model]) -> Target:
    for target in TARGETS.values():
        if target.model is model:
            return target
    raise LookupError(f"{model.__name__} has no conversation thread")


def key_of(obj: Model | None) -> str:
    return "project" if obj is None or isinstance(obj, Project) else target_for_model(type(obj)).key


def visible(user: Any, target: Target) -> QuerySet[Any]:
    """The objects of `target`'s kind whose thread `user` reads: everything visible for the team, what
    the portal shows for a partner."""
    if access.is_team(user):
        return access.scoped(user, target.model)
    return target.partner_scope(user, target.model)


def resolve(user: Any, key: str, object_id: int) -> tuple[Project, Model | None]:
    """The project and the object (None for the project's own thread) of a thread URL; 404 for an
    unknown kind or an object the user may not read."""
    target = TARGETS.get(key)
    if target is None:
        raise Http404
    queryset = visible(user, target)
    if target.related:
        queryset = queryset.select_related(*target.related)
    obj = access.get_for_user_or_404(queryset, pk=object_id)
    if isinstance(obj, Project):
        return obj, None
    return target.project_of(obj), obj


def _project_scope(user: Any, model: type[Model]) -> QuerySet[Any]:
    return access.scoped(user, model)


register_target(
    Target(
        key="project",
        model=Project,
        label=_("le projet"),
        project_of=lambda project: project,
        staff_url=lambda project: reverse("projects:project.detail", args=[project.pk]),
        partner_scope=_project_scope,
    )
)
register_target(
    Target(
        key="deliverable",
        model=Deliverable,
        label=_("le livrable"),
        team_owner_id=attrgetter("owner_user_id"),
        related=("project",),
        tab="deliverables",
    )
)
register_target(
    Target(
        key="action",
        model=Action,
        label=_("l’action"),
        team_owner_id=attrgetter("owner_user_id"),
        related=("project",),
        tab="governance",
    )
)
