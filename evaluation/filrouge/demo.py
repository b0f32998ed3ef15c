"""Demo data of the fil rouge (idempotent): on partner A's project, the prototype is linked to an indicator
the collective reports, and a lesson of the project to that prototype and its workshop — one complete
chain need → idea → prototype → indicator → result → lesson, and the project's other prototypes left as
gaps to fill. Runs after the evaluation demo (indicators, lessons)."""

from evaluation.models import Lesson, ProjectIndicator, Reporter
from programme import access
from programme.demo import DemoContext
from projects.models import ItemKind, Project, WorkshopItem

from .services import indicator_outputs_set, lesson_sources_set


def build(ctx: DemoContext) -> None:
    staff, partner = ctx.users.get("staff"), ctx.users.get("partner_a")
    if ctx.programme is None or staff is None or partner is None:
        return
    project = access.scoped(partner, Project).filter(programme=ctx.programme).order_by("pk").first()
    if project is None:
        return
    prototype = (
        WorkshopItem.objects.filter(project=project, kind=ItemKind.PROTOTYPE)
        .select_related("workshop")
        .first()
    )
    indicators = ProjectIndicator.objects.filter(project=project).order_by("-reporter", "pk")
    pi = indicators.filter(reporter=Reporter.PARTNER).first() or indicators.first()
    if prototype is None or pi is None or pi.outputs.exists():
        return
    indicator_outputs_set(actor=staff, project_indicator=pi, outputs=[prototype])
    lesson = Lesson.objects.filter(programme=ctx.programme).order_by("pk").first()
    if lesson is None:
        return
    lesson.projects.add(project)
    lesson_sources_set(
        actor=staff,
        lesson=lesson,
        project=project,
        outputs=[prototype],
        workshops=[prototype.workshop] if prototype.workshop else [],
        committees=[],
    )
