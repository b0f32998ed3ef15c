"""Bulk actions on a list — « Pour la sélection » — the same way on every list that has them (prospects,
projects): tick rows, or « tout sélectionner » to take every row of the list's filters; choose an action;
see what it will do, which rows it will change and which it will leave as they are and why; apply it once.

A list describes itself with a `BulkList`: its actions (`BulkAction`: a label, the sentence saying what will
happen, the rows it will leave and why, the service), its form (a `BulkForm` subclass with the fields its
actions need), its selection (among the rows the user may read), its words (`BulkNouns`: « 3 prospects
modifiés », « 3 projets modifiés ») and its URLs. `bulk_page` is the view. A service takes its rows with
`locked_rows` (the whole action refused above `CONFIRM_ABOVE` rows unless confirmed), writes one audit entry
per row changed (`programme.audit.audit_many`) and returns a `BulkResult`.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import access
from .access import AuthedRequest
from .forms import Form
from .identity import MAX_ID
from .models import User
from .pages import save_once

if TYPE_CHECKING:
    from django_filters import FilterSet
    from django_stubs_ext import StrOrPromise

#: Above this many rows, a bulk action needs an explicit confirmation (« Je confirme… »).
CONFIRM_ABOVE = 1000

#: Rows listed on the confirmation page (the counts say how many there are in all).
PREVIEW_ROWS = 100


@dataclass
class BulkResult[T]:
    """What a bulk action did: the rows changed, and those left as they were with the reason."""

    applied: list[T]
    refused: list[tuple[T, str]]

    @classmethod
    def split(cls, rows: list[T], refusals: dict[int, str]) -> "BulkResult[T]":
        """The rows an action changes and those it leaves, by their refusals ({pk: reason})."""
        return cls(
            [row for row in rows if row.pk not in refusals],  # type: ignore[attr-defined]
            [(row, refusals[row.pk]) for row in rows if row.pk in refusals],  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class BulkNouns:
    """A list's words on its bulk pages, each agreeing with the count (`ngettext` in the list's app):
    `count` « 3 prospects », `selected` « 3 prospects sélectionnés », `will_change` « 2 prospects seront
    modifiés », `changed` « 2 prospects modifiés. », `confirm` « Je confirme l’action sur 3 prospects »;
    `none_selected`, `tick` and `invalid`: the refusals of an empty or malformed selection."""

    count: Callable[[int], str]
    selected: Callable[[int], str]
    will_change: Callable[[int], str]
    changed: Callable[[int], str]
    confirm: Callable[[int], str]
    none_selected: "StrOrPromise"
    tick: "StrOrPromise"
    invalid: "StrOrPromise"


def confirmation_refusal(*, count: int, confirmed: bool, nouns: BulkNouns) -> str | None:
    """Why a bulk action over `count` rows cannot run yet (too many and not confirmed), or None."""
    if count > CONFIRM_ABOVE and not confirmed:
        return _(
            "Cette action porte sur %(rows)s : cochez « %(confirm)s » pour l’appliquer. Rien n’a été modifié."
        ) % {"rows": nouns.count(count), "confirm": nouns.confirm(count)}
    return None


def locked_rows[M: Model](
    queryset: QuerySet[M], *, actor: User, ids: Iterable[int], confirmed: bool, nouns: BulkNouns
) -> list[M]:
    """The rows a bulk action changes, locked, in the queryset's order: a team member's action only, refused
    whole when there are too many rows and it is not confirmed. Called inside the bulk service's transaction."""
    if not access.is_team(actor):
        raise PermissionDenied
    wanted = sorted(set(ids))
    if refusal := confirmation_refusal(count=len(wanted), confirmed=confirmed, nouns=nouns):
        raise ValidationError(refusal, code="confirm_bulk")
    return list(queryset.select_for_update(of=("self",)).filter(pk__in=wanted))


# --- The form -------------------------------------------------------------------------------------------


