"""French organisation identifiers: SIREN/SIRET (checked by python-stdnum, which knows La Poste's SIRET
rule), RNA, the printed form of SIREN/SIRET, the normalised name used for dedupe and the folded text a
search compares."""

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import siren, siret


def digits_only(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siren(value: str) -> None:
    number = digits_only(value)
    if not re.fullmatch(r"[0-9]{9}", number):
        raise ValidationError(_("Le SIREN doit comporter exactement 9 chiffres."), code="siren_format")
    if not number.strip("0"):
        # Passes the Luhn check, yet names no one: the placeholder of a form filled in a hurry.
        raise ValidationError(_("Un SIREN ne peut pas être composé uniquement de zéros."), code="siren_zeros")
    try:
        siren.validate(number)
    except InvalidChecksum:
        raise ValidationError(_("Ce SIREN n’est pas valide (clé de contrôle incorrecte)."), code="siren_luhn")


def validate_siret(value: str) -> None:
    number = digits_only(value)
    if not re.fullmatch(r"[0-9]{14}", number):
        raise ValidationError(_("Le SIRET doit comporter exactement 14 chiffres."), code="siret_format")
    if not number[:9].strip("0"):
        raise ValidationError(
            _("Un SIRET ne peut pas commencer par un SIREN composé uniquement de zéros."), code="siret_zeros"
        )
    try:
        siret.validate(number)  # La Poste's establishments (SIREN 356000000) follow a digit-sum rule
    except InvalidChecksum:
        raise ValidationError(_("Ce SIRET n’est pas valide (clé de contrôle incorrecte)."), code="siret_luhn")


def format_identifier(value: str | None) -> str:
    """SIREN as "732 829 320", SIRET as "732 829 320 00074", the way they are printed in France — as
    python-stdnum's `format` prints them, written out here: a list prints fifty, and stdnum's cleaning of
    an already clean number cost 0.15 ms a page."""
    text = str(value or "")
    digits = text if text.isdigit() else "".join(c for c in text if c.isdigit())
    if len(digits) == 9:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if len(digits) == 14:
        return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"
    return value or ""


def validate_rna(value: str) -> None:
    if not re.fullmatch(r"W\d{9}", (value or "").strip().upper()):
        raise ValidationError(
            _("Le numéro RNA doit commencer par W suivi de 9 chiffres (ex. W691234567)."),
            code="rna_format",
        )


_LEGAL_WORDS = re.compile(r"\b(association|asso|sas|sarl|sa|scop|scic|sci|eurl|sasu|cooperative|coop)\b")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Lower-case, accents and punctuation removed, legal-form words dropped, spaces collapsed."""
    text = name or ""
    if not text.isascii():  # ASCII has no accent to take off (an import calls this for every row)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_WORD.sub(" ", text.lower())
    text = _LEGAL_WORDS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def folded(text: str) -> str:
    """What a search compares: lower case, accents off, the typographic apostrophe straight, « œ » as « oe »,
    a hyphen as a space — « Énergies », « energies » and « ÉNERGIES » read the same, « saint etienne » finds
    « Saint-Étienne », on PostgreSQL as on SQLite (whose LIKE ignores the case of ASCII letters only). A search
    folds the stored text (`search_key`) and the typed one alike."""
    text = (text or "").lower().replace("-", " ")
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in text if not unicodedata.combining(c))


def search_key(*texts: str) -> str:
    """The stored text a search by name or town reads (`Organisation.search_text`): each text folded, one per
    line, so that a search matches within one of them."""
    return "\n".join(folded(text) for text in texts)


def normalise_town(town: str) -> str:
    text = normalise_name(town)
    return re.sub(r"\bst\b", "saint", text.replace(" ", "-")).replace("-", " ")


#: The legal categories (INSEE nomenclature « catégories juridiques », level III) the radar names in words.
#: SCIC have no code of their own: they are registered as « Autre SARL coopérative » (5460), « Autre SA
#: coopérative » (5560, 5660) or as an SAS (5710), hence under « Coopérative » or « Autre forme ».
LEGAL_CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "association": ("9210", "9220", "9221", "9222", "9223", "9230", "9260"),
    "scop": ("5458", "5558", "5658"),
    "cooperative": (
        "5443",
        "5451",
        "5453",
        "5454",
        "5455",
        "5459",
        "5460",
        "5543",
        "5547",
        "5551",
        "5552",
        "5553",
        "5554",
        "5555",
        "5559",
        "5560",
        "5643",
        "5647",
        "5651",
        "5652",
        "5653",
        "5654",
        "5655",
        "5659",
        "5660",
        "6316",
        "6317",
        "6318",
        "6543",
        "6551",
        "6554",
        "6560",
    ),  # fmt: skip
    "mutuelle": ("6411", "8210", "8250", "8290"),
    "fondation": ("9300",),
}

LEGAL_GROUP_LABELS = {
    "association": _("Association"),
    "scop": _("SCOP"),
    "cooperative": _("Coopérative (dont SCIC)"),
    "mutuelle": _("Mutuelle"),
    "fondation": _("Fondation"),
    "other": _("Autre forme"),
}


class DerivedColumns:
    """A model mixin: its derived columns (search keys, folded names) are set by `fill_derived()` before
    every save. A bulk insert skips save(): its caller calls `fill_derived()` on each row itself."""

    #: Each model sets its own derived columns (and returns itself, for a bulk insert's list).
    fill_derived: Callable[[], object]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        super().save(*args, **kwargs)  # type: ignore[misc]


#: The largest id a row can have (a 64-bit signed integer, on both databases).
MAX_ID = 2**63 - 1


def row_id(value: object) -> int | None:
    """`value` as a row's id when it can be one (digits, 1 to MAX_ID), else None: a larger number is no row's
    id, and SQLite's driver cannot even compare it (an OverflowError, a 500)."""
    text = str(value)
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
