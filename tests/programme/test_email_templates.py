"""Every e-mail template: the text part and the subject show what people typed (« L'Atelier & Cie »), never
HTML entities (« L&#x27;Atelier &amp; Cie »); the HTML part still escapes it."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import override_settings

from programme.emails import send_template_mail

ROOT = Path(__file__).resolve().parents[2]
EMAILS = ROOT / "templates" / "emails"
TYPED = "L'Atelier d'Ô & Cie <b>"
#: Names the templates use as numbers (plural forms need one).
NUMBERS = {"count", "counter", "offset", "pages", "number", "total", "days", "size"}
ENTITIES = ("&#x27;", "&#39;", "&amp;", "&lt;", "&gt;", "&quot;")


class Typed:
    """Whatever a template asks of it — an attribute, an item, a loop, a count — is what people typed;
    dates are dates, times of day (`…_time`) times and moments (`…_at`) datetimes, so that the date filters format them."""

    def __init__(self, depth: int = 0) -> None:
        self.depth = depth

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in {"alters_data", "do_not_call_in_templates"}:
            raise AttributeError(name)
        if name.endswith("_at"):  # a moment: the datetime filters format it
            return datetime.datetime(2027, 3, 15, 9, 30, tzinfo=datetime.UTC)
        if "date" in name:
            return datetime.date(2027, 3, 15)
        if name.endswith("_time"):  # a time of day (an event's start): the time filter formats it
            return datetime.time(9, 30)
        if name in NUMBERS:
            return 2
        return Typed(self.depth + 1)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int):
            raise IndexError(key)
        return getattr(self, str(key))

    def __iter__(self) -> Iterator["Typed"]:
        return iter([Typed(self.depth + 1)] if self.depth < 3 else [])

    def __int__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return TYPED


def templates() -> list[str]:
    names = sorted(path.name.removesuffix("_subject.txt") for path in EMAILS.glob("*_subject.txt"))
    assert names, "no e-mail template found"
    return names


def context() -> dict[str, Any]:
    """Every name a template uses resolves to what people typed (counts are numbers)."""
    return _Context(dict.fromkeys(NUMBERS, 2))


class _Context(dict):
    def __missing__(self, key: str) -> Any:
        return getattr(Typed(), key)

    def __contains__(self, key: object) -> bool:
        return True


@pytest.mark.parametrize("name", templates())
def test_every_email_has_a_text_a_subject_and_an_html_part(name):
    for suffix in ("_subject.txt", ".txt", ".html"):
        assert (EMAILS / f"{name}{suffix}").exists(), f"{name}{suffix} is missing"


@pytest.mark.parametrize("name", templates())
def test_text_templates_show_what_was_typed_without_html_entities(name):
    for suffix in ("_subject.txt", ".txt"):
        rendered = render_to_string(f"emails/{name}{suffix}", context())
        found = [entity for entity in ENTITIES if entity in rendered]
        assert not found, (
            f"emails/{name}{suffix} escapes text as HTML ({found}): wrap it in {{% autoescape off %}}"
        )
    text = render_to_string(f"emails/{name}.txt", context())
    assert TYPED in text, f"emails/{name}.txt does not show the typed value at all"


@pytest.mark.parametrize("name", templates())
def test_html_templates_still_escape(name):
    html = render_to_string(f"emails/{name}.html", context())
    assert "<b>" not in html
    assert "&lt;b&gt;" in html or TYPED not in html


@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}})
def test_a_sent_email_reads_as_typed_in_its_text_part_and_subject():
    sent = send_template_mail(
        template="emails/report_ready",
        to=["direction@exemple.fr"],
        context={"report": {"title": "Rapport d'activité & bilan", "pages": 3}, "url": "https://x.fr/r/1"},
    )
    assert sent == 1
    message = mail.outbox[-1]
    assert message.subject == "[Parcours] Rapport prêt\u202f: Rapport d'activité & bilan"
    assert "Le rapport «\u202fRapport d'activité & bilan\u202f» est prêt." in message.body
    html, _type = message.alternatives[0]
    assert "Rapport d&#x27;activité &amp; bilan" in html


@pytest.mark.parametrize("name", templates())
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_html_email_says_its_language_and_has_a_title(name, language):
    """A screen reader reads an e-mail in the language it says it is in: the one it was written in."""
    from django.utils import translation

    values = context()
    values["subject"] = "Objet"
    with translation.override(language):
        html = render_to_string(f"emails/{name}.html", values)
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}"><head><meta charset="utf-8"><title>Objet</title></head>' in html


@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}})
def test_an_email_written_in_english_says_so_and_is_titled_by_its_subject():
    send_template_mail(
        template="emails/report_ready",
        to=["direction@exemple.fr"],
        context={"report": {"title": "Annual report", "pages": 3}, "url": "https://x.fr/r/1"},
        language="en",
    )
    message = mail.outbox[-1]
    html, _type = message.alternatives[0]
    subject = message.subject.removeprefix("[Parcours] ")
    assert '<html lang="en">' in html and f"<title>{subject}</title>" in html
    assert "Report ready" in subject
