"""Forms of findings, evidence, recommendations, the collective's reading and a site's kit."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import EvaluationQuestion
from programme.forms import Form
from projects.models import Phase

from .models import EvidenceKind, Finding, Level, Verdict

TEXT = forms.Textarea(attrs={"rows": 4})


class FindingForm(Form):
    """The team's answer and, per criterion of the question, the level reached and its justification
    (fields `level_<id>`, `justification_<id>`). Saving twice rewrites the same finding."""

    answer = forms.CharField(label=_("Réponse de l’équipe"), widget=TEXT)

    def __init__(
        self, *args: Any, question: EvaluationQuestion, finding: Finding | None, **kwargs: Any
    ) -> None:
        self.criteria = list(question.criteria.all())
        levels = {lv.criterion_id: lv for lv in finding.levels.all()} if finding else {}
        initial = kwargs.setdefault("initial", {})
        if finding:
            initial.setdefault("answer", finding.answer)
        for c in self.criteria:
            if c.pk in levels:
                initial.setdefault(f"level_{c.pk}", levels[c.pk].level)
                initial.setdefault(f"justification_{c.pk}", levels[c.pk].justification)
        super().__init__(*args, **kwargs)
        for c in self.criteria:
            self.fields[f"level_{c.pk}"] = forms.ChoiceField(
                label=_("Niveau atteint — %(criterion)s") % {"criterion": c.text},
                choices=[("", _("Non évalué")), *Level.choices],
                required=False,
            )
            self.fields[f"justification_{c.pk}"] = forms.CharField(
                label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def levels(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"level_{c.pk}") or "",
                self.cleaned_data.get(f"justification_{c.pk}") or "",
            )
            for c in self.criteria
        }


class EvidenceForm(Form):
    """One piece of evidence: a record of the project (`source` = "<kind>:<id>") or a free observation."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    source = forms.CharField(label=_("Preuve"), widget=forms.Select)
    observation = forms.CharField(
        label=_("Observation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pour une observation libre : ce qui a été vu ou entendu, par qui, quand."),
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[tuple[str, Any]] = [(str(EvidenceKind.OBSERVATION), _("Observation libre (ci-dessous)"))]
        for kind, rows in choices.items():
            if rows:
                groups.append(
                    (str(EvidenceKind(kind).label), [(f"{kind}:{pk}", label) for pk, label in rows])
                )
        self.fields["source"].widget.choices = groups

    def parsed(self) -> tuple[str, int | None]:
        kind, _sep, pk = str(self.cleaned_data["source"]).partition(":")
        return kind, int(pk) if pk.isdigit() else None


class RecommendationForm(Form):
    phase = forms.ChoiceField(
        label=_("Fin de phase"),
        choices=[(p, Phase(p).label) for p in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT)],
    )
    verdict = forms.ChoiceField(label=_("Recommandation"), choices=Verdict.choices, widget=forms.RadioSelect)
    argument = forms.CharField(label=_("Argumentaire"), widget=TEXT)
    shared = forms.BooleanField(label=_("Partager avec le collectif"), required=False)


class ReadingForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    text = forms.CharField(label=_("Lecture du collectif"), widget=forms.Textarea(attrs={"rows": 3}))


class SiteKitForm(Form):
    kit = forms.TypedChoiceField(label=_("Kit de départ"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, kits: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kit"].choices = [("", _("Aucun")), *kits]  # type: ignore[attr-defined]
