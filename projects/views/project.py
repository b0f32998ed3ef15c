"""The projects list and board, a project's creation, overview, edit and timeline, and the gate dossier
with the director's decision."""

from datetime import date
from html import escape
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.bulk_actions import BulkAction, BulkList, bulk_page
from programme.exports import export_response
from programme.formatting import choice_labels, date_writer, member_label
from programme.identity import row_id
from programme.pages import MenuWords, menu_options, posted, render_filtered_list, save_once
from prospects.events.services import INVITATION_MAILED

from .. import exports, selectors, services, timeline
from ..filters import ProjectFilter
from ..forms import GateDecisionForm, ProjectBulkForm, ProjectCreateForm, ProjectForm, project_label
from ..models import Action, Deliverable, Membership, Milestone, Project
from ..relations import selectors as relations_selectors
from .base import HEAD_PREFETCH, project_for, project_url, render_form_page, render_tab


@access.team_required
def project_list(request: AuthedRequest) -> HttpResponse:
    queryset = selectors.projects_with_status(request.user).order_by("title")
    filterset = ProjectFilter(request.GET, queryset=queryset)
    return render_filtered_list(
        request,
        filterset=filterset,
        template="projects/project_list.html",
        partial="projects/partials/_project_table.html",
        context={"title": _("Projets"), "bulk_actions": PROJECT_BULK.menu()},
    )


@access.team_required
def project_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """The list as it is filtered, as CSV or XLSX (« Exporter cette liste »)."""
    queryset = selectors.projects_with_status(request.user).order_by("title", "pk")
    projects = ProjectFilter(request.GET, queryset=queryset).qs
    return export_response(
        fmt=fmt,
        filename=exports.file_name(),
        title=_("Projets"),
        headers=exports.headers(),
        rows=exports.rows(projects, user=request.user),
    )


# --- Bulk actions (« Pour la sélection »: programme.bulk_actions) ---------------------------------------


PROJECT_BULK_ACTIONS: list[BulkAction[Project]] = [
    BulkAction(
        "lead_add",
        _lazy("Ajouter un·e chargé·e"),
        lambda d: _("%(name)s suivra ces projets.") % {"name": member_label(d["lead"])},
        lambda actor, rows, d: services.lead_add_refusals(rows, user=d["lead"]),
        lambda actor, ids, d, ok: services.projects_bulk_add_lead(
            actor=actor, project_ids=ids, user=d["lead"], confirmed=ok
        ),
    ),
    BulkAction(
        "lead_remove",
        _lazy("Retirer un·e chargé·e"),
        lambda d: _("%(name)s ne suivra plus ces projets.") % {"name": member_label(d["lead"])},
        lambda actor, rows, d: services.lead_remove_refusals(rows, user=d["lead"]),
        lambda actor, ids, d, ok: services.projects_bulk_remove_lead(
            actor=actor, project_ids=ids, user=d["lead"], confirmed=ok
        ),
    ),
    BulkAction(
        "cohort",
        _lazy("Changer de promotion"),
        lambda d: _("Ces projets passeront dans la promotion « %(cohort)s ».") % {"cohort": d["cohort"]},
        lambda actor, rows, d: services.cohort_refusals(rows, cohort=d["cohort"]),
        lambda actor, ids, d, ok: services.projects_bulk_set_cohort(
            actor=actor, project_ids=ids, cohort=d["cohort"], confirmed=ok
        ),
    ),
    BulkAction(
        "theme",
        _lazy("Ajouter une thématique"),
        lambda d: _("La thématique « %(theme)s » sera ajoutée à ces projets.") % {"theme": d["theme"].name},
        lambda actor, rows, d: services.theme_refusals(rows, theme=d["theme"]),
        lambda actor, ids, d, ok: services.projects_bulk_add_theme(
            actor=actor, project_ids=ids, theme=d["theme"], confirmed=ok
        ),
    ),
    BulkAction(
        "invite",
        _lazy("Inviter à un événement"),
        lambda d: (
            _("Les contacts du collectif de ces projets seront invités à « %(event)s ».")
            % {"event": d["event"].name}
            + " "
            + str(INVITATION_MAILED)
        ),
        lambda actor, rows, d: services.invite_refusals(
            rows, contacts=selectors.collectives_contacts(actor, [p.pk for p in rows])
        ),
        lambda actor, ids, d, ok: services.projects_bulk_invite(
            actor=actor, project_ids=ids, event=d["event"], confirmed=ok
        ),
    ),
]


PROJECT_BULK = BulkList(
    actions=PROJECT_BULK_ACTIONS,
    form=ProjectBulkForm,
    # The list's leads (prefetched for its column) are not needed here.
    readable=lambda request: selectors.projects_with_status(request.user).prefetch_related(None),
    filterset=ProjectFilter,
    order=("title", "pk"),
    nouns=services.PROJECT_NOUNS,
    list_url="projects:project.list",
    url="projects:project.bulk",
    describe=lambda p: (p.title, p.get_phase_display()),
)


@access.team_required
def project_bulk(request: AuthedRequest) -> HttpResponse:
    """« Pour la sélection » on the project list: `programme.bulk_actions.bulk_page`."""
    return bulk_page(request, PROJECT_BULK)


