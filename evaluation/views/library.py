"""The evaluation home page and the indicator library."""

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluation.models import Indicator, Lesson, Measurement
from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.pages import posted, render_filtered_list, submitted
from projects.models import Project

from .. import services
from ..filters import IndicatorFilter
from ..forms import IndicatorForm
from ..models import MeasurementStatus


@access.team_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    pending = (
        access.scoped(user, Measurement)
        .filter(project_indicator__project=OuterRef("pk"), status=MeasurementStatus.SUBMITTED)
        .order_by()
        .values("project_indicator__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = (
        access.scoped(user, Project)
        .select_related("cohort")
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            pending=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
        )
        .order_by("title")
    )
    measurements = access.scoped(user, Measurement)
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    context = {
        "title": _("Évaluation"),
        "projects": page.object_list,
        "page": page,
        "querystring": "",
        "indicator_count": access.scoped(user, Indicator).filter(is_active=True).count(),
        "submitted_count": measurements.filter(status=MeasurementStatus.SUBMITTED).count(),
        "returned_count": measurements.filter(status=MeasurementStatus.RETURNED).count(),
        "lessons": access.scoped(user, Lesson).prefetch_related("themes")[:5],
    }
    return render(request, "evaluation/home.html", context)


@access.team_required
def indicator_list(request: AuthedRequest) -> HttpResponse:
    queryset = (
        access.scoped(request.user, Indicator).annotate(projects=Count("project_indicators")).order_by("name")
    )
    return render_filtered_list(
        request,
        filterset=IndicatorFilter(request.GET, queryset=queryset),
        template="evaluation/indicator_list.html",
        partial="evaluation/partials/_indicator_table.html",
        context={"title": _("Bibliothèque d’indicateurs")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def indicator_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create (no pk) or edit an indicator of the library."""
    indicator = get_object_or_404(access.scoped(request.user, Indicator), pk=pk) if pk else None
    form = IndicatorForm(posted(request), instance=indicator)
    saved = submitted(
        request,
        form,
        lambda: services.indicator_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: (
            _("Indicateur « %(name)s » ajouté à la bibliothèque.") % {"name": saved.name}
            if indicator is None
            else _("Indicateur mis à jour.")
        ),
    )
    if saved is not None:
        return redirect("evaluation:indicator.list")
    context = {
        "form": form,
        "creating": indicator is None,
        "indicator": indicator,
        "audit_entries": history(indicator) if indicator else [],
    }
    return render(request, "evaluation/indicator_form.html", context)
