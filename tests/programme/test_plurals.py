"""French plurals: 0 and 1 take the singular (« 0 prospect », « 1 prospect », « 2 prospects »). The msgids are
French, so the French catalogue (locale/fr, written by scripts/french-catalogue) carries the plural entries
and French's plural rule; without it Django would use English's `n == 1` rule and print « 0 prospects ». It also
carries django-allauth's French in French typography (the account pages are read in tests/test_typography.py)."""

import importlib.util
import re
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from tests.prospects.factories import prospect_in

ROOT = Path(__file__).resolve().parents[2]
RERUN = "run `scripts/french-catalogue && make messages` (after every `makemessages`)"


def _script():
    loader = SourceFileLoader("french_plurals", str(ROOT / "scripts" / "french-catalogue"))
    spec = importlib.util.spec_from_loader("french_plurals", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


french_plurals = _script()
ENGLISH_PLURALS = french_plurals.plurals(french_plurals.ENGLISH)


def test_the_prospect_list_says_0_prospect_in_french_and_0_prospects_in_english(world, staff_client):
    url = reverse("prospects:prospect.list")

    def count(language: str) -> str:
        page = staff_client.get(url, headers={"Accept-Language": language}).content.decode()
        return re.search(r'<p class="count">([^<]*)</p>', page).group(1)

    assert (count("fr"), count("en")) == ("0 prospect", "0 prospects")  # English keeps its own rule
    prospect_in(world)
    assert (count("fr"), count("en")) == ("1 prospect", "1 prospect")
    prospect_in(world, organisation=world.org_b)
    assert (count("fr"), count("en")) == ("2 prospects", "2 prospects")


def test_the_english_catalogue_has_plurals_to_check():
    assert len(ENGLISH_PLURALS) > 100  # the parser read the English file: the checks below are not empty


def test_every_plural_of_the_english_catalogue_is_in_the_french_one():
    french = french_plurals.translations(french_plurals.FRENCH) if french_plurals.FRENCH.exists() else {}
    missing = [p.msgid for p in ENGLISH_PLURALS if (p.msgctxt, p.msgid) not in french]
    assert not missing, f"{len(missing)} plural(s) missing from locale/fr ({missing[:3]}…): {RERUN}"
    wrong = [p.msgid for p in ENGLISH_PLURALS if french[(p.msgctxt, p.msgid)] != (p.msgid, p.msgid_plural)]
    assert not wrong, f"French plurals that are not their own msgids ({wrong[:3]}…): {RERUN}"


def test_every_plural_of_the_app_takes_the_singular_for_0_and_1_in_french():
    """Through the compiled catalogue, as the app's ngettext and blocktranslate count read it."""
    with translation.override("fr"):
        wrong = [
            p.msgid
            for p in ENGLISH_PLURALS
            if p.msgctxt is None
            and [ngettext(p.msgid, p.msgid_plural, n) for n in (0, 1, 2, 10)]
            != [p.msgid, p.msgid, p.msgid_plural, p.msgid_plural]
        ]
    assert not wrong, f"{len(wrong)} plural(s) read « 0 …s » in French ({wrong[:3]}…): {RERUN}"


@pytest.mark.parametrize(("n", "expected"), [(0, "0 valeur verrouillée."), (2, "2 valeurs verrouillées.")])
def test_an_ngettext_of_the_app_in_french_and_in_english(n, expected):
    with translation.override("fr"):
        assert ngettext("%(n)s valeur verrouillée.", "%(n)s valeurs verrouillées.", n) % {"n": n} == expected
    with translation.override("en"):
        assert ngettext("%(n)s valeur verrouillée.", "%(n)s valeurs verrouillées.", 0) % {"n": 0} == (
            "0 values locked."
        )


def test_the_script_finds_a_plural_added_to_the_english_catalogue(tmp_path):
    """A developer adds a plural and reruns makemessages: the script's output lists it."""
    po = tmp_path / "django.po"
    po.write_text(
        french_plurals.ENGLISH.read_text(encoding="utf-8")
        + '\n#: x.py:1\n#, python-format\nmsgctxt "bouton"\nmsgid "%(n)s « essai »"\nmsgid_plural ""\n'
        '"%(n)s « essais »"\nmsgstr[0] "%(n)s test"\nmsgstr[1] "%(n)s tests"\n',
        encoding="utf-8",
    )
    rendered = french_plurals.render(french_plurals.plurals(po))
    assert (
        '#, python-format\nmsgctxt "bouton"\nmsgid "%(n)s « essai »"\nmsgid_plural "%(n)s « essais »"\n'
        'msgstr[0] "%(n)s « essai »"\nmsgstr[1] "%(n)s « essais »"\n'
    ) in rendered
    assert rendered.count("msgid_plural") == len(ENGLISH_PLURALS) + 1


def test_the_french_catalogue_is_what_the_script_writes(capsys):
    """After a makemessages or an allauth upgrade, the committed locale/fr must be rewritten."""
    assert french_plurals.main(["french-catalogue", "--check"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("allauth", "shown"),
    [
        ("Confirmer l'accès", "Confirmer l’accès"),
        ("Mot de passe oublié ?", "Mot de passe oublié\u202f?"),
        ("Remarque: un lien", "Remarque\u202f: un lien"),
        ("« %(email)s » ; ensuite !", "«\u202f%(email)s\u202f»\u202f; ensuite\u202f!"),
        (
            'Merci de vous <a href="%(login_url)s">reconnecter</a>.',
            'Merci de vous <a href="%(login_url)s">reconnecter</a>.',
        ),
        ("Voir https://exemple.fr/a?b=1 et 10:30", "Voir https://exemple.fr/a?b=1 et 10:30"),
    ],
)
def test_allauths_french_is_put_in_french_typography(allauth, shown):
    assert french_plurals.typographic(allauth) == shown


def test_the_corrected_allauth_translations_are_the_ones_shown():
    with translation.override("fr"):
        assert translation.gettext("Forgot your password?") == "Mot de passe oublié\u202f?"
        assert translation.gettext("Authenticator App") == "Application d’authentification"
        # Django's auth app says « Courriel » and comes first; the app's word is « E-mail ».
        assert translation.gettext("Email") == "E-mail"
