import functools
from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_htmx.jinja import htmx_script

from programme.audit import ReadableEntry, entries_html
from programme.chrome import chrome as render_chrome
from programme.identity import format_identifier
from programme.pages import active_filters_html

register = template.Library()


@register.filter
def identifier(value: str | None) -> str:
    """{{ organisation.siren|identifier }} → "732 829 320"."""
    return format_identifier(value)


@register.filter
def audit_items(entries: Iterable[ReadableEntry]) -> SafeString:
    """{{ audit_entries|audit_items }}: a history section's items (includes/_audit.html)."""
    return mark_safe(entries_html(entries))  # noqa: S308 — every value escaped there


@register.simple_tag
def active_filters_list(active: list[dict[str, Any]] | None, path: str) -> SafeString:
    """{% active_filters_list active_filters request.path %}: the active filters with their remove links
    (programme.pages.active_filters_html)."""
    return active_filters_html(active or [], path)


@register.simple_tag(takes_context=True)
def chrome(context: template.Context) -> SafeString:
    """The signed-in page's top bar and sidebar (programme.chrome: rendered once per shape, then filled)."""
    return render_chrome(context)


_assets: dict[str, str] = {}


@register.simple_tag(takes_context=True)
def htmx(context: template.Context) -> SafeString:
    """django-htmx's `{% htmx_script %}` (htmx, and with DEBUG its error overlay, each with the page's CSP
    nonce), its markup written once per process and DEBUG setting — its static URLs do not change while
    the process runs — and the nonce put in."""
    nonce = context.get("csp_nonce")
    markup = _htmx(settings.DEBUG, with_nonce=nonce is not None)
    return mark_safe(markup.replace(_NONCE, escape(str(nonce)))) if nonce is not None else markup  # noqa: S308


#: Where the page's nonce goes in `_htmx`'s markup (a private-use character: format_html leaves it as it is).
_NONCE = "\ue001"


@functools.cache
def _htmx(debug: bool, *, with_nonce: bool) -> SafeString:
    return htmx_script(nonce=_NONCE if with_nonce else None)


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, its URL looked up once per process (the manifest does not change while the
    process runs): the page head names seven files on every page."""
    if path not in _assets:
        _assets[path] = static(path)
    return _assets[path]
