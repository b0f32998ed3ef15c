"""The placeholders a template or a message may hold — one fixed list, in one place.

Text typed by people is never rendered as template code: `{{ structure }}` and its kin are replaced by a
regular expression, so `{% … %}`, filters or attribute lookups mean nothing here. A placeholder that is not in
the list is refused (when a template is saved and when a message is sent), with the list of those known."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: `{{ name }}`, spaces optional inside the braces; the name is whatever is between them.
PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: Promise
    example: str


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("structure", _("le nom de la structure"), "Les Ateliers du Rhône"),
    Placeholder("contact", _("le prénom et le nom du contact"), "Camille Martin"),
    Placeholder("prenom", _("le prénom du contact"), "Camille"),
    Placeholder("programme", _("le nom du programme d’accompagnement"), "Programme ESS 2027"),
    Placeholder("projet", _("le titre du projet (ou l’idée de projet du prospect)"), "Cantine solidaire"),
    Placeholder("expediteur", _("votre prénom et votre nom"), "Sophie Durand"),
    Placeholder(
        "entretien",
        _("la date et l’heure de l’entretien planifié avec le prospect"),
        "mardi 12 janvier 2027 à 14 h 00",
    ),
)
KNOWN = {p.name: p for p in PLACEHOLDERS}


def known_list() -> str:
    return ", ".join(f"{{{{ {name} }}}}" for name in KNOWN)


def used(*texts: str) -> list[str]:
    """The placeholder names the texts use, in order of first appearance."""
    names: dict[str, None] = {}
    for text in texts:
        for match in PATTERN.finditer(text or ""):
            names.setdefault(match.group(1), None)
    return list(names)


def unknown(*texts: str) -> list[str]:
    return [name for name in used(*texts) if name not in KNOWN]


def unknown_message(names: Iterable[str]) -> str:
    shown = ", ".join(f"{{{{ {name} }}}}" for name in names)
    return gettext(
        "Champ inconnu : %(names)s. Les champs possibles sont : %(known)s. Rien n’a été enregistré ni envoyé."
    ) % {"names": shown, "known": known_list()}


def check(text: str) -> None:
    """Refuse a text holding an unknown placeholder (a field's clean method calls it)."""
    names = unknown(text)
    if names:
        raise ValidationError(unknown_message(names), code="unknown_placeholder")


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the placeholders by their values. Every name must be known and have a value: the callers
    check first (`missing`), so a KeyError here is a bug, not a message."""
    return PATTERN.sub(lambda match: values[match.group(1)], text)


def missing(values: Mapping[str, str], *texts: str) -> list[str]:
    """The known placeholders the texts use that have no value for this recipient."""
    return [name for name in used(*texts) if name in KNOWN and not values.get(name)]


def examples() -> dict[str, str]:
    return {p.name: p.example for p in PLACEHOLDERS}
