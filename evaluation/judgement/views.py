"""Pages of findings, recommendations, gate dossiers and essaimage kits.

The team's pages render inside the project page's « Évaluation » tab (`render_tab`); the decision page of
projects loads `decision_panel` by URL. The collective reads what the team shares in the portal
(`portal_findings`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluation.models import EvaluationQuestion
from programme import access
from programme.access import AuthedRequest
from programme.files import private_file_response
from programme.forms import add_validation_error
from programme.pages import acted, posted, share_toggle, submitted
from projects.models import DeploymentSite, GateDecision, Project
from projects.views.base import project_for, render_tab

from . import selectors, services
from .forms import EvidenceForm, FindingForm, ReadingForm, RecommendationForm, SiteKitForm
from .models import EssaimageKit, Evidence, Finding, GateDossier, RenderStatus


def _finding_of(question: EvaluationQuestion) -> Finding | None:
    return Finding.objects.filter(question=question).prefetch_related("levels").first()


@access.team_required
@require_GET
def findings(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """Findings per evaluative question, the recommendations, the gate dossiers and the essaimage kits."""
    project = project_for(request, project_pk)
    kits = list(selectors.kits_for(user=request.user, project=project).defer("snapshot"))
    dossiers = list(selectors.dossiers_for(user=request.user, project=project).defer("snapshot")[:10])
    for rendered in [*kits, *dossiers]:  # a worker killed mid-render: say so (no query otherwise)
        services.render_expire_stale(rendered)
    context = {
        "questions": selectors.questions_with_findings(user=request.user, project=project),
        "recommendations": selectors.recommendations_for(user=request.user, project=project),
        "dossiers": dossiers,
        "kits": kits,
        "kit_refusal": selectors.kit_refusal(user=request.user, project=project),
        "sites": [
            (
                site,
                SiteKitForm(
                    kits=_kit_choices(kits),
                    initial={"kit": getattr(getattr(site, "kit_used", None), "kit_id", None)},
                ),
            )
            for site in selectors.sites_for(user=request.user, project=project)
        ],
    }
    return render_tab(request, project, "evaluation", "evaluation/judgement/findings.html", context)


def _kit_choices(kits: list[EssaimageKit]) -> list[tuple[int, str]]:
    return [(k.pk, _("Version %(v)s") % {"v": k.version}) for k in kits if k.status == RenderStatus.DONE]


def _question(request: AuthedRequest, pk: int) -> EvaluationQuestion:
    return get_object_or_404(
        access.scoped(request.user, EvaluationQuestion)
        .select_related("project")
        .prefetch_related("criteria"),
        pk=pk,
    )


def _finding_page(
    request: AuthedRequest,
    question: EvaluationQuestion,
    form: FindingForm,
    evidence_form: EvidenceForm | None = None,
) -> HttpResponse:
    project = question.project
    finding = _finding_of(question)
    evidence = (
        list(
            Evidence.objects.filter(finding=finding).select_related(
                "measurement__project_indicator__indicator", "deliverable", "workshop_item"
            )
        )
        if finding
        else []
    )
    choices = selectors.evidence_choices(user=request.user, project=project)
    context = {
        "question": question,
        "finding": finding,
        "form": form,
        "evidence": [(e, selectors.evidence_text(e)) for e in evidence],
        "evidence_form": evidence_form or EvidenceForm(choices=choices),
    }
    return render_tab(request, project, "evaluation", "evaluation/judgement/finding_form.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: AuthedRequest, question_pk: int) -> HttpResponse:
    """Write the team's answer to an evaluative question and the level of each criterion."""
    question = _question(request, question_pk)
    form = FindingForm(posted(request), question=question, finding=_finding_of(question))

    def save() -> Finding:
        return services.finding_save(
            actor=request.user,
            question=question,
            answer=form.cleaned_data["answer"],
            levels=form.levels(),
        )

    if submitted(request, form, save, message=_("Constat enregistré."), refusals_on_form=True) is not None:
        return redirect("evaluation:judgement.finding", question_pk=question.pk)
    return _finding_page(request, question, form)


