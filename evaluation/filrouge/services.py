"""Writes of the fil rouge: which outputs an indicator tests, what a lesson comes from (outputs, workshops,
committees, findings). Every piece linked must belong to the same project: another project's piece is
refused with the reason, nothing saved."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from evaluation.judgement.models import Finding
from evaluation.models import Lesson, ProjectIndicator
from programme import access
from programme.audit import audit_log
from programme.models import User
from projects.models import Committee, Project, Workshop, WorkshopItem


def _foreign(pieces: Iterable[Model], project_id: int) -> list[str]:
    return [str(piece) for piece in pieces if getattr(piece, "project_id", None) != project_id]


def _labels(pieces: Iterable[Model]) -> list[str]:
    return sorted(str(piece) for piece in pieces)


@transaction.atomic
def indicator_outputs_set(
    *, actor: User, project_indicator: ProjectIndicator, outputs: Sequence[WorkshopItem]
) -> ProjectIndicator:
    """Say which workshop outputs (needs, ideas, prototypes) the project indicator tests; they replace
    the previous ones. An output of another project is refused."""
    if not access.is_team(actor):
        raise PermissionDenied
    pi = ProjectIndicator.objects.select_for_update().select_related("indicator").get(pk=project_indicator.pk)
    foreign = _foreign(outputs, pi.project_id)
    if foreign:
        raise ValidationError(
            {
                "outputs": _(
                    "Ces productions appartiennent à un autre projet et ne peuvent pas être reliées à "
                    "cet indicateur : %(items)s."
                )
                % {"items": ", ".join(foreign)}
            }
        )
    before = list(pi.outputs.all())
    if {o.pk for o in before} == {o.pk for o in outputs}:
        return pi
    pi.outputs.set(outputs)
    audit_log(
        actor=actor,
        obj=pi,
        action="project_indicator.outputs",
        changes={"outputs": [", ".join(_labels(before)), ", ".join(_labels(outputs))]},
    )
    return pi


@transaction.atomic
def lesson_sources_set(
    *,
    actor: User,
    lesson: Lesson,
    project: Project,
    outputs: Sequence[WorkshopItem],
    workshops: Sequence[Workshop],
    committees: Sequence[Committee],
    findings: Sequence[Finding] = (),
) -> Lesson:
    """Say what a lesson comes from in `project`: outputs, workshops, committees and findings of that
    project. They replace the lesson's previous sources in that project; its sources in its other
    projects stay."""
    if not access.is_team(actor):
        raise PermissionDenied
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if not lesson.projects.filter(pk=project.pk).exists():
        raise ValidationError(
            _("Cet enseignement ne concerne pas le projet « %(project)s » : reliez-le d’abord au projet.")
            % {"project": project.title}
        )
    sources: tuple[tuple[str, Sequence[Model]], ...] = (
        ("outputs", outputs),
        ("workshops", workshops),
        ("committees", committees),
        ("findings", findings),
    )
    errors = {}
    for field, pieces in sources:
        foreign = _foreign(pieces, project.pk)
        if foreign and field == "findings":
            errors[field] = _(
                "Ces constats répondent aux questions d’un autre projet et ne peuvent pas être reliés à "
                "cet enseignement ici : %(items)s."
            ) % {"items": ", ".join(foreign)}
        elif foreign:
            errors[field] = _(
                "Ces éléments appartiennent à un autre projet et ne peuvent pas être reliés ici : %(items)s."
            ) % {"items": ", ".join(foreign)}
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[str]] = {}
    for field, pieces in sources:
        relation = getattr(lesson, field)
        before = list(relation.filter(project=project))
        if {p.pk for p in before} == {p.pk for p in pieces}:
            continue
        relation.remove(*before)
        relation.add(*pieces)
        changes[field] = [", ".join(_labels(before)), ", ".join(_labels(pieces))]
    if changes:
        audit_log(actor=actor, obj=lesson, action="lesson.sources", changes=changes)
    return lesson
