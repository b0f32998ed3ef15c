import pytest
from django.core.exceptions import ValidationError

from programme.identity import normalise_name, normalise_town, validate_rna, validate_siren, validate_siret


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
