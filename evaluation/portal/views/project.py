""" "Mon projet": the partner's home and each of their current projects."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe

from programme import access
from programme.access import AuthedRequest
from programme.pages import reverse_pattern
from projects import timeline
from projects.models import Project

from .. import rows, selectors
from .conversations import portal_thread


@access.partner_required
def home(request: AuthedRequest) -> HttpResponse:
    """The partner's home: their (first) current project, or what to expect when there is none yet."""
    projects = selectors.portal_projects(user=request.user)
    if not projects:
        return render(request, "portal/home_empty.html")
    return _project_page(request, projects[0], projects)


@access.partner_required
def project(request: AuthedRequest, pk: int) -> HttpResponse:
    """One of the partner's current projects, or 404."""
    projects = selectors.portal_projects(user=request.user)
    current = next((p for p in projects if p.pk == pk), None)
    if current is None:
        raise Http404
    return _project_page(request, current, projects)


def _project_page(request: AuthedRequest, project: Project, projects: list[Project]) -> HttpResponse:
    """The page of one project (from `selectors.portal_projects`), with the tab row of the partner's
    projects when they have several."""
    context = selectors.project_page(user=request.user, project=project)
    context |= portal_thread(request.user, project, None, comments=context.pop("thread_comments"))
    # The budget and funding plan, when the team shares them (projects.funding).
    context["funding_shared"] = project.funding_shared  # type: ignore[attr-defined]
    url = reverse_pattern("portal:project")
    context["project_tabs"] = [
        {"url": url.format(p.pk), "label": p.title, "current": p.pk == project.pk} for p in projects
    ]
    context["tl_svg"] = mark_safe(_timeline_svg(context["tl"]))  # noqa: S308 — every text escaped there
    context["rows"] = rows.page_lists(context)  # the page's lists, written without the template engine
    return render(request, "portal/project.html", context)


def _timeline_svg(tl: timeline.Timeline) -> str:
    """The frieze's ticks, row labels, phase bars and markers (a marker per shared workshop and committee),
    written with string joins: the markup the template's four loops wrote, byte for byte."""
    h, bar_h = tl.height, tl.bar_h
    ticks = "".join(
        f'<line x1="{x}" x2="{x}" y1="14" y2="{h}" class="tl-tick"/>'
        f'<text x="{x}" y="10" class="tl-tick-label">{esc(label)}</text>'
        for x, label in tl.ticks
    )
    rows = "".join(
        f'<text x="4" y="{y + 9}" class="tl-row-label">{esc(label)}</text>' for y, label in tl.rows
    )
    bars = "".join(
        f'\n  <g class="tl-bar tl-phase-{b.phase}{" tl-late" if b.late else ""}" data-detail tabindex="0">'
        f"<title>{esc(b.title)}</title>\n    "
        + (
            f'<rect x="{b.planned[0]}" y="{b.y}" width="{b.planned[1]}" height="{bar_h}" class="tl-planned" rx="2"/>'
            if b.planned
            else ""
        )
        + "\n    "
        + (
            f'<rect x="{b.actual[0]}" y="{b.y + bar_h}" width="{b.actual[1]}" height="{bar_h}" '
            'class="tl-actual" rx="2"/>'
            if b.actual
            else ""
        )
        + "\n  </g>\n  "
        for b in tl.bars
    )
    markers = "".join(
        f'<g class="tl-marker tl-marker-{m.kind}" data-detail tabindex="0"><title>{esc(m.title)}</title>'
        f'<circle class="tl-hit" cx="{m.x}" cy="{m.y}" r="14"/><circle cx="{m.x}" cy="{m.y}" r="5"/></g>'
        for m in tl.markers
    )
    return "\n  ".join([ticks, rows, bars, markers])
