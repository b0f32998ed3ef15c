"""Pages of the PDF reports: list, order, follow (HTMX polling), download, retry, share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme import access
from programme.audit import audit_entries_for
from programme.files import private_file_response
from programme.formatting import fr_date
from programme.pages import render_filtered_list

from . import report_selectors, report_services
from .models import ReportKind, ReportStatus
from .report_filters import ReportFilter
from .report_forms import ReportOrderForm


def _status_context(request: HttpRequest, report) -> dict:
    return {
        "report": report,
        "pending": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        "progress_label": report_services.progress_label(report.progress),
        "can_manage": access.is_team(request.user),
    }


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    if not (access.is_team(request.user) or access.is_partner(request.user)):
        raise Http404
    filterset = ReportFilter(request.GET, queryset=report_selectors.report_list(user=request.user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/report_list.html",
        partial="evaluation/report_table.html",
        context={"can_order": access.is_team(request.user)},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    initial = {key: request.GET[key] for key in ("kind", "project", "programme") if request.GET.get(key)}
    form = ReportOrderForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = report_services.report_request(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if report.created:
                messages.success(request, _("Rapport commandé : il se prépare en arrière-plan."))
            else:
                messages.info(request, _("Ce rapport est déjà en préparation : suivez-le ici."))
            return redirect("evaluation:report.detail", pk=report.pk)
    return render(request, "evaluation/report_form.html", {"form": form})


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_services.report_expire_stale(report=report_selectors.report_get(user=request.user, pk=pk))
    context = _status_context(request, report)
    if access.is_team(request.user):
        context["audit_entries"] = audit_entries_for(report)[:20]
    context["parameters"] = _describe_parameters(report)
    return render(request, "evaluation/report_detail.html", context)


@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status card alone: polled every 2 s by HTMX while the report is queued or running."""
    report = report_services.report_expire_stale(report=report_selectors.report_get(user=request.user, pk=pk))
    return render(request, "evaluation/report_status.html", _status_context(request, report))


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = report_selectors.report_get(user=request.user, pk=pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    filename = f"{slugify(report.title)[:80] or 'rapport'}.pdf"
    return private_file_response(report.file, filename=filename, content_type="application/pdf")


@access.team_required
@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_selectors.report_get(user=request.user, pk=pk)
    try:
        report = report_services.report_retry(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Rapport relancé."))
    return redirect("evaluation:report.detail", pk=report.pk)


@access.team_required
@require_POST
def report_share(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_selectors.report_get(user=request.user, pk=pk)
    shared = request.POST.get("shared") == "1"
    try:
        report_services.report_share(actor=request.user, report=report, shared=shared)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if shared:
            messages.success(request, _("Rapport partagé avec le collectif du projet."))
        else:
            messages.success(request, _("Le collectif n'a plus accès à ce rapport."))
    return redirect("evaluation:report.detail", pk=report.pk)


def _describe_parameters(report) -> list[tuple[str, str]]:
    from programme.models import Cohort, Territory

    params = report.parameters or {}
    rows = [(_("Programme"), report.programme.name)]
    if report.kind == ReportKind.FUNDER and report.project_id:
        rows.append((_("Projet"), report.project.title))
    if params.get("period_start"):
        from datetime import date

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
