"""French organisation identifiers: SIREN/SIRET (Luhn), RNA, and the normalised name used for dedupe."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's SIRET numbers (SIREN 356000000) do not follow Luhn; they use a digit-sum rule instead.
LA_POSTE_SIREN = "356000000"


def digits_only(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_siren(value: str) -> None:
    number = digits_only(value)
    if not re.fullmatch(r"\d{9}", number):
        raise ValidationError(_("Le SIREN doit comporter exactement 9 chiffres."), code="siren_format")
    if not luhn_ok(number):
        raise ValidationError(_("Ce SIREN n'est pas valide (clé de contrôle incorrecte)."), code="siren_luhn")


def validate_siret(value: str) -> None:
    number = digits_only(value)
    if not re.fullmatch(r"\d{14}", number):
        raise ValidationError(_("Le SIRET doit comporter exactement 14 chiffres."), code="siret_format")
    if number.startswith(LA_POSTE_SIREN) and sum(int(c) for c in number) % 5 == 0:
        return
    if not luhn_ok(number) or not luhn_ok(number[:9]):
        raise ValidationError(_("Ce SIRET n'est pas valide (clé de contrôle incorrecte)."), code="siret_luhn")


def validate_rna(value: str) -> None:
    if not re.fullmatch(r"W\d{9}", (value or "").strip().upper()):
        raise ValidationError(
            _("Le numéro RNA doit commencer par W suivi de 9 chiffres (ex. W691234567)."),
            code="rna_format",
        )


_LEGAL_WORDS = r"\b(association|asso|sas|sarl|sa|scop|scic|sci|eurl|sasu|cooperative|coop)\b"


def normalise_name(name: str) -> str:
    """Lower-case, accents and punctuation removed, legal-form words dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(_LEGAL_WORDS, " ", text)
    return re.sub(r"\s+", " ", text).strip()


def normalise_town(town: str) -> str:
    text = normalise_name(town)
    return re.sub(r"\bst\b", "saint", text.replace(" ", "-")).replace("-", " ")
