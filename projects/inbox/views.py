"""The team inbox « À traiter »: the page, the navigation's count (a partial loaded by URL, so no page pays
for it), reassigning an item and marking one as seen. Team only: everyone else gets 404."""

from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from programme.context_processors import navigation

from . import selectors, services
from .forms import AssignForm, InboxFilterForm, SeenForm
from .registry import Source, source
from .rows import RowParts, section_rows, sections_html

SELECTED = mark_safe(" selected")


def _filter_select(form: InboxFilterForm) -> str | None:
    """The « Afficher » menu as the widget writes it, in plain Python (through the form renderer's template
    it cost a tenth of the page); None when the filter has an error (the widget then says so)."""
    if form.is_bound and form.errors:
        return None
    bound = form["pour"]
    chosen = str(bound.value() or "")
    options = "".join(
        f'\n  <option value="{escape(value)}"{SELECTED if value == chosen else ""}>{escape(str(label))}</option>'
        for value, label in form.choices
    )
    return format_html(
        '<select name="{}" id="{}">{}\n</select>',
        bound.html_name,
        bound.auto_id,
        mark_safe(options),  # noqa: S308
    )


@access.team_required
def inbox(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    members = selectors.team_names()
    form = InboxFilterForm(request.GET or None, members=members)
    member_id = form.member_id(request.user)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Ce filtre n’existe pas : voici ce qui vous attend."))
    sections = selectors.inbox(request.user, member_id=member_id, today=today, members=members)
    # The rows in plain Python, their shared parts (forms' heads, labels, URLs) rendered once.
    parts = RowParts.build(csrf_token=get_token(request), here=request.get_full_path())
    for section in sections:
        section.rows_html = section_rows(section, parts)
    mine = member_id == request.user.pk
    toc, sections_body = sections_html(sections, mine=mine)
    return render(
        request,
        "projects/inbox/inbox.html",
        {
            "title": _("À traiter"),
            "filter_form": form,
            "filter_select": _filter_select(form),
            "sections": sections,
            "toc": toc,
            "sections_html": sections_body,
            "total": sum(s.count for s in sections),
            "members": members,
            "member_id": member_id,
            "mine": mine,
            "today": today,
            "here": request.get_full_path(),
            "nav_items": _inbox_nav(request),
            "inbox_current": True,
        },
    )


@access.team_required
def inbox_count(request: AuthedRequest) -> HttpResponse:
    """The navigation's « À traiter » count (loaded by the sidebar with hx-get on load)."""
    count = selectors.inbox_count(request.user, today=timezone.localdate())
    return render(request, "projects/inbox/_count.html", {"count": count})


def _inbox_nav(request: AuthedRequest) -> list[dict[str, object]]:
    """The sidebar of the inbox's pages: they mark « À traiter » themselves (templates/base.html), not
    « Projets », whose path they share."""
    return [{**item, "active": False} for item in navigation(request)["nav_items"]]


def _safe_next(request: AuthedRequest, next_url: str) -> str:
    """Where to go back to: `next_url` when it is a page of this site, else the inbox."""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return reverse("projects:inbox")


def _member_options(members: list[tuple[int, str]]) -> SafeString:
    """The « Réassigner » menu's options: « Choisir… », then every team member."""
    options = format_html_join("", '<option value="{}">{}</option>', members)
    return format_html('<option value="">{}</option>{}', _("Choisir…"), options)


@access.team_required
def inbox_reassign(request: AuthedRequest, source_key: str, item_pk: int) -> HttpResponse:
    """An item's « Réassigner » form (posted to `inbox_assign`): loaded by htmx in place of the row's link,
    or a page of its own without JavaScript. `next`: the inbox page to come back to."""
    found, item = _reassignable(source_key, item_pk)
    context = {
        "title": _("Réassigner"),
        "source_key": found.key,
        "item": item,
        "field": f"assign-{found.key}-{item_pk}",
        "options": _member_options(selectors.team_names()),
        "next": _safe_next(request, request.GET.get("next", "")),
        "inbox_current": True,
    }
    if request.htmx:
        return render(request, "projects/inbox/_assign_form.html", context)
    context["nav_items"] = _inbox_nav(request)
    return render(request, "projects/inbox/reassign.html", context)


def _item(key: str, pk: int) -> tuple[Source, object]:
    """An open item of a source, or 404 (an unknown source, a handled or unknown item)."""
    found = source(key)
    if found is None:
        raise Http404
    rows = selectors.rows_for(found, today=timezone.localdate(), member_id=None)
    return found, get_object_or_404(rows, pk=pk)


def _reassignable(key: str, pk: int) -> tuple[Source, object]:
    """An open item of a source whose items can be reassigned, or 404."""
    found, item = _item(key, pk)
    if not found.reassignable:
        raise Http404
    return found, item


def _back(request: AuthedRequest) -> HttpResponse:
    return redirect(_safe_next(request, request.POST.get("next", "")))


@access.team_required
@require_POST
def inbox_assign(request: AuthedRequest) -> HttpResponse:
    form = AssignForm(request.POST)
    if not form.is_valid():
        error = form.errors.get("assignee")
        messages.error(request, str(error[0]) if error else _("Cet élément n’a pas pu être réassigné."))
        return _back(request)
    _found, item = _reassignable(form.cleaned_data["source"], form.cleaned_data["item"])
    assignee = selectors.team_members().filter(pk=form.cleaned_data["assignee"]).first()
    try:
        assignment = services.assignment_set(actor=request.user, item=item, assignee=assignee)  # type: ignore[arg-type]
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return _back(request)
    messages.success(
        request,
        _("« %(item)s » est maintenant assigné à %(name)s.")
        % {"item": item, "name": assignment.assignee.get_full_name() or assignment.assignee.email},
    )
    return _back(request)


@access.team_required
@require_POST
def inbox_seen(request: AuthedRequest) -> HttpResponse:
    form = SeenForm(request.POST)
    if not form.is_valid():
        raise Http404
    found, item = _item(form.cleaned_data["source"], form.cleaned_data["item"])
    if not found.seen_after:
        raise Http404
    services.seen_mark(actor=request.user, item=item)  # type: ignore[arg-type]
    messages.success(
        request,
        _("« %(item)s » est marqué comme vu.") % {"item": item},
    )
    return _back(request)
