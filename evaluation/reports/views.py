"""The director dashboard (page and exports) and the pages of the PDF reports: list, order, follow (HTMX
polling), download, retry, share."""

import functools
import hashlib
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluation.figures import FIGURES
from evaluation.models import Report, ReportKind, ReportStage, ReportStatus
from evaluation.selectors import Filters, period_text
from programme import access
from programme.access import AuthedRequest
from programme.audit import history
from programme.exports import FORMATS, XLSX_TYPE, export_response
from programme.files import private_file_response
from programme.formatting import fr_date
from programme.forms import add_validation_error
from programme.models import Cohort, Programme, Territory, Theme
from programme.pages import acted, posted, render_filtered_list, save_once, share_toggle
from programme.selectors import filter_choices
from projects.funding.models import Convention

from . import cerfa, selectors, services
from . import dashboard as dashboard_tables
from .filters import ReportFilter
from .forms import DashboardFilterForm, ReportFinaliseForm, ReportOrderForm, ReportTextForm

# --- Director dashboard ---------------------------------------------------------------------------------


def _pk(value: Cohort | Territory | Theme | None) -> int | None:
    return value.pk if value else None


def _dashboard_filters(
    request: HttpRequest,
) -> tuple[DashboardFilterForm, Filters, Programme | None, int]:
    """Read the filters from the query string; an unknown value is ignored, never an error page. Also
    returns the data version read with the menus (what the figures are cached on)."""
    choices = filter_choices()  # every menu of the filters, and the programme, in one query
    programme = choices.programme(request.GET.get("programme", ""))
    today = timezone.localdate()
    first_year = programme.start_date.year if programme and programme.start_date else today.year - 2
    years = list(range(today.year, min(first_year, today.year) - 1, -1))
    data = request.GET.copy()
    if programme:
        data["programme"] = str(programme.pk)
    form = DashboardFilterForm(data, programme=programme, years=years, choices=choices)
    form.is_valid()
    cleaned = {
        name: form.cleaned_data.get(name)
        for name in ("cohort", "territory", "theme", "year")
        if name not in form.errors
    }
    filters = Filters(
        programme_id=programme.pk if programme else None,
        cohort_id=_pk(cleaned.get("cohort")),
        territory_id=_pk(cleaned.get("territory")),
        theme_id=_pk(cleaned.get("theme")),
        year=cleaned.get("year") or None,
    )
    return form, filters, programme, choices.version


def _active_filters(request: HttpRequest, form: DashboardFilterForm) -> list[dict[str, Any]]:
    active = []
    for name in ("cohort", "territory", "theme", "year"):
        value = form.cleaned_data.get(name) if name not in form.errors else None
        if value in (None, ""):
            continue
        query = request.GET.copy()
        query.pop(name, None)
        active.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "value": str(value),
                "remove_query": query.urlencode(),
            }
        )
    return active


@access.team_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    form, filters, programme, version = _dashboard_filters(request)
    key = selectors.dashboard_key(user=request.user, filters=filters, version=version)
    # The figures are read (or computed) only when the body is not cached: the page around it needs none.
    load = functools.cache(lambda: selectors.dashboard_figures(user=request.user, filters=filters, key=key))
    figures = SimpleLazyObject(lambda: load().figures)
    query = request.GET.copy()
    query.pop("table", None)
    context: dict[str, Any] = {
        "filter_form": form,
        "programme": programme,
        "filters": filters,
        "figures": figures,
        "headline": SimpleLazyObject(lambda: figures["headline"]),
    }

    def body() -> tuple[str, float]:
        loaded = load()
        html = render_to_string(
            "evaluation/partials/_dashboard_body.html",
            {
                **context,
                "figures": loaded.figures,
                "headline": loaded.figures["headline"],
                "defs": FIGURES,
                "tables": dashboard_tables.tables_from(loaded.figures),
                "charts": dashboard_tables.charts_from(loaded.figures),
                "active_filters": _active_filters(request, form),
                "querystring": query.urlencode(),
            },
            request,
        )
        return html, loaded.expires

    # The body shows the figures and the query string (active filters, export links) only: cached beside
    # the figures, for the same query string.
    digest = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]
    context["body"] = mark_safe(selectors.dashboard_derived(key, f"body:{digest}", body))  # noqa: S308 — our template's output
    if request.htmx and not request.htmx.boosted:
        return HttpResponse(context["body"])
    return render(request, "evaluation/dashboard.html", context)


