"""What every tab of a project shares: the project and its records fetched through programme.access
(404 for outsiders), the tab frame, and the one create/edit form page of a project record."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.batch import PreparedModels, stand_in
from programme.context_processors import in_section
from programme.formatting import fr_date
from programme.pages import posted, reverse_pattern, submitted

from .. import selectors, services
from ..models import Phase, PhasePeriod, Project

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


#: What a tab prefetches by default: nothing — the head's current phase period is read on the project's
#: row (`selectors.with_open_period`), the overview reads its leads and themes with its other lists.
HEAD_PREFETCH: tuple[str, ...] = ()


def project_for(request: AuthedRequest, pk: int, *, prefetch: tuple[str, ...] = HEAD_PREFETCH) -> Project:
    """The project `pk` as the user may see it (404 otherwise), with its lead organisation, cohort,
    territory, programme and open phase period on its row, and `prefetch`'s relations."""
    if access.is_team(request.user) and not prefetch:
        # The team reads every project: one statement for all of them, compiled once (PROJECT_FOR_TEAM).
        return PROJECT_FOR_TEAM.get_or_404(values={stand_in(0): pk}, today=timezone.localdate())
    return get_object_or_404(_project_queryset(request.user).prefetch_related(*prefetch), pk=pk)


def _project_queryset(user: Any) -> QuerySet[Project]:
    queryset = access.scoped(user, Project).select_related(
        "lead_organisation", "cohort", "territory", "programme"
    )
    return selectors.with_open_period(queryset)


#: `project_for`'s statement for the programme team — built for a member of the team standing for all of
#: them (they all read every project: `access.scoped`), the project's id a stand-in — compiled once per
#: process: building and compiling it cost more than running it, on every tab of every project.
PROJECT_FOR_TEAM = PreparedModels(
    lambda _shape: _project_queryset(access.team_member()).filter(pk=stand_in(0))
)


def child_for[M: Model](
    request: AuthedRequest, model: type[M], pk: int, *, related: tuple[str, ...] = ()
) -> M:
    """A record hanging off a project, fetched through the access rules (404 for outsiders)."""
    queryset = access.scoped(request.user, model).select_related("project", *related)
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class Tab:
    """One tab of a project page: its key (what `render_tab` is given), its URL name (taking the project's
    pk) and its label, which is also the page's title. `phases`: the phases in which the tab is in the main
    row — empty, always; otherwise it waits under « Plus » (still one click away) unless it is the current
    tab."""

    key: str
    url_name: str
    label: "StrOrPromise"
    phases: frozenset[str] = frozenset()


TABS: list[Tab] = [
    Tab("overview", "projects:project.detail", _("Vue d’ensemble")),
    Tab("collective", "projects:project.collective", _("Collectif")),
    Tab("timeline", "projects:project.timeline", _("Frise")),
    Tab("workshops", "projects:project.workshops", _("Ateliers"), frozenset({Phase.EMERGENCE})),
    Tab("governance", "projects:project.governance", _("Gouvernance"), frozenset({Phase.EXPERIMENTATION})),
    Tab("deployment", "projects:project.deployment", _("Déploiement"), frozenset({Phase.DEPLOYMENT})),
    Tab("deliverables", "projects:project.deliverables", _("Jalons et livrables")),
    Tab("documents", "projects:project.documents", _("Documents")),
    Tab("funding", "projects:funding.page", _("Financement")),
]


def register_tab(tab: Tab, *, before: str | None = None) -> None:
    """Add a tab that a higher app renders inside the project page (evaluation's « Évaluation », from its
    AppConfig.ready()): projects never names it. Placed before the tab `before` (default: last); registering
    the same key again replaces it, so a second ready() changes nothing."""
    if any(t.key == tab.key for t in TABS):
        TABS[:] = [t for t in TABS if t.key != tab.key]
    keys = [t.key for t in TABS]
    TABS.insert(keys.index(before) if before in keys else len(TABS), tab)
    _TAB_ROWS.clear()


