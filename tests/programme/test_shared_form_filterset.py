"""programme.filters.SharedFormFilterSet: a filter set built without django-filter's per-request form class
and deep copies filters and draws exactly as django-filter's own would, keeps each request's state to
itself, and is only used where no request changes the filters."""

import django_filters
import pytest
from django import forms

from programme.filters import SharedFormFilterSet
from programme.forms import use_string_selects
from prospects.filters import ProspectFilter
from prospects.models import Stage
from tests.factories import UserFactory
from tests.prospects.factories import ProspectFactory
from tests.test_bad_input import _classes_of_the_apps


def django_filter_twin(filterset_class):
    """The same filters, built the way django-filter builds them: a form class and a deep copy of every
    filter per request."""
    return type(
        f"DjangoFilter{filterset_class.__name__}",
        (filterset_class,),
        {
            "__init__": django_filters.FilterSet.__init__,
            "get_form_class": django_filters.FilterSet.get_form_class,
        },
    )


DjangoFilterProspectFilter = django_filter_twin(ProspectFilter)


QUERIES = [
    {},
    {"stage": Stage.CONTACTED, "overdue": "1", "q": "Lyon"},
    {"q": "123 456 789", "o": "-next_action"},
    {"stage": "nope", "cohort": "abc", "owner": "999999", "o": "sideways"},  # refused, left out
]


@pytest.mark.parametrize("data", QUERIES)
def test_it_filters_validates_and_draws_as_django_filter_does(world, data):
    ProspectFactory(programme=world.programme)
    data = {"programme": str(world.programme.pk), **data}
    shared, plain = ProspectFilter(data), DjangoFilterProspectFilter(data)
    for filterset in (shared, plain):
        filterset.load_menus()
        use_string_selects(filterset.form)
    assert shared.form.errors == plain.form.errors
    assert str(shared.qs.query) == str(plain.qs.query)
    assert list(shared.qs) == list(plain.qs)
    assert [str(field) for field in shared.form] == [str(field) for field in plain.form]


def _sample_data(filterset_class, *, valid):
    """For each menu of the filter set's form its last choice (or a value no menu offers), a word in each
    text box."""
    form = filterset_class().form
    data = {}
    for name, field in form.fields.items():
        choices = [str(value) for value, _label in getattr(field, "choices", ()) if str(value) != ""]
        if choices:
            data[name] = choices[-1] if valid else "pas-un-choix"
        elif isinstance(field, forms.CharField):
            data[name] = "a"
    return data


def _shared_filter_sets():
    shared = _classes_of_the_apps("filters", SharedFormFilterSet) - {SharedFormFilterSet}
    return sorted(shared, key=lambda c: c.__qualname__)


@pytest.mark.parametrize("filterset_class", _shared_filter_sets(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_every_shared_filter_set_filters_and_draws_as_django_filter_does(world, filterset_class, valid):
    plain_class = django_filter_twin(filterset_class)
    for data in ({}, _sample_data(filterset_class, valid=valid)):
        shared, plain = filterset_class(data), plain_class(data)
        for filterset in (shared, plain):
            use_string_selects(filterset.form)
        assert shared.form.errors == plain.form.errors, data
        assert str(shared.qs.query) == str(plain.qs.query), data
        assert [str(field) for field in shared.form] == [str(field) for field in plain.form], data


def test_a_colleague_who_just_joined_is_offered(world):
    # The menu drawn once before: the form class exists from here on, and its forms share the menu's
    # queryset (not cloned per form) — drawing it must not have kept its rows.
    assert "Nouvelle Recrue" not in str(ProspectFilter({}).form["owner"])
    newcomer = UserFactory(role="staff", first_name="Nouvelle", last_name="Recrue")
    assert "Nouvelle Recrue" in str(ProspectFilter({}).form["owner"])
    menus = ProspectFilter({})
    menus.load_menus()  # as the list page reads them
    assert "Nouvelle Recrue" in str(menus.form["owner"])
    assert ProspectFilter({"owner": str(newcomer.pk)}).is_valid()


def test_each_request_keeps_its_own_filters_and_form(world):
    lyon = ProspectFactory(programme=world.programme, organisation__name="Lyon Solidaire")
    nantes = ProspectFactory(programme=world.programme, organisation__name="Nantes Partage")
    first, second = ProspectFilter({"q": "Solidaire"}), ProspectFilter({"q": "Partage"})
    assert first.filters["q"] is not second.filters["q"]
    # The search is a method filter: each finds the method on its own filter set.
    assert list(first.qs) == [lyon]
    assert list(second.qs) == [nantes]
    first.load_menus()
    assert first.form.fields["owner"] is not second.form.fields["owner"]
    assert second.form.fields["owner"].loaded is None  # loading one request's menus leaves the other's
    for name in ("owner", "stage", "q"):
        mine, theirs = first.form.fields[name], second.form.fields[name]
        assert mine.widget is not theirs.widget and mine.widget.attrs is not theirs.widget.attrs
    # Each model menu iterates its own field (its loaded objects), not the class's.
    assert second.form.fields["owner"].widget.choices.field is second.form.fields["owner"]


def test_no_shared_form_filter_set_changes_its_filters_per_request():
    """A filter set whose menus depend on the request (a queryset scoped to the user, set in __init__)
    must not share its form class: the first request's menu would be everyone's."""
    shared = _classes_of_the_apps("filters", SharedFormFilterSet)
    assert ProspectFilter in shared
    for filterset in shared:
        for klass in filterset.__mro__[: filterset.__mro__.index(SharedFormFilterSet)]:
            assert "__init__" not in vars(klass), filterset
            assert "get_form_class" not in vars(klass), filterset
