"""Forms of the fil rouge: the outputs an indicator tests, the sources of a lesson in a project (outputs,
workshops, committees, findings).

The choices offered are the project's own pieces; the fields accept any piece the person may read, so a
piece of another project (a forged or stale form) reaches the service, which refuses it with the reason."""

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from evaluation.judgement.models import Finding
from programme import access
from programme.forms import Form, ticked
from programme.models import User
from projects.models import Committee, Project, Workshop, WorkshopItem


def _pieces(form: forms.BaseForm, name: str, readable: QuerySet[Any], offered: list[tuple[int, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelMultipleChoiceField)
    field.queryset = readable
    field.widget.choices = offered


def _offered(rows: "QuerySet[Model]") -> list[tuple[int, str]]:
    return [(row.pk, str(row)) for row in rows]


class IndicatorOutputsForm(Form):
    outputs = ticked(
        WorkshopItem.objects.none(),
        label=_("Productions d’atelier testées par cet indicateur"),
        help_text=_("Le plus souvent un prototype ; un besoin ou une idée peuvent l’être aussi."),
    )

    def __init__(self, *args: Any, user: User, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = access.scoped(user, WorkshopItem)
        _pieces(self, "outputs", items, _offered(items.filter(project=project).order_by("kind", "title")))


class LessonSourcesForm(Form):
    outputs = ticked(WorkshopItem.objects.none(), label=_("Productions d’atelier"))
    workshops = ticked(Workshop.objects.none(), label=_("Ateliers"))
    committees = ticked(Committee.objects.none(), label=_("Comités"))
    findings = ticked(
        Finding.objects.none(),
        label=_("Constats"),
        help_text=_("Les réponses de l’équipe aux questions évaluatives du projet."),
    )

    def __init__(self, *args: Any, user: User, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, model, order in (
            ("outputs", WorkshopItem, ("kind", "title")),
            ("workshops", Workshop, ("starts_at",)),
            ("committees", Committee, ("date",)),
            ("findings", Finding, ("question__order",)),
        ):
            readable = access.scoped(user, model)
            if model is Finding:
                readable = readable.select_related("question")
            _pieces(self, name, readable, _offered(readable.filter(project=project).order_by(*order, "pk")))
