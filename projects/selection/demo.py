"""Demo step of the selection flow (after prospects.demo and projects.demo)."""

from programme.demo import DemoContext
from prospects.models import Decision, SelectionDecision

from ..models import Project
from .services import project_create_from_selection, project_title_proposed


def build(ctx: DemoContext) -> None:
    """Every retained decision of the demo gets its project, and the two demo collectives are linked to
    their selection decisions. Idempotent."""
    director = ctx.users["director"]
    for decision in SelectionDecision.objects.filter(
        cohort__programme=ctx.programme, decision=Decision.RETAINED, project__isnull=True
    ).select_related("prospect__organisation"):
        existing = (
            Project.objects.filter(
                lead_organisation=decision.prospect.organisation,
                cohort=decision.cohort,
                selection_decision=None,
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            existing.selection_decision = decision
            existing.save(update_fields=["selection_decision"])
        else:
            title = project_title_proposed(decision.prospect) or decision.prospect.organisation.name
            project_create_from_selection(actor=director, decision=decision, title=title)