@access.team_required
def dashboard_export(request: AuthedRequest, table: str, fmt: str) -> HttpResponse:
    if table not in dashboard_tables.TABLES or fmt not in FORMATS:  # before the table is computed
        raise Http404
    _form, filters, _programme, _version = _dashboard_filters(request)
    data = dashboard_tables.table_for(table, user=request.user, filters=filters)
    stamp = timezone.localdate().isoformat()
    # The table, then what it counts and over which dates (a blank line apart, as a footnote).
    footnote = [[], [_("Définition"), data.meaning], [_("Période"), period_text(filters)]]
    return export_response(
        fmt=fmt,
        filename=f"parcours-{table}-{stamp}",
        title=data.title,
        headers=data.export_headers,
        rows=data.rows + footnote,
    )


# --- Compte rendu financier of a convention (Cerfa 15059) ---------------------------------------------------

CERFA_TYPES = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


@access.team_required
@require_GET
def cerfa_export(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """The convention's compte rendu financier, to finish and send: the team only (partners never)."""
    if fmt not in CERFA_TYPES:
        raise Http404
    convention = access.get_for_user_or_404(
        access.scoped(request.user, Convention).select_related(
            "project__lead_organisation", "request__funder", "request__funder_programme"
        ),
        pk=pk,
    )
    form = cerfa.compte_rendu(convention)
    content = cerfa.xlsx(form) if fmt == "xlsx" else cerfa.pdf(form)
    response = HttpResponse(content, content_type=CERFA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{form.filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- PDF reports ----------------------------------------------------------------------------------------


def _status_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    can_manage = access.is_team(request.user)
    return {
        "report": report,
        "finalise_form": ReportFinaliseForm()
        if can_manage and report.stage == ReportStage.DRAFT and report.status == ReportStatus.DONE
        else None,
        "pending": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        "progress_label": services.progress_label(report.progress),
        "can_manage": access.is_team(request.user),
        "stuck": services.report_is_stuck(report),
    }


@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    if not (access.is_team(request.user) or access.is_partner(request.user)):
        raise Http404
    filterset = ReportFilter(request.GET, queryset=selectors.report_list(user=request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/report_list.html",
        partial="evaluation/report_table.html",
        context={"can_order": access.is_team(request.user)},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def report_create(request: AuthedRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("kind", "project", "programme") if request.GET.get(key)}
    form = ReportOrderForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = save_once(
                form, lambda: services.report_request(actor=request.user, **form.service_kwargs())
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if report is not None:
                if report.created:
                    messages.success(request, _("Rapport commandé."))
                else:
                    messages.info(request, _("Ce rapport est déjà en préparation : suivez-le ici."))
                return redirect("evaluation:report.detail", pk=report.pk)
    return render(request, "evaluation/report_form.html", {"form": form})


@require_GET
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _current(request, pk)
    context = _status_context(request, report)
    if access.is_team(request.user):
        context["audit_entries"] = history(report, limit=20)
        if report.stage != ReportStage.GENERATED:
            context["latest_text"] = services.report_text_latest(report)
    context["parameters"] = _describe_parameters(report)
    return render(request, "evaluation/report_detail.html", context)


@require_GET
def report_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The status card alone: polled every 2 s by HTMX while the report is queued or running."""
    report = _current(request, pk)
    return render(request, "evaluation/report_status.html", _status_context(request, report))


def _current(request: AuthedRequest, pk: int) -> Report:
    """The report as it stands: restarted if its render was interrupted, rendered again if the project's
    money switch changed since its collective's edition was rendered."""
    report = services.report_expire_stale(report=selectors.report_get(user=request.user, pk=pk))
    return services.report_follow_money_switch(report=report)


def _download(
    request: AuthedRequest, pk: int, *, field: str, extension: str, content_type: str
) -> HttpResponseBase:
    """The report's file (`field`: its PDF `file` or its Word `docx`), of the edition this person reads:
    a finished report whose money switch changed is brought up to date first (its page is shown
    meanwhile), and a partner gets it only while it is shared with them."""
    report = selectors.report_get(user=request.user, pk=pk)
    if report.status == ReportStatus.DONE:
        report = services.report_follow_money_switch(report=report)
        if report.status != ReportStatus.DONE:  # its edition is being brought up to date: follow it
            messages.info(request, _("Ce rapport est mis à jour : il sera prêt dans un instant."))
            return redirect("evaluation:report.detail", pk=report.pk)
        if not access.is_team(request.user) and not report.shared_with_partners:
            raise Http404  # stopped being shared just now (the money switch of a final report)
    stored = getattr(report, field)
    if report.status != ReportStatus.DONE or not stored:
        raise Http404
    filename = f"{slugify(report.title)[:80] or 'rapport'}.{extension}"
    return private_file_response(stored, filename=filename, content_type=content_type)


@require_GET
def report_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return _download(request, pk, field="file", extension="pdf", content_type="application/pdf")


#: The Word document's content type.
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_GET
def report_download_docx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The same report as an editable Word document, written with the PDF from the same HTML (the same
    edition: a partner gets the collective's, as for the PDF)."""
    return _download(request, pk, field="docx", extension="docx", content_type=DOCX_TYPE)


#: What the writing view's save returns when the text did not change (no new version).
UNCHANGED = "unchanged"


@access.team_required
@require_http_methods(["GET", "POST"])
def report_text(request: AuthedRequest, pk: int) -> HttpResponse:
    """A draft's written sections (each save a new version) and the history of its versions."""
    report = selectors.report_get(user=request.user, pk=pk)
    if report.stage == ReportStage.GENERATED:
        raise Http404
    latest = services.report_text_latest(report)
    initial = {name: getattr(latest, name) for name in ReportTextForm.base_fields} if latest else {}
    editable = report.stage == ReportStage.DRAFT
    form = ReportTextForm(posted(request) if editable else None, initial=initial)

    def save() -> object:
        try:
            return (
                services.report_text_save(actor=request.user, report=report, texts=form.cleaned_data)
                or UNCHANGED
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return None

    if editable and request.method == "POST" and form.is_valid():
        saved = save_once(form, save)
        if saved == UNCHANGED:
            messages.info(request, _("Aucune modification : aucune nouvelle version n’a été enregistrée."))
            return redirect("evaluation:report.text", pk=report.pk)
        if saved is not None:
            messages.success(
                request,
                _("Version %(version)s enregistrée : l’aperçu PDF du brouillon se met à jour.")
                % {"version": getattr(saved, "version", "")},
            )
            return redirect("evaluation:report.text", pk=report.pk)
    return render(
        request,
        "evaluation/report_text.html",
        {
            "report": report,
            "form": form,
            "editable": editable,
            "versions": report.texts.select_related("written_by").order_by("-version"),
        },
    )


@access.team_required
@require_POST
def report_finalise(request: AuthedRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    form = ReportFinaliseForm(posted(request))
    if form.is_valid():
        try:
            done = save_once(
                form,
                lambda: services.report_finalise(
                    actor=request.user, report=report, for_collective=form.cleaned_data["for_collective"]
                ),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if done is not None:
                messages.success(request, _("Version finale demandée : son PDF ne changera plus."))
            else:
                messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("evaluation:report.detail", pk=report.pk)


@access.team_required
@require_POST
def report_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    retried = acted(
        request,
        lambda: services.report_retry(actor=request.user, report=report),
        message=_("Rapport relancé."),
    )
    return redirect("evaluation:report.detail", pk=(retried or report).pk)


@access.team_required
@require_POST
def report_share(request: AuthedRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    share_toggle(
        request,
        lambda shared: services.report_share(actor=request.user, report=report, shared=shared),
        shared=_("Rapport partagé avec le collectif du projet."),
        kept=_("Le collectif n’a plus accès à ce rapport."),
    )
    return redirect("evaluation:report.detail", pk=report.pk)


def _describe_parameters(report: Report) -> list[tuple[str, str]]:
    params = report.parameters or {}
    rows = [(_("Programme"), report.programme.name)]
    if report.kind == ReportKind.FUNDER and report.project is not None:
        rows.append((_("Projet"), report.project.title))
    if report.kind == ReportKind.RESEARCH_MATRIX:
        # Either end of the matrix's period may be open (evaluation/research/reports.py says it).
        from evaluation.research.reports import period_label

        return [*rows, (_("Période"), period_label(params))]
    if params.get("period_start"):
        rows.append(
            (
                _("Période"),
                f"{fr_date(date.fromisoformat(params['period_start']))} – {fr_date(date.fromisoformat(params['period_end']))}",
            )
        )
    if params.get("cohort"):
        rows.append((_("Promotion"), str(Cohort.objects.filter(pk=params["cohort"]).first() or "—")))
    if params.get("territory"):
        rows.append((_("Territoire"), str(Territory.objects.filter(pk=params["territory"]).first() or "—")))
    return rows
