"""`manage.py bootstrap` and the guided first run (issue #18, item 3): the first director account is never
given a default password; the programme, its first promotion and its starter grid can come with it; a fresh
install's first director is led through the settings' first steps."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from programme.models import Cohort, Programme, Role, User
from prospects.models import ScoringGrid
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _bootstrap(monkeypatch, password: str | None, *args: str) -> str:
    stdin = io.StringIO("" if password is None else password + "\n")
    stdin.isatty = lambda: False  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def test_bootstrap_creates_the_director_the_programme_its_cohort_and_grid(monkeypatch):
    out = _bootstrap(
        monkeypatch,
        "Une-phrase-de-passe-solide-2026",
        "--email=Direction@Exemple.fr",
        "--password-stdin",
        "--programme=Programme Coopérations",
        "--cohort-year=2027",
    )
    user = User.objects.get(email="direction@exemple.fr")
    assert (
        user.role == Role.DIRECTOR
        and user.is_superuser
        and user.check_password("Une-phrase-de-passe-solide-2026")
    )
    programme = Programme.objects.get(name="Programme Coopérations")
    assert Cohort.objects.get(programme=programme).year == 2027
    assert ScoringGrid.objects.get(programme=programme).criteria.count() == 6
    assert "Compte de direction créé" in out


def test_bootstrap_never_makes_up_a_password(monkeypatch):
    with pytest.raises(CommandError, match="jamais de mot de passe par défaut"):
        _bootstrap(monkeypatch, None, "--email=direction@exemple.fr")
    with pytest.raises(CommandError, match="Mot de passe refusé"):
        _bootstrap(monkeypatch, "1234", "--email=direction@exemple.fr", "--password-stdin")
    with pytest.raises(CommandError, match="Mot de passe vide"):
        _bootstrap(monkeypatch, "", "--email=direction@exemple.fr", "--password-stdin")
    assert not User.objects.exists()


def test_a_fresh_install_leads_the_first_director_through_the_first_steps():
    director = User.objects.create_user("premiere@exemple.fr", "x", role=Role.DIRECTOR)
    client = client_for(director)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("setup:index")
    page = client.get(reverse("setup:index")).content.decode()
    for step in ("Premiers pas", "Créer le programme", "Créer sa première promotion", "Inviter l’équipe"):
        assert step in page
    Programme.objects.create(name="Programme")
    assert client.get(reverse("home")).status_code == 200
