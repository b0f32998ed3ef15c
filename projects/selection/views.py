"""The selection committee: candidates of a cohort ranked by interview score; the director records each
decision (prospects service), and a retained candidate becomes a project (projects service), in one
transaction — the contacts' e-mail leaves after commit."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from programme import access
from programme.access import AuthedRequest
from programme.models import Cohort, User
from programme.pages import save_once
from prospects import selectors as prospect_selectors
from prospects import services as prospect_services
from prospects.models import Decision, Prospect, SelectionDecision, Stage

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


def _committee_context(request: AuthedRequest, cohort: Cohort) -> dict[str, Any]:
    # Prospects carrying what the template reads on each row and the model does not declare: this
    # cohort's decision (`cohort_decision`, from the selector) and its project (set here). The decision
    # forms are drawn one at a time, on demand (`selection_decide`): a promotion of a thousand candidates
    # would otherwise send a thousand forms.
    candidates: list[Any] = prospect_selectors.committee_candidates(request.user, cohort)
    projects = {
        project.selection_decision_id: project
        for project in access.scoped(request.user, Project).filter(selection_decision__cohort=cohort)
    }
    for candidate in candidates:
        decision = candidate.cohort_decision
        candidate.project = projects.get(decision.pk) if decision is not None else None
    return {
        "cohort": cohort,
        "candidates": candidates,
        **_places(cohort),
        "can_decide": access.is_director(request.user),
    }


def _places(cohort: Cohort) -> dict[str, Any]:
    retained = SelectionDecision.retained_in(cohort)
    return {"retained": retained, "full": retained >= cohort.capacity}


@access.team_required
def selection_committee(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(_cohorts(request.user).select_related("programme"), pk=pk)
    return render(request, "projects/selection/committee.html", _committee_context(request, cohort))


def _committee_url(cohort: Cohort, prospect: Prospect) -> str:
    """The committee page, scrolled to the candidate's row."""
    return f"{reverse('projects:selection.committee', args=[cohort.pk])}#candidate-{prospect.pk}"


def _decision_page(
    request: AuthedRequest, cohort: Cohort, candidate: Any, form: SelectionDecisionForm
) -> HttpResponse:
    """The decision form of one candidate: alone in the committee row that asked for it (htmx), or on a
    page of its own with the candidate's interview summary (without scripts, or to show a refusal)."""
    context = {
        "cohort": cohort,
        "candidate": candidate,
        "form": form,
        "back": _committee_url(cohort, candidate),
    }
    if request.htmx and request.method == "GET":
        return render(request, "projects/selection/partials/_decision_form.html", context)
    return render(request, "projects/selection/decide.html", {**context, **_places(cohort)})


@access.director_required
@require_http_methods(["GET", "POST"])
def selection_decide(request: AuthedRequest, pk: int, prospect_pk: int) -> HttpResponse:
    cohort = get_object_or_404(_cohorts(request.user).select_related("programme"), pk=pk)
    prospect: Any = get_object_or_404(
        prospect_selectors.prospects_for(request.user)
        .filter(programme_id=cohort.programme_id)
        .select_related("organisation"),
        pk=prospect_pk,
    )
    # The candidate with what its page shows (interview, this cohort's decision); a prospect of the
    # programme that is not one (another stage, another cohort) is left to the service, which says why.
    found = prospect_selectors.committee_candidates(request.user, cohort, prospect_pk=prospect.pk)
    prospect = found[0] if found else prospect
    prefix = f"c{prospect.pk}"
    if request.method == "GET":
        if not found or prospect.stage != Stage.CANDIDATE:
            messages.info(
                request,
                _("« %(name)s » n’attend pas de décision de ce comité (étape actuelle : %(stage)s).")
                % {"name": prospect.organisation.name, "stage": prospect.get_stage_display()},
            )
            url = _committee_url(cohort, prospect)
            # Asked from a row (htmx): the whole page goes to the committee, not the committee into the row.
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        form = SelectionDecisionForm(
            prefix=prefix, initial={"project_title": project_title_proposed(prospect)}
        )
        return _decision_page(request, cohort, prospect, form)
    form = SelectionDecisionForm(request.POST, prefix=prefix)
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
            return redirect(_committee_url(cohort, prospect))
    prospect.refresh_from_db(fields=["stage"])
    if prospect.stage != Stage.CANDIDATE:
        # No decision form is shown for this candidate any more (decided meanwhile): say why on the page.
        for errors in form.errors.values():
            for message in errors:
                # django-stubs types ErrorList items as `ValidationError | str`; iterating yields the strings.
                messages.error(request, message)  # type: ignore[arg-type]
        return redirect(_committee_url(cohort, prospect))
    return _decision_page(request, cohort, prospect, form)