@access.team_required
@require_POST
def evidence_add(request: AuthedRequest, question_pk: int) -> HttpResponse:
    """Link a piece of evidence to the question's finding (written first)."""
    question = _question(request, question_pk)
    finding = _finding_of(question)
    choices = selectors.evidence_choices(user=request.user, project=question.project)
    form = EvidenceForm(request.POST, choices=choices)
    if finding is None:
        form.is_valid()
        form.add_error(None, _("Écrivez d’abord la réponse de l’équipe, puis liez ses preuves."))
    elif form.is_valid():
        kind, record_id = form.parsed()

        def save() -> Evidence | None:
            try:
                return services.evidence_add(
                    actor=request.user,
                    finding=finding,
                    kind=kind,
                    record_id=record_id,
                    observation=form.cleaned_data.get("observation") or "",
                )
            except ValidationError as error:
                errors = error.message_dict
                if "record" in errors or "kind" in errors:
                    form.add_error("source", errors.pop("record", []) + errors.pop("kind", []))
                add_validation_error(form, ValidationError(errors) if errors else ValidationError([]))
                return None

        if submitted(request, form, save, message=_("Preuve liée au constat.")) is not None:
            return redirect("evaluation:judgement.finding", question_pk=question.pk)
    return _finding_page(request, question, FindingForm(question=question, finding=finding), form)


@access.team_required
@require_POST
def evidence_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(access.scoped(request.user, Evidence).select_related("finding"), pk=pk)
    question_pk = evidence.finding.question_id
    services.evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, _("Preuve retirée du constat."))
    return redirect("evaluation:judgement.finding", question_pk=question_pk)


