"""The selection committee: candidates of a cohort ranked by interview score; the director records each
decision (prospects service), and a retained candidate becomes a project (projects service), in one
transaction — the contacts' e-mail leaves after commit."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from programme.models import Cohort, User
from programme.pages import save_once
from prospects import selectors as prospect_selectors
from prospects import services as prospect_services
from prospects.models import Decision, SelectionDecision, Stage

from ..models import Project
from .forms import SelectionDecisionForm
from .services import project_create_from_selection, project_title_proposed

#: The form field a refusal of the services belongs next to (the others go on top of the form).
ERROR_FIELDS = {"capacity": "capacity_override", "title": "project_title"}


def _cohorts(user: User) -> QuerySet[Cohort]:
    # Cohorts carry no personal data, but the page is the team's: scope through the team rule.
    return Cohort.objects.all() if access.is_team(user) else Cohort.objects.none()


@access.team_required
def selection_list(request: AuthedRequest) -> HttpResponse:
    cohorts = (
        _cohorts(request.user)
        .select_related("programme")
        .annotate(
            retained=Count("selection_decisions", filter=Q(selection_decisions__decision=Decision.RETAINED)),
            decided=Count("selection_decisions"),
        )
        .order_by("-year", "name")
    )
    candidates = dict(
        prospect_selectors.prospects_for(request.user)
        .filter(stage=Stage.CANDIDATE)
        .order_by()
        .values_list("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    return render(request, "projects/selection/list.html", {"cohorts": cohorts, "candidates": candidates})


def _committee_context(
    request: AuthedRequest, cohort: Cohort, *, forms: dict[int, SelectionDecisionForm] | None = None
) -> dict[str, Any]:
    # Prospects carrying what the template reads on each row and the model does not declare: this
    # cohort's decision (`cohort_decision`, from the selector) and the decision form (set here).
    candidates: list[Any] = prospect_selectors.committee_candidates(request.user, cohort)
    projects = {
        project.selection_decision_id: project
        for project in access.scoped(request.user, Project).filter(selection_decision__cohort=cohort)
    }
    forms = forms or {}
    for candidate in candidates:
        candidate.decision_form = forms.get(candidate.pk) or SelectionDecisionForm(
            prefix=f"c{candidate.pk}", initial={"project_title": project_title_proposed(candidate)}
        )
        decision = candidate.cohort_decision
        candidate.project = projects.get(decision.pk) if decision is not None else None
    retained = sum(
        1 for c in candidates if c.cohort_decision and c.cohort_decision.decision == Decision.RETAINED
    )
    return {
        "cohort": cohort,
        "candidates": candidates,
        "retained": retained,
        "full": retained >= cohort.capacity,
        "can_decide": access.is_director(request.user),
    }


@access.team_required
def selection_committee(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(_cohorts(request.user).select_related("programme"), pk=pk)
    return render(request, "projects/selection/committee.html", _committee_context(request, cohort))


@access.director_required
@require_POST
def selection_decide(request: AuthedRequest, pk: int, prospect_pk: int) -> HttpResponse:
    cohort = get_object_or_404(_cohorts(request.user).select_related("programme"), pk=pk)
    prospect = get_object_or_404(
        prospect_selectors.prospects_for(request.user).filter(programme_id=cohort.programme_id),
        pk=prospect_pk,
    )
    form = SelectionDecisionForm(request.POST, prefix=f"c{prospect.pk}")
    if form.is_valid():
        data = dict(form.cleaned_data)
        title = data.pop("project_title")

        def decide() -> tuple[SelectionDecision, Project | None]:
            decision = prospect_services.selection_decide(
                actor=request.user, cohort=cohort, prospect=prospect, **data
            )
            if decision.decision == Decision.RETAINED:
                project = project_create_from_selection(actor=request.user, decision=decision, title=title)
                return decision, project
            return decision, None

        try:
            decided = save_once(form, decide)  # one transaction: the decision and its project
        except ValidationError as error:
            form.add_error(ERROR_FIELDS.get(error.code or ""), error)
            decided = None
        if decided is not None:
            decision, project = decided
            if project is not None:
                messages.success(
                    request,
                    _(
                        "« %(name)s » est retenu : le projet « %(title)s » est créé et ses contacts sont prévenus."
                    )
                    % {"name": prospect.organisation.name, "title": project.title},
                )
            else:
                messages.success(
                    request,
                    _("Décision enregistrée pour « %(name)s » : %(decision)s.")
                    % {"name": prospect.organisation.name, "decision": decision.get_decision_display()},
                )
            return redirect("projects:selection.committee", pk=cohort.pk)
    prospect.refresh_from_db(fields=["stage"])
    if prospect.stage != Stage.CANDIDATE:
        # No decision form is shown for this row any more (decided meanwhile): say why on the page.
        for errors in form.errors.values():
            for message in errors:
                # django-stubs types ErrorList items as `ValidationError | str`; iterating yields the strings.
                messages.error(request, message)  # type: ignore[arg-type]
        return redirect("projects:selection.committee", pk=cohort.pk)
    context = _committee_context(request, cohort, forms={prospect.pk: form})
    context["error_for"] = prospect.pk
    return render(request, "projects/selection/committee.html", context)