PROJECT_WORDS = MenuWords(
    prompt=_lazy("— Cherchez le projet ci-dessus —"),
    none=_lazy("— Aucun projet ne correspond —"),
    found=lambda n: ngettext("— %(n)s projet trouvé —", "— %(n)s projets trouvés —", n) % {"n": n},
    more=lambda n: _("— Les %(n)s premiers : précisez la recherche —") % {"n": n},
)


@access.team_required
def project_options(request: AuthedRequest) -> HttpResponse:
    """A project menu's options (or boxes to tick) for what was typed (title or lead structure), in one
    programme when the menu names it, among the active programmes' with `active`, among the projects
    situated on a territory with `located`."""
    rows = selectors.menu_projects(
        request.user,
        programme_id=row_id(request.GET.get("programme", "")),
        active=bool(request.GET.get("active")),
        located=bool(request.GET.get("located")),
    )
    return menu_options(request, rows, selectors.project_search, project_label, PROJECT_WORDS)


@access.team_required
def project_board(request: AuthedRequest) -> HttpResponse:
    columns, closed = selectors.board(request.user)
    # The cards' URLs from one reverse per page, not one per card.
    detail = reverse("projects:project.detail", args=[0]).replace("/0/", "/{}/")
    for column in columns:
        for project in column["projects"]:
            project.detail_url = detail.format(project.pk)  # type: ignore[attr-defined]
    return render(request, "projects/project_board.html", {"columns": columns, "closed": closed})