def project_tabs(project: Project, current: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The project page's tab row for `project`: (main row, « Plus » menu), each tab as {url, label,
    current}. A tab belongs to the main row when it has no phases, when the project is in one of its
    phases, or when it is the page shown."""
    main: list[dict[str, Any]] = []
    more: list[dict[str, Any]] = []
    for t in TABS:
        item = {"url": project_url(t.url_name, project.pk), "label": t.label, "current": t.key == current}
        (main if not t.phases or project.phase in t.phases or item["current"] else more).append(item)
    return main, more


#: URL patterns of the project page (`reverse_pattern`), looked up once per process: a page reversed a
#: dozen URLs for its head and tabs.
_PATTERNS: dict[tuple[str, tuple[object, ...]], str] = {}


def project_url(name: str, pk: int, *before: object) -> str:
    """The URL `name` of the project page's record `pk` (`before`: its fixed arguments ahead of the pk, as
    `reverse_pattern`'s), its pattern reversed once per process."""
    key = (name, before)
    pattern = _PATTERNS.get(key)
    if pattern is None:
        pattern = _PATTERNS[key] = reverse_pattern(name, *before)
    return pattern.format(pk)


def _tabs_html(tabs: list[dict[str, Any]], more: list[dict[str, Any]], label: str) -> str:
    """includes/_tabs.html for the project page, written with string joins — its markup byte for byte."""
    items = "".join(
        f'<li><a class="tabs__tab" href="{t["url"]}"{' aria-current="page"' if t["current"] else ""}>'
        f"{escape(str(t['label']))}</a></li>\n    "
        for t in tabs
    )
    if more:
        items += (
            f'<li class="tabs__more"><details>\n      <summary class="tabs__tab">{escape(gettext("Plus"))}'
            f'<span class="visually-hidden"> — {label}</span></summary>\n      <ul class="tabs__menu">'
            + "".join(f'<li><a href="{t["url"]}">{escape(str(t["label"]))}</a></li>' for t in more)
            + "</ul>\n    </details></li>"
        )
    return f'\n<nav class="tabs" aria-label="{label}">\n  <ul class="tabs__list">\n    {items}\n  </ul>\n</nav>\n'


#: The project page's tab row (`_tabs_html`), written once per process for each phase, current tab,
#: language and URL prefix with _TAB_PK for the project's pk — labels translated and URLs formatted for ten
#: tabs were a good part of every tab's head.
_TAB_ROWS: dict[tuple[Any, ...], str] = {}
_TAB_PK = 918_273_645


def _tab_row(project: Project, tab: str) -> str:
    key = (project.phase, tab, get_language(), get_script_prefix())
    row = _TAB_ROWS.get(key)
    if row is None:
        tabs, more = project_tabs(Project(pk=_TAB_PK, phase=project.phase), tab)
        row = _TAB_ROWS[key] = _tabs_html(tabs, more, escape(gettext("Sections du projet")))
    return row.replace(str(_TAB_PK), str(project.pk))


def project_head(
    project: Project, tab: str, *, period: PhasePeriod | None, late: bool, is_director: bool
) -> str:
    """The project page's head (title, phase, lead organisation, cohort, end of the phase, the decision
    and edit buttons) and its tab row, written with string joins — the markup its templates wrote
    (projects/_head.html, includes/_tabs.html), byte for byte."""
    late_badge = (
        '<span class="badge badge--danger">{}</span>'.format(escape(gettext("En retard de décision")))
        if late
        else ""
    )
    cohort = f" · {escape(str(project.cohort))}" if project.cohort else ""
    end = (
        " · " + gettext("fin prévue de la phase\u202f: %(d)s") % {"d": escape(fr_date(period.planned_end))}
        if period and period.planned_end
        else ""
    )
    gate = ""
    if project.is_active:
        gate = '<a class="button{}" href="{}">{}</a>'.format(
            " button--primary" if is_director else "",
            project_url("projects:gate.dossier", project.pk),
            escape(gettext("Décision d’étape") if is_director else gettext("Dossier de décision")),
        )
    return (
        '\n<div class="page-head">\n  <div>\n    <p class="muted crumbs">'
        f'<a href="{_list_url()}">{escape(gettext("Projets"))}</a></p>\n'
        f"    <h1>{escape(project.title)}</h1>\n"
        '    <p class="muted">\n'
        f'      <span class="badge badge--phase-{escape(project.phase)}">'
        f"{escape(str(project.get_phase_display()))}</span>\n"
        f"      {late_badge}\n"
        f"      {escape(str(project.lead_organisation))}{cohort}\n"
        f"      {end}\n"
        "    </p>\n  </div>\n"
        '  <div class="actions">\n'
        f"    {gate}\n"
        f'    <a class="button" href="{project_url("projects:project.edit", project.pk)}">'
        f"{escape(gettext('Modifier'))}</a>\n"
        "  </div>\n</div>\n" + _tab_row(project, tab) + "\n"
    )


