"""The signed-in page's chrome — top bar, account menu, language switch and sidebar
(`templates/includes/_chrome.html`) — rendered by the template engine once per shape and then reused.

Every page draws it, and through the template engine it cost more than a millisecond of a request (ten
links, a dozen translations, two forms). What varies per request is little: the user's name and role, the
CSRF token, the path the language switch returns to. The template is rendered once per process for each
shape (language, sidebar entries, the active one, the inbox marked current, URL prefix) with placeholders
for those, and each request puts its own values, escaped, in their place. The markup is the template's,
byte for byte."""

from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .formatting import choice_labels

TEMPLATE = "includes/_chrome.html"
# Placeholders: nothing a template escapes, nothing a page's own text contains.
_NAME, _ROLE, _CSRF, _PATH = "\x00name\x00", "\x00role\x00", "\x00csrf\x00", "\x00path\x00"
_rendered: dict[tuple[Any, ...], str] = {}


@dataclass(frozen=True)
class _StandIn:
    """What the template reads of the user, as placeholders."""

    email: str = ""

    def get_full_name(self) -> str:
        return _NAME

    def get_role_display(self) -> str:
        return _ROLE


@dataclass(frozen=True)
class _Request:
    def get_full_path(self) -> str:
        return _PATH


def _shape(context: Any) -> tuple[Any, ...]:
    items = context.get("nav_items") or ()
    return (
        get_language(),
        get_script_prefix(),
        # An entry's label follows from its name, the language and the role, which the set of entries
        # tells (the reports are « Rapports » for the team, « Rapports partagés » for a partner, whose
        # sidebar has no other entry of the team's): no label translated per entry on every page.
        tuple((item["name"], item["url"], bool(item.get("active"))) for item in items),
        bool(context.get("inbox_current")),
    )


def chrome(context: Any) -> SafeString:
    """The chrome of the page `context` renders (a signed-in user's)."""
    key = _shape(context)
    skeleton = _rendered.get(key)
    if skeleton is None:
        skeleton = get_template(TEMPLATE).render(
            {
                "user": _StandIn(),
                "request": _Request(),
                "csrf_token": _CSRF,
                "nav_items": context.get("nav_items") or (),
                "inbox_current": context.get("inbox_current"),
            }
        )
        _rendered[key] = skeleton
    user = context["user"]
    token = str(context.get("csrf_token") or "")
    if token in ("", "NOTPROVIDED"):  # what {% csrf_token %} writes then: nothing
        skeleton = skeleton.replace(f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF}">', "")
    return mark_safe(  # noqa: S308 — the skeleton is the template's output; every value is escaped here
        skeleton.replace(_NAME, conditional_escape(user.get_full_name() or user.email))
        .replace(_ROLE, conditional_escape(choice_labels(user._meta.model, "role").get(user.role, user.role)))
        .replace(_CSRF, conditional_escape(token))
        .replace(_PATH, conditional_escape(context["request"].get_full_path()))
    )


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """A test that overrides a setting (URLs, templates, static files, languages) gets fresh renders."""
    from programme import context_processors
    from programme.templatetags import parcours

    _rendered.clear()
    context_processors._urls.clear()
    parcours._assets.clear()
    parcours._htmx.cache_clear()
