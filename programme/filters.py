import copy
from datetime import date
from typing import Any, ClassVar, Self

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.filters import FilterMethod

from .batch import SENTINEL_DAY, stand_in, stand_in_text
from .forms import organisation_menu
from .models import Family, Organisation, OrganisationKind, Person, Territory, Theme
from .selectors import organisation_search, person_search

# A search box: list pages refresh their table as the user types (see the hx-trigger in the template).
SearchInput = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})


class _FieldsCopiedLightly(dict[str, forms.Field]):
    """A shared form class's fields (`SharedFormFilterSet`), which each form copies (Django deep-copies
    `base_fields` in `BaseForm.__init__`) without deep-copying each menu's choices — a list of lazy labels
    nobody changes in place — or cloning its queryset: a model menu's copy iterates the same queryset,
    which a menu never evaluates in place (its options are read through `.iterator()`, a choice through
    `.get()`). Field, widget, attributes, error messages and validators are still copied as Django copies
    them, so what a request sets on its form (a menu's loaded objects, its widget's class) stays its own.
    A field made of fields (`MultiValueField`) is deep-copied whole."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: _light_copy(field, memo) for name, field in self.items()}


def _light_copy(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
    if isinstance(field, forms.MultiValueField):
        return copy.deepcopy(field, memo)
    result = forms.Field.__deepcopy__(field, memo)  # the field, its widget (attrs, choices list) copied
    if isinstance(result, forms.ModelChoiceField):
        result.widget.choices = result.choices  # an iterator over the copy, its queryset shared
    return result


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort, its ties broken by id — and the model's own order likewise when no sort is
    chosen: a list read page by page never shows a row twice nor skips one that ties with another (the
    database may order ties differently from one page's statement to the next)."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        ordered = super().filter(qs, value)
        return ordered.order_by(*(ordered.query.order_by or qs.model._meta.ordering), "pk")


class SharedFormFilterSet(django_filters.FilterSet):
    """A filter set whose menus are the same for every request: its form class is built once per class
    and its filters are copied shallowly. django-filter builds a new form class on every request and
    deep-copies every filter (their querysets' whole query trees), a list page's costliest Python after
    its template.

    Only for a filter set that changes none of its filters per request: a menu scoped to the user (a
    queryset set in `__init__`, as evaluation's filters do) must keep django-filter's own form class — the
    shared one would offer every user the first request's choices (tests/programme/test_shared_form_filterset.py
    checks that no subclass overrides `__init__`). Each form still has its own fields (Django deep-copies
    them), so loading a menu's objects (`LoadedModelChoiceField.load`) stays per request."""

    _shared_form_class: ClassVar[type[forms.Form] | None] = None
    #: The data version the menus' objects were read at, by a filter set that reads them with it
    #: (`prospects.filters.ProspectFilter.load_menus`): the list page then writes each menu's options once
    #: per version (`programme.pages.filter_fields`).
    menus_version: int | None = None

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: HttpRequest | None = None,
        prefix: str | None = None,
    ) -> None:
        # django-filter's __init__, each filter copied instead of deep-copied: its FilterMethod (a `method=`
        # filter's) is rebound to the copy, which finds the method on its own parent.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            if isinstance(base.__dict__.get("filter"), FilterMethod):
                filter_.filter = FilterMethod(filter_)
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_

    #: The day a method filter takes as today (`day()`): the request's when None; SENTINEL_DAY in a statement
    #: built with stand-ins (`stood_in`).
    today: date | None = None

    def day(self) -> date:
        return self.today or timezone.localdate()

    def prepared_text(self, name: str, value: str) -> bool:
        """Whether the method filter `name` may take a stand-in text for `value` (`standing_in`): its method
        must build the same query, but for the value, with either. None may, unless a subclass says so."""
        return False

    def prepared_value(self, name: str, value: str) -> str:
        """What the method filter `name` compares for `value`, in place of its stand-in text: the method is
        built with the stand-in, so a method that transforms its value (a search folds it) says so here, the
        same transformation leaving a stand-in as it is."""
        return value

    def standing_in(self) -> tuple[tuple[Any, ...], dict[Any, Any]] | None:
        """The filters this request applies as a statement compiled once per shape takes them
        (`programme.batch.PreparedList`): the shape — for each filter applied, in the form's order, its
        name, how its value stands in and, when it is part of the shape, the value — and the request's
        value for each stand-in. A menu's object stands in as `stand_in(n)`, a choice of a menu without
        method and a text its method accepts (`prepared_text`) as `stand_in_text(n)`; a sort, a menu's
        « not set » and a choice a method reads are the shape itself (each has few values). None when a
        filter is none of these: the page then reads the filtered queryset."""
        if self.is_bound and self.form.errors is not None:  # validated, as django-filter's `qs` does
            cleaned = self.form.cleaned_data.items()
        else:
            cleaned = {}.items()
        shape: list[tuple[str, str, Any]] = []
        values: dict[Any, Any] = {}
        for name, value in cleaned:
            filter_ = self.filters[name]
            n = len(shape)
            if isinstance(filter_, StableOrderingFilter):  # applied even without a sort: the ties
                shape.append((name, "as is", tuple(value or ())))
            elif value in EMPTY_VALUES:
                continue  # not applied (django-filter's Filter.filter and FilterMethod alike)
            elif isinstance(value, Model) and filter_.method is None:
                shape.append((name, "id", type(value)))
                values[stand_in(n)] = value.pk
            elif isinstance(filter_, django_filters.ChoiceFilter) and isinstance(value, str):
                if filter_.method is None and value != filter_.null_value:
                    shape.append((name, "text", None))
                    values[stand_in_text(n)] = value
                else:
                    shape.append((name, "as is", value))
            elif isinstance(value, str) and filter_.method is not None and self.prepared_text(name, value):
                shape.append((name, "text", None))
                values[stand_in_text(n)] = self.prepared_value(name, value)
            else:
                return None
        return tuple(shape), values

    @classmethod
    def stood_in(cls, shape: tuple[Any, ...], queryset: QuerySet[Any]) -> QuerySet[Any]:
        """`queryset` filtered as `standing_in` described, by the filters' own code, with stand-ins for the
        values and SENTINEL_DAY for today."""
        filterset: Self = cls(queryset=queryset)
        filterset.today = SENTINEL_DAY
        result = queryset.all()
        for n, (name, kind, value) in enumerate(shape):
            if kind == "id":
                value = value(pk=stand_in(n))
            elif kind == "text":
                value = stand_in_text(n)
            result = filterset.filters[name].filter(result, value)
        return result

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        shared: type[forms.Form] | None = cls.__dict__.get("_shared_form_class")
        if shared is None:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            form_class: type[forms.Form] = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            form_class.base_fields = _FieldsCopiedLightly(form_class.base_fields)
            cls._shared_form_class = shared = form_class
        return shared


class OrganisationFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    family = django_filters.ChoiceFilter(label=_("Famille"), choices=Family.choices)
    kind = django_filters.ChoiceFilter(label=_("Forme"), choices=OrganisationKind.choices)
    territory = django_filters.ModelChoiceFilter(label=_("Territoire"), queryset=Territory.objects.all())
    themes = django_filters.ModelChoiceFilter(label=_("Thématique"), queryset=Theme.objects.all())
    esus = django_filters.BooleanFilter(
        label=_("Agrément ESUS"),
        widget=forms.Select(choices=[("", _("Tous")), ("true", _("Oui")), ("false", _("Non"))]),
    )

    class Meta:
        model = Organisation
        fields = ["q", "family", "kind", "territory", "themes", "esus"]

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return organisation_search(queryset, value)


class PersonFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="search", widget=SearchInput)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Structure"), queryset=Organisation.objects.all(), widget=organisation_menu()
    )

    class Meta:
        model = Person
        fields = ["q", "organisation"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return person_search(queryset, value)
