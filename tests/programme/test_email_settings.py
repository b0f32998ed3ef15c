"""E-mail settings: SMTP with EMAIL_HOST, the console without; EMAIL_BACKEND replaces the class either way;
port 465 speaks implicit TLS; production refuses to send from a dead address."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[2] / "programme" / "settings.py"
VARIABLES = (
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_BACKEND",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "DEFAULT_FROM_EMAIL",
    "DEBUG",
    "SECRET_KEY",
)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
}


def load(monkeypatch, **env: str) -> dict:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def mailer(monkeypatch, **env: str) -> dict:
    return load(monkeypatch, **env)["MAILERS"]["default"]


def test_without_anything_mail_is_printed_to_the_console(monkeypatch):
    assert mailer(monkeypatch) == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_with_a_host_mail_goes_through_smtp_with_starttls(monkeypatch):
    config = mailer(monkeypatch, EMAIL_HOST="smtp.exemple.fr", EMAIL_HOST_USER="u", EMAIL_HOST_PASSWORD="p")
    assert config["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["OPTIONS"] == {
        "host": "smtp.exemple.fr",
        "port": 587,
        "username": "u",
        "password": "p",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 10,
    }


def test_port_465_speaks_implicit_tls(monkeypatch):
    options = mailer(monkeypatch, EMAIL_HOST="smtp.exemple.fr", EMAIL_PORT="465")["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


def test_implicit_tls_can_be_asked_for_on_another_port(monkeypatch):
    options = mailer(monkeypatch, EMAIL_HOST="smtp.exemple.fr", EMAIL_PORT="2465", EMAIL_USE_SSL="1")[
        "OPTIONS"
    ]
    assert (options["use_ssl"], options["use_tls"]) == (True, False)


def test_starttls_and_implicit_tls_together_are_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="s’excluent"):
        load(monkeypatch, EMAIL_HOST="smtp.exemple.fr", EMAIL_USE_SSL="1", EMAIL_USE_TLS="1")


@pytest.mark.parametrize("host", ["", "smtp.exemple.fr"])
def test_a_backend_override_works_with_or_without_a_host(monkeypatch, host):
    backend = "django.core.mail.backends.locmem.EmailBackend"
    assert mailer(monkeypatch, EMAIL_HOST=host, EMAIL_BACKEND=backend) == {"BACKEND": backend}


def test_a_backend_override_with_a_host_sends_mail(monkeypatch, settings):
    """The crash of old: EMAIL_BACKEND beside EMAIL_HOST handed SMTP options to a backend that takes none."""
    from django.core import mail

    settings.MAILERS = load(
        monkeypatch,
        EMAIL_HOST="smtp.exemple.fr",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )["MAILERS"]
    assert mail.send_mail("Objet", "Corps", "parcours@exemple.fr", ["a@exemple.fr"]) == 1


def test_an_smtp_backend_override_keeps_the_smtp_options(monkeypatch):
    config = mailer(
        monkeypatch, EMAIL_HOST="smtp.exemple.fr", EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"
    )
    assert config["OPTIONS"]["host"] == "smtp.exemple.fr"


@pytest.mark.parametrize(
    "sender",
    [
        "",
        "Parcours <parcours@localhost>",
        "parcours@localhost",
        "x@parcours.local",
        "x@parcours.invalid",
        "nobody",
    ],
)
def test_production_refuses_a_sender_that_is_not_real(monkeypatch, sender):
    env = {**PRODUCTION, "DEFAULT_FROM_EMAIL": sender} if sender else PRODUCTION
    with pytest.raises(ImproperlyConfigured, match="DEFAULT_FROM_EMAIL doit être une vraie adresse"):
        load(monkeypatch, **env)


@pytest.mark.parametrize("sender", ["Parcours <parcours@exemple.fr>", "contact@ess-lyon.org"])
def test_production_starts_with_a_real_sender(monkeypatch, sender):
    values = load(monkeypatch, **PRODUCTION, DEFAULT_FROM_EMAIL=sender)
    assert values["DEFAULT_FROM_EMAIL"] == values["SERVER_EMAIL"] == sender


def test_development_keeps_its_local_default_sender(monkeypatch):
    assert load(monkeypatch)["DEFAULT_FROM_EMAIL"] == "Parcours <parcours@localhost>"