class IdsField(forms.Field):
    """The ticked rows: a list of ids (hidden inputs once chosen); anything but whole numbers is refused."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if ids and not (ids[0] > 0 and ids[-1] <= MAX_ID):  # no row has it; SQLite cannot even compare it
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class BulkForm(Form):
    """A bulk action on a list: which rows (ticked `ids`, or `all` the rows of the list's filters `filters`),
    which action (`actions`: [(key, label)], the list's own) and what it needs. A subclass adds the fields
    its actions need, says which in `NEEDS` ({action: (field, …)}) and the message of a missing one in
    `REQUIRED`, and its words in `nouns`. A large selection also needs `confirmed`. It carries a one-time
    token: a double submit applies once."""

    creates = True
    nouns: ClassVar[BulkNouns]
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {}
    REQUIRED: ClassVar[dict[str, "StrOrPromise"]] = {}

    action = forms.ChoiceField(label=_lazy("Action"))
    ids = IdsField(required=False)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = actions
        self.fields["ids"].error_messages["invalid"] = self.nouns.invalid

    def needs(self) -> tuple[str, ...]:
        action = self.data.get("action") if self.is_bound else self.initial.get("action")
        return self.NEEDS.get(str(action), ())

    def param_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.needs()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("ids") and not cleaned.get("all"):
            self.add_error(None, self.nouns.tick)
        for name in self.NEEDS.get(cleaned.get("action", ""), ()):
            if name in self.REQUIRED and not cleaned.get(name):
                self.add_error(name, self.REQUIRED[name])
        return cleaned


# --- The page -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkAction[T]:
    """An action of a list's « Pour la sélection » menu. `what(data)`: what will happen, in a sentence;
    `refusals(actor, rows, data)`: the rows the action will leave as they are, with the reason (the preview; the
    service applies the same rules); `apply(actor, ids, data, confirmed)`: the service."""

    key: str
    label: "StrOrPromise"
    what: Callable[[dict[str, Any]], str]
    refusals: Callable[[User, list[T], dict[str, Any]], dict[int, str]]
    apply: Callable[[User, list[int], dict[str, Any], bool], BulkResult[T]]


@dataclass(frozen=True)
class BulkList[M: Model]:
    """A list's bulk actions: `actions`, `form`, the rows the user may read (`readable(request)`), the list's
    `filterset` and `order`, `nouns`, the URL names of the list and of its bulk page, and `describe(row)`:
    the row's name and a detail in brackets (« Alpha Scic (Qualifié) »)."""

    actions: Sequence[BulkAction[M]]
    form: type[BulkForm]
    readable: Callable[[AuthedRequest], QuerySet[M]]
    filterset: type["FilterSet"]
    order: tuple[str, ...]
    nouns: BulkNouns
    list_url: str
    url: str
    describe: Callable[[M], tuple[str, str]]

    def menu(self) -> list[tuple[str, "StrOrPromise"]]:
        return [(a.key, a.label) for a in self.actions]

    def selection(self, request: AuthedRequest, data: dict[str, Any]) -> QuerySet[M]:
        """The chosen rows: the ticked ones, or every row of the list's filters (« tout sélectionner »),
        always among those the user may read."""
        rows = self.readable(request)
        if data.get("all"):
            rows = self.filterset(QueryDict(data.get("filters") or ""), queryset=rows).qs
        else:
            rows = rows.filter(pk__in=data.get("ids") or [])
        return rows.order_by(*self.order)


def _listed(spec: BulkList[Any], rows: list[Any]) -> list[tuple[str, str, str]]:
    return [(row.get_absolute_url(), *spec.describe(row)) for row in rows[:PREVIEW_ROWS]]


def bulk_page(request: AuthedRequest, spec: BulkList[Any]) -> HttpResponse:
    """Choose → confirm → apply. GET (from the list): the selection and what the action needs; POST
    `step=preview`: the confirmation — the count, the rows, what will happen, the rows that will be
    refused and why; POST `step=apply`: the service, once (the form's one-time token), then the result."""
    actions = {a.key: a for a in spec.actions}
    posted = request.method == "POST"
    form = spec.form(request.POST if posted else request.GET, actions=spec.menu())
    valid = form.is_valid()
    data = form.cleaned_data
    if not posted:  # first arrival from the list: what the action needs is asked, not yet an error
        for name in form.needs():
            form.errors.pop(name, None)
        form.renew_submission_token()  # the confirmation, then « Appliquer », carry it: applied once
    action = actions.get(data.get("action", ""))
    if action is None:
        messages.error(request, _("Choisissez une action dans le menu « Pour la sélection »."))
        return redirect(spec.list_url)
    rows = list(spec.selection(request, data)) if "ids" in data or "all" in data else []
    back = reverse(spec.list_url) + (f"?{data['filters']}" if data.get("filters") else "")
    context: dict[str, Any] = {
        "title": action.label,
        "form": form,
        "action": action,
        "selected": spec.nouns.selected(len(rows)),
        "posted": posted,
        "back": back,
        "bulk_url": reverse(spec.url),
    }
    if not rows:
        if not form.non_field_errors():  # a filter that selects nothing (the form said « cochez… » already)
            form.add_error(None, spec.nouns.none_selected)
        return render(request, "includes/bulk.html", context)
    if valid and posted:
        refusals = action.refusals(request.user, rows, data)
        split = BulkResult.split(rows, refusals)
        applied, refused = split.applied, [row for row, _reason in split.refused]
        context.update(
            preview=True,
            what=action.what(data),
            will_change=spec.nouns.will_change(len(applied)),
            applied=_listed(spec, applied),
            applied_count=len(applied),
            applied_more=max(0, len(applied) - PREVIEW_ROWS),
            refused=[
                (row.get_absolute_url(), spec.describe(row)[0], refusals[row.pk])
                for row in refused[:PREVIEW_ROWS]
            ],
            refused_count=len(refused),
            refused_more=max(0, len(refused) - PREVIEW_ROWS),
            confirm=spec.nouns.confirm(len(rows)) if len(rows) > CONFIRM_ABOVE else "",
        )
        if request.POST.get("step") == "apply":
            result = save_once(
                form,
                lambda: action.apply(request.user, [row.pk for row in rows], data, data["confirmed"]),
                refusals_on_form=True,
            )
            if result is not None:
                done = {
                    "title": action.label,
                    "changed": spec.nouns.changed(len(result.applied)),
                    "refused": [
                        (row.get_absolute_url(), spec.describe(row)[0], reason)
                        for row, reason in result.refused
                    ],
                    "back": back,
                }
                return render(request, "includes/bulk_done.html", done)
    return render(request, "includes/bulk.html", context)
