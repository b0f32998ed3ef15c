"""The inbox's rows as HTML, built once per page in plain Python: a section may list 50 items and the
page eight sections, and rendering each item through the template language (a dozen tags and filters,
two forms) cost ten times the page's SQL. The labels, URLs and hidden fields are prepared once per page
(`RowParts`); each item is then a few escaped strings joined. The markup is the one
`templates/projects/inbox/inbox.html` used to render item by item (same classes, same forms), but for
« Réassigner »: a link to the item's small reassign form (`views.inbox_reassign`), which htmx loads in place
of the link — the menu of every team member, repeated on each of a hundred rows, was four fifths of the
page's bytes."""

from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from programme.formatting import fr_date
from programme.pages import reverse_pattern

from .selectors import Item, Section


@dataclass(frozen=True)
class RowParts:
    """What every row of the page shares, rendered once: the forms' heads and the translated labels."""

    csrf: str
    here: str
    #: The reassign form's URL, `{}` for the source's key and the item's pk, with `next` (escaped).
    reassign_url: str
    seen_action: str
    assigned_to: str
    followed_by: str
    nobody: str
    reassign: str
    seen: str
    #: The language of the page (the badges and dates written once per language, `_WRITTEN`).
    language: str

    @classmethod
    def build(cls, *, csrf_token: str, here: str) -> "RowParts":
        reassign = reverse_pattern("projects:inbox.reassign", "KEY").replace("KEY", "{}", 1)
        return cls(
            csrf=f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">',
            here=escape(here),
            reassign_url=escape(f"{reassign}?next={quote(here, safe='/')}"),
            seen_action=escape(reverse("projects:inbox.seen")),
            assigned_to=escape(_("Assigné à")),
            followed_by=escape(_("Suivi par")),
            nobody=escape(_("Personne n’en est chargé")),
            reassign=escape(_("Réassigner")),
            seen=escape(_("Marquer comme vu")),
            language=get_language(),
        )


#: The « en retard de n jours » badges and the dates as rows write them, by language, kept from one page to
#: the next (translating and formatting them was a third of the rows' time): {key: (label, markup)}.
_WRITTEN: dict[tuple[object, ...], tuple[object, str]] = {}


def _remember(key: tuple[object, ...], label: object, markup: str) -> str:
    if len(_WRITTEN) > 5000:  # a long-running process sees every day go by
        _WRITTEN.clear()
    _WRITTEN[key] = (label, markup)
    return markup


def _late(days: int, parts: RowParts) -> str:
    key = (parts.language, days)
    if key in _WRITTEN:
        return _WRITTEN[key][1]
    text = ngettext("en retard de %(n)s jour", "en retard de %(n)s jours", days) % {"n": localize(days)}
    return _remember(key, None, f'<span class="badge badge--danger">{text}</span> ')


def _day(label: object, day: date, parts: RowParts) -> str:
    # A lazy label (a source's constant) by its identity: hashing it would translate it on every row. The
    # entry keeps the label, so that its id cannot be another label's while the entry exists.
    key = (parts.language, id(label) if isinstance(label, Promise) else label, day)
    if key in _WRITTEN:
        return _WRITTEN[key][1]
    return _remember(
        key,
        label,
        f'<span class="muted">{escape(str(label))} <time datetime="{day.isoformat()}">'
        f"{escape(fr_date(day))}</time></span>",
    )


def _who(item: Item, parts: RowParts) -> str:
    if item.assigned_id:
        return f"{parts.assigned_to} {escape(item.assignees[0] if item.assignees else '')}"
    if item.assignees:
        return f"{parts.followed_by} {escape(', '.join(item.assignees))}"
    return f'<span class="muted">{parts.nobody}</span>'


def _hidden(key: str, pk: int, parts: RowParts) -> str:
    return (
        f'<input type="hidden" name="source" value="{key}"><input type="hidden" name="item" value="{pk}">'
        f'<input type="hidden" name="next" value="{parts.here}">'
    )


def section_rows(section: Section, parts: RowParts) -> SafeString:
    """The `<li>` of every item of the section (every value escaped here)."""
    source = section.source
    key = escape(source.key)
    out = []
    for item in section.items:
        line = item.line
        title = escape(str(line.title))
        do = []
        if source.reassignable:
            # Without JavaScript, the link opens the form on a page of its own; with it, the form takes
            # the link's place (and its menu the focus: `autofocus`).
            url = parts.reassign_url.format(key, item.pk)
            do.append(
                f'<a class="button button--small" href="{url}" hx-get="{url}" hx-swap="outerHTML">'
                f'{parts.reassign}<span class="visually-hidden"> «\u202f{title}\u202f»</span></a>'
            )
        if source.seen_after:
            do.append(
                f'<form method="post" action="{parts.seen_action}" class="inline">{parts.csrf}'
                f"{_hidden(key, item.pk, parts)}"
                f'<button type="submit" class="button button--small">{parts.seen}</button></form>'
            )
        out.append(
            '<li class="inbox-item"><div class="inbox-item__what">'
            f'<a href="{escape(item.url)}">{title}</a> <span class="muted">— {escape(str(line.about))}</span><br>'
            f"{_late(line.late, parts) if line.late else ''}{_day(line.label, line.day, parts) if line.day else ''}"
            f'<br><span class="inbox-item__who">{_who(item, parts)}</span></div>'
            f'<div class="inbox-item__do">{"".join(do)}</div></li>'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def sections_html(sections: list[Section], *, mine: bool) -> tuple[SafeString, SafeString]:
    """The table of contents' entries and the sections (heads, help, rows or the empty message, « et n
    autres »), byte for byte as `inbox.html` wrote them in its two loops over the sections — every value
    escaped here."""
    empty = escape(_("Rien ne vous attend ici.") if mine else _("Rien à traiter ici."))
    toc = []
    body = []
    for section in sections:
        source = section.source
        key = escape(source.key)
        label = escape(str(source.label))
        badge = (
            f'<span class="badge{" badge--warn" if section.count else ""}">{localize(section.count)}</span>'
        )
        toc.append(f'<li><a href="#inbox-{key}">{label}</a> {badge}</li>')
        help_text = f'<p class="muted">{escape(str(source.help))}</p>' if source.help else ""
        if section.items:
            more = ""
            if section.more:
                text = ngettext(
                    "et %(n)s autre élément (les plus anciens sont listés d’abord)",
                    "et %(n)s autres éléments (les plus anciens sont listés d’abord)",
                    section.more,
                ) % {"n": localize(section.more)}
                more = f'<p class="muted">{text}</p>'
            inner = f'\n  <ul class="plain inbox-items">\n  {section.rows_html}\n  </ul>\n  {more}\n  '
        else:
            inner = f'\n  <p class="empty">{empty}</p>\n  '
        body.append(
            f'\n<section class="card inbox-section" id="inbox-{key}" aria-labelledby="h-inbox-{key}">\n'
            f'  <div class="card-head"><h2 id="h-inbox-{key}">{label} {badge}</h2></div>\n'
            f"  {help_text}\n  {inner}\n</section>\n"
        )
    return mark_safe("".join(toc)), mark_safe("".join(body))  # noqa: S308 (every value above is escaped)