@access.team_required
@require_POST
def finding_share(request: AuthedRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(access.scoped(request.user, Finding), pk=pk)
    share_toggle(
        request,
        lambda shared: services.finding_share(actor=request.user, finding=finding, shared=shared),
        shared=_("Constat partagé avec le collectif."),
        kept=_("Constat réservé à l’équipe."),
    )
    return redirect("evaluation:judgement.findings", project_pk=finding.project_id)


@access.team_required
@require_http_methods(["GET", "POST"])
def recommendation(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The team's recommendation at the end of a phase (the current one by default)."""
    project = project_for(request, project_pk)
    phase = request.POST.get("phase") or request.GET.get("phase") or project.phase
    current = selectors.recommendation_for_phase(user=request.user, project=project, phase=phase)
    initial: dict[str, object] = {"phase": phase}
    if current:
        initial |= {
            "verdict": current.verdict,
            "argument": current.argument,
            "shared": current.shared_with_collective,
        }
    form = RecommendationForm(posted(request), initial=initial)

    def save() -> object:
        return services.recommendation_save(
            actor=request.user,
            project=project,
            phase=form.cleaned_data["phase"],
            verdict=form.cleaned_data["verdict"],
            argument=form.cleaned_data["argument"],
            shared=form.cleaned_data["shared"],
        )

    saved = submitted(request, form, save, message=_("Recommandation enregistrée."), refusals_on_form=True)
    if saved is not None:
        return redirect("evaluation:judgement.findings", project_pk=project.pk)
    return render_tab(
        request, project, "evaluation", "evaluation/judgement/recommendation_form.html", {"form": form}
    )


# --- Gate dossier ------------------------------------------------------------------------------------------


@access.team_required
@require_POST
def dossier_prepare(request: AuthedRequest, project_pk: int) -> HttpResponse:
    project = project_for(request, project_pk)
    dossier = acted(
        request,
        lambda: services.dossier_prepare(actor=request.user, project=project),
        message=_("Le dossier est en préparation : il sera prêt dans un instant."),
    )
    if dossier is None:
        return redirect("projects:gate.dossier", pk=project.pk)
    return redirect("evaluation:judgement.dossier", pk=dossier.pk)


def _dossier(request: AuthedRequest, pk: int) -> GateDossier:
    return get_object_or_404(
        access.scoped(request.user, GateDossier).select_related("project", "requested_by"), pk=pk
    )


@access.team_required
@require_GET
def dossier_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A prepared dossier: its progress while it renders, then its fingerprint, its PDF and what it shows."""
    dossier = _dossier(request, pk)
    project = project_for(request, dossier.project_id)
    services.render_expire_stale(dossier)  # a worker killed mid-render: say so and offer to prepare again
    context = {
        "dossier": dossier,
        "stale": selectors.dossier_is_stale(user=request.user, dossier=dossier),
        "used_by": list(dossier.decisions.select_related("decision")),
    }
    if request.htmx:
        return render(
            request, "evaluation/judgement/partials/_dossier_status.html", {**context, "project": project}
        )
    return render_tab(request, project, "evaluation", "evaluation/judgement/dossier_detail.html", context)


@require_GET
def dossier_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The dossier's PDF: the team's, or the collective's once the team shared it (404 otherwise)."""
    if not request.user.is_authenticated:
        raise Http404
    dossier = _dossier(request, pk)
    if dossier.status != RenderStatus.DONE:
        raise Http404
    filename = f"dossier-{slugify(dossier.project.title)[:60] or 'projet'}-{dossier.as_of:%Y-%m-%d}.pdf"
    return private_file_response(dossier.file, filename=filename, content_type="application/pdf")


def _share(request: AuthedRequest, document: GateDossier | EssaimageKit) -> None:
    """Share (or stop sharing) a dossier or a kit, as posted; the outcome or the refusal as a message."""
    dossier = isinstance(document, GateDossier)
    share_toggle(
        request,
        lambda shared: services.document_share(actor=request.user, document=document, shared=shared),
        shared=_("Dossier partagé avec le collectif.") if dossier else _("Kit partagé avec le collectif."),
        kept=_("Dossier réservé à l’équipe.") if dossier else _("Kit réservé à l’équipe."),
    )


@access.team_required
@require_POST
def dossier_share(request: AuthedRequest, pk: int) -> HttpResponse:
    dossier = _dossier(request, pk)
    _share(request, dossier)
    return redirect("evaluation:judgement.dossier", pk=dossier.pk)


@access.team_required
@require_GET
def decision_panel(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The decision page's piece (loaded by URL): the dossier to present, whether the data changed since,
    and what the committee saw for each earlier decision."""
    project = project_for(request, project_pk)
    latest = selectors.dossiers_for(user=request.user, project=project).filter(phase=project.phase).first()
    context = {
        "project": project,
        "latest": latest,
        "stale": bool(latest and selectors.dossier_is_stale(user=request.user, dossier=latest)),
        "seen": selectors.decisions_seen(user=request.user, project=project),
    }
    return render(request, "evaluation/judgement/partials/_decision_panel.html", context)


@access.team_required
@require_GET
def decision_seen(request: AuthedRequest, decision_pk: int) -> HttpResponse:
    """« Ce que le comité a vu » for one gate decision: the frozen dossier, drawn from its snapshot."""
    decision = get_object_or_404(
        access.scoped(request.user, GateDecision).select_related("project", "decided_by"), pk=decision_pk
    )
    project = project_for(request, decision.project_id)
    seen = getattr(decision, "committee_saw", None)
    context = {"decision": decision, "seen": seen, "dossier": seen.dossier if seen else None}
    return render_tab(request, project, "evaluation", "evaluation/judgement/decision_seen.html", context)


# --- Essaimage kit -----------------------------------------------------------------------------------------


@access.team_required
@require_POST
def kit_generate(request: AuthedRequest, project_pk: int) -> HttpResponse:
    project = project_for(request, project_pk)
    acted(
        request,
        lambda: services.kit_generate(actor=request.user, project=project),
        message=lambda kit: _("Kit version %(v)s en préparation.") % {"v": kit.version},
    )
    return redirect("evaluation:judgement.findings", project_pk=project.pk)


@require_GET
def kit_download(request: AuthedRequest, pk: int, part: str) -> HttpResponseBase:
    """The kit's PDF or ZIP (the team's; the collective's once shared)."""
    if not request.user.is_authenticated:
        raise Http404
    kit = get_object_or_404(access.scoped(request.user, EssaimageKit).select_related("project"), pk=pk)
    if kit.status != RenderStatus.DONE:
        raise Http404
    stem = f"kit-essaimage-{slugify(kit.project.title)[:60] or 'projet'}-v{kit.version}"
    if part == "zip":
        return private_file_response(kit.archive, filename=f"{stem}.zip", content_type="application/zip")
    return private_file_response(kit.file, filename=f"{stem}.pdf", content_type="application/pdf")


@access.team_required
@require_POST
def kit_share(request: AuthedRequest, pk: int) -> HttpResponse:
    """Share a finished kit with the project's collective (it downloads it from the portal), or stop."""
    kit = get_object_or_404(access.scoped(request.user, EssaimageKit).select_related("project"), pk=pk)
    _share(request, kit)
    return redirect("evaluation:judgement.findings", project_pk=kit.project_id)


@access.team_required
@require_POST
def site_kit(request: AuthedRequest, site_pk: int) -> HttpResponse:
    """Record which kit version a deployment site started from."""
    site = get_object_or_404(access.scoped(request.user, DeploymentSite), pk=site_pk)
    kits = list(selectors.kits_for(user=request.user, project=site.project))
    form = SiteKitForm(request.POST, kits=_kit_choices(kits))
    if form.is_valid():
        kit = next((k for k in kits if k.pk == form.cleaned_data["kit"]), None)
        acted(
            request,
            lambda: services.site_kit_set(actor=request.user, site=site, kit=kit),
            message=_("Kit de départ du site enregistré."),
        )
    else:
        messages.error(request, _("Choisissez un kit prêt de ce projet."))
    return redirect("evaluation:judgement.findings", project_pk=site.project_id)


# --- The collective, in the portal -------------------------------------------------------------------------


@access.partner_required
@require_GET
def portal_findings(request: AuthedRequest, pk: int) -> HttpResponse:
    """What the team shared of its judgement: findings (with the collective's readings), recommendations,
    lessons, dossiers, essaimage kits. 404 for a project outside the partner's collectives."""
    project = get_object_or_404(access.scoped(request.user, Project), pk=pk)
    questions = [q for q in selectors.questions_with_findings(user=request.user, project=project) if q.found]  # type: ignore[attr-defined]
    context = {
        "project": project,
        "questions": questions,
        "recommendations": selectors.recommendations_for(user=request.user, project=project),
        "lessons": selectors.lessons_for(user=request.user, project=project),
        "dossiers": list(
            selectors.dossiers_for(user=request.user, project=project).filter(status=RenderStatus.DONE)
        ),
        "kits": list(selectors.kits_for(user=request.user, project=project).filter(status=RenderStatus.DONE)),
        "reading_form": ReadingForm(),
    }
    return render(request, "evaluation/judgement/portal_findings.html", context)


@access.partner_required
@require_POST
def portal_reading_add(request: AuthedRequest, finding_pk: int) -> HttpResponse:
    finding = get_object_or_404(access.scoped(request.user, Finding), pk=finding_pk)
    form = ReadingForm(request.POST)

    def save() -> object:
        return services.reading_add(actor=request.user, finding=finding, text=form.cleaned_data["text"])

    saved = submitted(
        request, form, save, message=_("Votre lecture est ajoutée au constat."), refusals_on_form=True
    )
    if saved is not None:
        return redirect("portal:judgement.findings", pk=finding.project_id)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("portal:judgement.findings", pk=finding.project_id)
