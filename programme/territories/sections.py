"""The territory page's sections that higher apps provide (its projects and indicators, its action-research,
its events, the density of its register…): each is a view of its own app, registered here from that app's
`AppConfig.ready()` and loaded into the page by URL (`hx-get`, `hx-trigger="load"`), so this package never
names a higher app. A package that is not installed simply registers nothing."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from programme import access

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Section:
    """`url_name` takes the territory's pk (`pk`); `partners`: shown to a local partner given access (the
    section's own view still checks who reads it); `order`: the place on the page, smallest first."""

    key: str
    url_name: str
    label: "StrOrPromise"
    order: int = 100
    partners: bool = False


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    """Add (or replace, by key: a second ready() changes nothing) a section of the territory page."""
    SECTIONS[:] = [s for s in SECTIONS if s.key != section.key]
    SECTIONS.append(section)
    SECTIONS.sort(key=lambda s: (s.order, s.key))


def sections_for(user: Any, territory_pk: int) -> list[dict[str, Any]]:
    """The sections `user` sees on a territory's page, each with its URL."""
    team = access.is_team(user)
    return [
        {"key": s.key, "label": s.label, "url": reverse(s.url_name, kwargs={"pk": territory_pk})}
        for s in SECTIONS
        if team or s.partners
    ]
