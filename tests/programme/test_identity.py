import random
import string

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from programme.batch import stand_in_text
from programme.identity import (
    folded,
    format_identifier,
    normalise_name,
    normalise_town,
    search_key,
    validate_rna,
    validate_siren,
    validate_siret,
)


@pytest.mark.parametrize("value", ["732829320", "732 829 320", "552100554"])
def test_valid_siren_is_accepted(value):
    validate_siren(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("732829321", "siren_luhn"),
        ("73282932", "siren_format"),
        ("ABCDEFGHI", "siren_format"),
        ("", "siren_format"),
    ],
)
def test_bad_siren_is_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_siren(value)
    assert error.value.code == code


def test_siret_checks_both_keys():
    validate_siret("73282932000074")
    with pytest.raises(ValidationError):
        validate_siret("73282932000075")
    with pytest.raises(ValidationError):
        validate_siret("7328293200007")


def test_la_poste_siret_uses_its_own_rule():
    validate_siret("35600000000048")  # the head office: Luhn-valid
    validate_siret("35600000000010")  # a post office: not Luhn, but its digit sum is a multiple of 5
    with pytest.raises(ValidationError):
        validate_siret("35600000000011")


@pytest.mark.parametrize("value", ["W691234567", "w691234567"])
def test_rna_format(value):
    validate_rna(value)


@pytest.mark.parametrize("value", ["691234567", "W69123456", "X691234567", "W69123456A"])
def test_bad_rna_is_refused(value):
    with pytest.raises(ValidationError):
        validate_rna(value)


def test_normalised_names_ignore_case_accents_punctuation_and_legal_form():
    assert normalise_name("Épicerie Coopérative du Tonkin SCIC") == normalise_name(
        "epicerie cooperative  du tonkin"
    )
    assert normalise_name("Association Les Petites-Cantines") == "les petites cantines"
    assert normalise_town("St-Priest") == normalise_town("Saint Priest")


# --- python-stdnum against the checks Parcours used before it -----------------------------------------


def _reference_luhn_ok(number: str) -> bool:
    """The Luhn check programme/identity.py carried before python-stdnum (kept here as the reference)."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _reference_siret_ok(number: str) -> bool:
    """The former SIRET rule: La Poste's digit sum (a multiple of 5), else Luhn on the SIRET and its SIREN."""
    if number.startswith("356000000") and sum(int(c) for c in number) % 5 == 0:
        return True
    return _reference_luhn_ok(number) and _reference_luhn_ok(number[:9])


def _ok(validate, number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return False
    return True


def _with_key(rng: random.Random, length: int) -> str:
    body = "".join(rng.choice(string.digits) for _ in range(length - 1))
    return body + luhn.calc_check_digit(body)


def test_stdnum_agrees_with_the_former_siren_check_on_a_large_sample():
    rng = random.Random(20260110)
    sample = [f"{rng.randrange(10**9):09d}" for _ in range(20_000)]
    sample += [_with_key(rng, 9) for _ in range(5_000)]
    disagreements = [n for n in sample if _ok(validate_siren, n) != _reference_luhn_ok(n)]
    assert disagreements == []
    assert sum(_ok(validate_siren, n) for n in sample) >= 5_000  # the valid ones were really tested


def test_stdnum_agrees_with_the_former_siret_check_outside_la_poste():
    rng = random.Random(20260111)
    sample = [f"{rng.randrange(10**14):014d}" for _ in range(20_000)]
    for _ in range(5_000):  # valid SIRET: a valid SIREN, then a key over the 14 digits
        head = _with_key(rng, 9) + "".join(rng.choice(string.digits) for _ in range(4))
        sample.append(head + luhn.calc_check_digit(head))
    sample = [n for n in sample if not n.startswith("356000000")]
    disagreements = [n for n in sample if _ok(validate_siret, n) != _reference_siret_ok(n)]
    assert disagreements == []
    assert sum(_ok(validate_siret, n) for n in sample) >= 5_000


def test_la_poste_sirets_every_one_of_them():
    """All 100 000 SIRET of SIREN 356000000. stdnum applies INSEE's rule strictly: except the head office
    (35600000000048, Luhn-valid), a La Poste establishment is valid when its digit sum is a multiple of 5.
    The former check also let through the Luhn-valid ones whose digit sum is not — the only difference."""
    accepted_before_only = []
    for suffix in range(100_000):
        number = f"356000000{suffix:05d}"
        new, old = _ok(validate_siret, number), _reference_siret_ok(number)
        if new != old:
            assert old and not new, number  # stdnum never accepts what we refused
            assert sum(map(int, number)) % 5 != 0 and _reference_luhn_ok(number)
            accepted_before_only.append(number)
    assert "35600000000048" not in accepted_before_only and _ok(validate_siret, "35600000000048")
    assert 0 < len(accepted_before_only) < 100_000 // 5


def test_identifiers_are_printed_the_french_way():
    assert format_identifier("732829320") == "732 829 320"
    assert format_identifier("73282932000074") == "732 829 320 00074"
    assert format_identifier("12345") == "12345"
    assert format_identifier(None) == ""


def test_identifiers_print_as_python_stdnum_prints_them():
    """Written out for speed, the same text as stdnum's `format` for any SIREN or SIRET, spaced or not."""
    from stdnum.fr import siren, siret

    rng = random.Random(7)
    for _ in range(2_000):
        nine = f"{rng.randrange(10**9):09d}"
        fourteen = f"{rng.randrange(10**14):014d}"
        assert format_identifier(nine) == siren.format(nine)
        assert format_identifier(fourteen) == siret.format(fourteen)
        spaced = f"{fourteen[:3]} {fourteen[3:6]}.{fourteen[6:9]} {fourteen[9:]}"
        assert format_identifier(spaced) == siret.format(fourteen)


@pytest.mark.parametrize(
    ("validate", "value"), [(validate_siren, "000000000"), (validate_siret, "00000000000000")]
)
def test_identifiers_of_all_zeros_are_refused_though_their_luhn_key_is_right(validate, value):
    assert luhn.is_valid(value)  # what let them through before
    with pytest.raises(ValidationError, match="zéros"):
        validate(value)


@pytest.mark.parametrize(
    ("typed", "compared"),
    [
        ("Énergies Citoyennes", "energies citoyennes"),
        ("ÉNERGIES", "energies"),
        ("L’Œuvre d’Ève", "l'oeuvre d'eve"),
        ("Vénissieux", "venissieux"),
        ("SCOP 50 %", "scop 50 %"),
        ("Saint-Étienne", "saint etienne"),
    ],
)
def test_a_search_folds_accents_case_and_apostrophes(typed, compared):
    assert folded(typed) == compared


def test_folding_leaves_a_prepared_statements_stand_in_as_it_is():
    """The prospect list's statements are compiled with a stand-in text that folding must not change
    (`ProspectFilter.prepared_value` folds the typed text that takes its place)."""
    assert folded(stand_in_text(3)) == stand_in_text(3)


def test_the_search_key_is_the_name_and_the_town_one_per_line():
    assert search_key("Café Associatif", "Gerland") == "cafe associatif\ngerland"
