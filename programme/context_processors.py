from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .access import is_director, is_partner, is_team
from .models import User

# (role, label, url name): every entry's URL exists; a missing one is an error, not a dropped entry.
_NAV = [
    ("director", _("Tableau de bord"), "evaluation:dashboard"),
    ("team", _("Accueil"), "home"),
    ("team", _("Prospects"), "prospects:prospect.list"),
    ("team", _("Projets"), "projects:project.list"),
    ("team", _("Événements"), "prospects:event.list"),
    ("team", _("Structures"), "programme:organisation.list"),
    ("team", _("Contacts"), "programme:person.list"),
    ("team", _("E-mails"), "projects:mailing.sent"),
    ("team", _("Territoires"), "territories:list"),
    ("team", _("Évaluation"), "evaluation:home"),
    ("team", _("Rapports"), "evaluation:report.list"),
    ("team", _("Invitations"), "programme:invitation.list"),
    ("director", _("Paramètres"), "setup:index"),
    ("partner", _("Mon projet"), "portal:home"),
    ("partner", _("Ma structure"), "portal:organisation"),
    ("partner", _("Événements"), "portal:events"),
    ("partner", _("Rapports partagés"), "evaluation:report.list"),
    ("partner", _("Territoires"), "territories:list"),
]


_urls: dict[tuple[str, str], str] = {}


def _url(name: str) -> str:
    """The entry's URL, reversed once per process (and URL prefix): every page draws the sidebar."""
    key = (name, get_script_prefix())
    if key not in _urls:
        _urls[key] = reverse(name)
    return _urls[key]


def _navigation_for(user: User) -> list[dict[str, Any]]:
    checks = {"team": is_team(user), "director": is_director(user), "partner": is_partner(user)}
    return [{"label": label, "url": _url(name), "name": name} for role, label, name in _NAV if checks[role]]


def _mark_active(items: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    # The longest matching prefix wins, so "/" (home) is active only on the home page itself.
    best = max(
        (i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))),
        key=lambda i: len(i["url"]),
        default=None,
    )
    return [{**i, "active": i is best} for i in items]


def in_section(request: HttpRequest, at: str) -> None:
    """Have the sidebar (this context processor) mark the item for `at` (a path) active on the page the
    request renders: for a page that belongs to another section than its URL says (a project's Évaluation
    tab, under /evaluation/), without working the sidebar out twice."""
    request.nav_at = at  # type: ignore[attr-defined]


def navigation(request: HttpRequest, *, at: str | None = None) -> dict[str, Any]:
    """The sidebar, its item for `at` (a path; default: the one `in_section` set, else the request's)
    marked active."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = at or str(getattr(request, "nav_at", "") or request.path)
    return {"nav_items": _mark_active(_navigation_for(user), path)}
