"""The URL × role access matrix, shared by every app.

Each app lists its URLs in `tests/<app>/access_cases.py` as `CASES = [Case(...), ...]`. The matrix test
(tests/test_access_matrix.py) walks every case as every role, and fails when a URL pattern of ours has no
case — so a new URL cannot ship without saying who may see it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "staff", "director", "partner_a", "partner_b")

LOGIN = "login"  # expected value meaning: redirected to the login page

#: Programme team pages: staff and directors in, partners 404, anonymous to login.
TEAM = {"anonymous": LOGIN, "staff": 200, "director": 200, "partner_a": 404, "partner_b": 404}
#: Director-only decisions.
DIRECTOR = {"anonymous": LOGIN, "staff": 404, "director": 200, "partner_a": 404, "partner_b": 404}
#: Any signed-in user.
SIGNED_IN = {"anonymous": LOGIN, "staff": 200, "director": 200, "partner_a": 200, "partner_b": 200}
#: An object of partner A's project: A and the team see it, B gets 404.
PARTNER_A_OBJECT = {
    "anonymous": LOGIN,
    "staff": 200,
    "director": 200,
    "partner_a": 200,
    "partner_b": 404,
}
#: Partner portal pages: partners in, the team 404.
PARTNERS = {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 200, "partner_b": 200}
#: Public pages.
PUBLIC = dict.fromkeys(ROLES, 200)
#: Pages nobody may open (an unknown token, say).
EVERYONE_404 = dict.fromkeys(ROLES, 404)
#: Behind login, but 404 for every signed-in user (an unknown object, say).
NOBODY = {**EVERYONE_404, "anonymous": LOGIN}
#: A team POST that redirects on success; partners still 404.
TEAM_REDIRECT = {**TEAM, "staff": 302, "director": 302}


@dataclass
class Case:
    name: str  # "namespace:url.name"
    expected: dict[str, Any]
    kwargs: Callable[[Any], dict] = field(default=lambda world: {})
    method: str = "get"
    data: Callable[[Any], dict] | None = None
    query: str = ""
    # Text that belongs to partner A's world and must never appear in a body served to partner B.
    secret: Callable[[Any], str] | None = None
    id: str = ""

    def with_overrides(self, **expected) -> "Case":
        return Case(**{**self.__dict__, "expected": {**self.expected, **expected}})

    @property
    def label(self) -> str:
        return self.id or f"{self.method}:{self.name}"


def pk_of(build: Callable[[Any], Any]) -> Callable[[Any], dict]:
    """URL kwargs `{"pk": ...}` of what `build(world)` creates."""
    return lambda world: {"pk": build(world).pk}


def of_project_a(factory: Callable[..., Any]) -> Callable[[Any], dict]:
    """URL kwargs `{"pk": ...}` of a new `factory` record of project A."""
    return pk_of(lambda world: factory(project=world.project_a))


def invalid_post(name: str, expected: dict[str, Any], **options) -> Case:
    """The URL's form posted empty: the team gets it back with errors (the expected codes say how)."""
    return Case(
        name,
        expected,
        method="post",
        data=lambda world: {},
        id=f"post:{name.partition(':')[2] or name} (invalid)",
        **options,
    )


# URL trees that are not ours to police: allauth (its own views, login-protected where it matters),
# the Django admin (is_staff), language switching and static files.
EXTERNAL_PREFIXES = ("accounts/", "admin/", "i18n/", "static/")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(EXTERNAL_PREFIXES):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def our_url_patterns() -> dict[str, URLPattern]:
    """Every named URL pattern of ours, by its dotted name ("namespace:name")."""
    return dict(_walk(get_resolver().url_patterns))


def all_cases() -> list[Case]:
    import importlib

    cases: list[Case] = []
    for app in ("programme", "prospects", "projects", "evaluation", "reports", "portal"):
        try:
            module = importlib.import_module(f"tests.{app}.access_cases")
        except ModuleNotFoundError as error:
            if error.name not in (f"tests.{app}", f"tests.{app}.access_cases"):
                raise
            continue
        cases.extend(module.CASES)
    return cases