@functools.cache
def _list_url() -> str:
    return reverse("projects:project.list")


def render_tab(
    request: AuthedRequest, project: Project, tab: str, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A page of the project page (projects/project_page.html): the head, the tab row with `tab` current,
    then `template`'s content. Every such page is in the sidebar's « Projets », whatever its URL."""
    period = selectors.open_period(project)
    late = bool(period and period.is_late())
    is_director = access.is_director(request.user)
    base = {
        "project": project,
        "tab": tab,
        "project_head": mark_safe(  # noqa: S308 — every value escaped there
            project_head(project, tab, period=period, late=late, is_director=is_director)
        ),
        "tab_label": next((t.label for t in TABS if t.key == tab), ""),
        "period": period,
        "late": late,
        "is_director": is_director,
    }
    in_section(request, _list_url())
    return render(request, template, {**base, **context})


def render_form_page(
    request: AuthedRequest,
    *,
    project: Project | None,
    form: forms.BaseForm,
    title: str | Promise,
    cancel: str,
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "title": title, "cancel": cancel, "multipart": multipart},
    )


def save_or_show[T](
    request: AuthedRequest,
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    message: "StrOrPromise | Callable[[T], StrOrPromise]",
    project: Project | None,
    title: "StrOrPromise",
    cancel: str,
    multipart: bool = False,
    refusals_on_form: bool = False,
) -> HttpResponse:
    """A form page that goes back where it came from: a valid POST saved once (`submitted`, with its
    `message` and `refusals_on_form`), then back to `cancel`; otherwise the form page, with its errors."""
    if submitted(request, form, save, message=message, refusals_on_form=refusals_on_form) is not None:
        return redirect(cancel)
    return render_form_page(
        request, project=project, form=form, title=title, cancel=cancel, multipart=multipart
    )


@dataclass(frozen=True)
class RecordPage:
    """The create/edit page of one kind of project record: the tab it returns to, and what the page and
    the confirmation say when adding or when editing."""

    tab: str
    create_title: "StrOrPromise"
    edit_title: "StrOrPromise"
    created: "StrOrPromise" = _("Enregistré.")
    updated: "StrOrPromise" = _("Enregistré.")


def record_form(
    request: AuthedRequest,
    page: RecordPage,
    form: forms.ModelForm,
    *,
    project: Project,
    save: Callable[..., Model] = services.record_save,
) -> HttpResponse:
    """Add (the form's instance is new) or edit a record of `project`: saved through the audited service
    (`save`, `record_save` unless the record has rules of its own), then back to the tab; an invalid form
    or the service's refusal is shown again with its errors."""
    editing = form.instance.pk is not None
    return save_or_show(
        request,
        form,
        lambda: save(actor=request.user, edit=Edit.from_form(form), project=project),
        message=page.updated if editing else page.created,
        refusals_on_form=True,
        project=project,
        title=page.edit_title if editing else page.create_title,
        cancel=reverse(page.tab, args=[project.pk]),
    )


type RecordView = Callable[..., HttpResponseBase]


def record_views(
    page: RecordPage,
    form_class: type[forms.ModelForm],
    model: type[Model],
    *,
    initial: Callable[[], dict[str, Any]] = dict,
    save: Callable[..., Model] = services.record_save,
) -> tuple[RecordView, RecordView]:
    """The create view (`pk` is the project's) and the edit view (`pk` is the record's) of a project record
    whose form takes nothing but its data, its instance and `initial()` for a new record."""

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def create(request: AuthedRequest, pk: int) -> HttpResponse:
        project = project_for(request, pk)
        form = form_class(posted(request), initial=initial())
        return record_form(request, page, form, project=project, save=save)

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def edit(request: AuthedRequest, pk: int) -> HttpResponse:
        form = form_class(posted(request), instance=child_for(request, model, pk))
        return record_form(request, page, form, project=form.instance.project, save=save)

    return create, edit