@access.team_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedRequest) -> HttpResponse:
    form = ProjectCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        project = save_once(
            form, lambda: services.project_save(actor=request.user, edit=Edit.from_form(form))
        )
        if project is not None:
            messages.success(request, _("Projet « %(title)s » créé.") % {"title": project.title})
            return redirect(project)
    return render_form_page(
        request, project=None, form=form, title=_("Nouveau projet"), cancel=reverse("projects:project.list")
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = ProjectForm(posted(request), instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_save(actor=request.user, edit=Edit.from_form(form))
        messages.success(request, _("Projet mis à jour."))
        return redirect(project)
    return render_form_page(
        request, project=project, form=form, title=_("Modifier le projet"), cancel=project.get_absolute_url()
    )


def _upcoming_rows(upcoming: "list[selectors.Upcoming]", today: date) -> str:
    """The overview's « Prochaines échéances » rows, written with string joins — the markup the
    template's loop wrote, byte for byte; the kinds' names and the badge are prepared once per page."""
    models = (Milestone, Deliverable, Action)
    kinds = {model: escape(str(model._meta.verbose_name).capitalize()) for model in models}
    statuses = {
        model: {value: escape(str(label)) for value, label in model._meta.get_field("status").flatchoices}
        for model in models
    }
    late = ' <span class="badge badge--danger">{}</span>'.format(escape(_("en retard")))
    write_date = date_writer()
    return "".join(
        f"<tr><td>{escape(write_date(item.due_date))}{late if item.due_date < today else ''}</td>"
        f"<td>{kinds[item.model]}</td><td>{escape(item.title)}</td>"
        f"<td>{statuses[item.model].get(item.status) or escape(item.status)}</td></tr>"
        for item in upcoming
    )


def _member_items(members: "list[Membership]") -> str:
    """The overview's members (« Collectif »), written with string joins — the markup the template's loop
    wrote, byte for byte; the roles' names prepared once per page."""
    roles = choice_labels(Membership, "role")
    return "".join(
        f"<li><strong>{escape(str(m.organisation))}</strong> — {escape(roles.get(m.role, m.role))}"
        f"{f' ({escape(str(m.person))})' if m.person else ''}</li>"
        for m in members
    )


#: The overview's links: (key, URL name, its fixed arguments ahead of the project's pk).
OVERVIEW_LINKS = (
    ("phase_template", "projects:phasetemplate.project", ()),
    ("collective", "projects:project.collective", ()),
    ("mailing", "projects:mailing.compose.project", ()),
    ("deliverables", "projects:project.deliverables", ()),
    ("comments", "projects:comment.list", ("project",)),
)


@access.team_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    today = timezone.localdate()
    overview = selectors.project_overview(request.user, project, today=today)
    context = {
        **overview,
        "upcoming_rows": mark_safe(_upcoming_rows(overview["upcoming"], today)),  # noqa: S308 — escaped
        "member_items": mark_safe(_member_items(overview["members"])),  # noqa: S308 — escaped
        "links": {key: project_url(name, project.pk, *before) for key, name, before in OVERVIEW_LINKS},
        "today": today,
    }
    return render_tab(request, project, "overview", "projects/project_detail.html", context)


def _timeline_svg(tl: timeline.Timeline) -> str:
    """The frieze's ticks, row labels, phase bars and markers, written with string joins — the markup the
    template's four loops wrote, byte for byte (two hundred markers through the template engine were
    most of the tab's time)."""
    h = tl.height
    ticks = "".join(
        f'<line class="tl-grid" x1="{x}" x2="{x}" y1="14" y2="{h}"/>'
        f'<text class="tl-tick" x="{x}" y="10">{escape(label)}</text>'
        for x, label in tl.ticks
    )
    rows = "".join(f'<text class="tl-row" x="4" y="{y + 12}">{escape(label)}</text>' for y, label in tl.rows)
    bars = "".join(
        f'<g class="tl-phase tl-phase--{b.phase}{" tl-phase--late" if b.late else ""}" data-detail '
        f'tabindex="0"><title>{escape(b.title)}</title>\n    '
        + (
            f'<rect class="tl-planned" x="{b.planned[0]}" y="{b.y + 2}" width="{b.planned[1]}" '
            f'height="{tl.bar_h}" rx="2"/>'
            if b.planned
            else ""
        )
        + "\n    "
        + (
            f'<rect class="tl-actual" x="{b.actual[0]}" y="{b.y + 13}" width="{b.actual[1]}" '
            f'height="{tl.bar_h}" rx="2"/>'
            if b.actual
            else ""
        )
        + "\n  </g>"
        for b in tl.bars
    )
    shapes = {
        "milestone": '<path d="M {x} {y} l 6 7 l -6 7 l -6 -7 z"/>',
        "workshop": '<circle cx="{x}" cy="{y7}" r="5"/>',
    }
    other = '<rect x="{x}" y="{y2}" width="10" height="10" transform="translate(-5 0)"/>'
    markers = "".join(
        f'<g class="tl-marker tl-marker--{m.kind}{" tl-marker--late" if m.late else ""}" data-detail '
        f'tabindex="0"><title>{escape(m.title)}</title>'
        f'<circle class="tl-hit" cx="{m.x}" cy="{m.y + 7}" r="14"/>\n    '
        + shapes.get(m.kind, other).format(x=m.x, y=m.y, y2=m.y + 2, y7=m.y + 7)
        + "\n  </g>"
        for m in tl.markers
    )
    return "\n  ".join([ticks, rows, bars, markers])


@access.team_required
def project_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, prefetch=HEAD_PREFETCH)
    periods, tl = timeline.project_frieze(project, today=timezone.localdate())
    context = {
        "tl": tl,
        "tl_svg": mark_safe(_timeline_svg(tl)),  # noqa: S308 — every text escaped there
        "periods": periods,
        **_exchanges_page(request, project),
        "back": request.get_full_path() + "#exchanges",
    }
    return render_tab(request, project, "timeline", "projects/project_timeline.html", context)


#: Exchanges listed at a time on the « Frise » tab (the newest first; older ones a click away).
EXCHANGES_SHOWN = 20


def _exchanges_page(request: AuthedRequest, project: Project) -> dict[str, Any]:
    """A page of the project's exchanges (`?echanges=<how many newer to skip>`), read as one more row than
    shown to know whether older ones exist — no count of them all: a project with years of exchanges
    costs the same as a new one."""
    try:
        skip = min(max(0, int(request.GET.get("echanges", 0))), 1_000_000)
    except ValueError:
        skip = 0
    rows = relations_selectors.project_exchanges_slice(
        user=request.user, project=project, skip=skip, count=EXCHANGES_SHOWN + 1
    )
    return {
        "exchanges": rows[:EXCHANGES_SHOWN],
        "exchanges_newer": max(0, skip - EXCHANGES_SHOWN) if skip else None,
        "exchanges_older": skip + EXCHANGES_SHOWN if len(rows) > EXCHANGES_SHOWN else None,
    }


# --- Gate decision ------------------------------------------------------------------------------------


def _dossier_page(request: AuthedRequest, project: Project, form: GateDecisionForm | None) -> HttpResponse:
    context = {
        "dossier": selectors.gate_dossier(request.user, project),
        "form": form,
        "outcomes": services.allowed_outcomes(project),
    }
    return render_tab(request, project, "dossier", "projects/gate_dossier.html", context)


@access.team_required
def gate_dossier(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    outcomes = services.allowed_outcomes(project)
    form = GateDecisionForm(project=project) if access.is_director(request.user) and outcomes else None
    return _dossier_page(request, project, form)


@access.director_required
@require_http_methods(["GET", "POST"])
def gate_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    outcomes = services.allowed_outcomes(project)
    if not outcomes:
        messages.error(
            request,
            _("Ce projet est « %(phase)s » : plus aucune décision d’étape n’est possible.")
            % {"phase": project.get_phase_display()},
        )
        return redirect(project)
    form = GateDecisionForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        to_phase = services.target_phase(project.phase, form.cleaned_data["outcome"])
        assert to_phase is not None  # the form offers only the outcomes allowed from this phase
        decision = save_once(
            form,
            lambda: services.project_move(
                actor=request.user, project=project, to_phase=to_phase, **form.service_data()
            ),
            refusals_on_form=True,
        )
        if decision is None:
            return _dossier_page(request, project, form)
        messages.success(
            request,
            _("Décision enregistrée : %(outcome)s — le projet est maintenant en « %(phase)s ».")
            % {"outcome": decision.get_outcome_display(), "phase": decision.get_to_phase_display()},
        )
        return redirect(project)
    return _dossier_page(request, project, form)
