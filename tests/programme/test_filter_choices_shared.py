"""programme.selectors.filter_choices(shared=True): a list's menus made once while their rows do not
change — the same objects for the next request — and made again as soon as one row changes."""

import pytest

from programme.models import Programme, Theme
from programme.selectors import filter_choices
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_the_same_rows_give_the_same_objects_and_a_change_new_ones(django_assert_num_queries):
    ProgrammeFactory(name="Programme Rhône")
    Theme.objects.create(name="Mobilité")
    first = filter_choices(team=True, shared=True)
    with django_assert_num_queries(1):  # the statement still runs: it is how a change is seen
        again = filter_choices(team=True, shared=True)
    assert again is first
    assert filter_choices(team=True) is not first  # not shared: the caller's own objects
    assert filter_choices(shared=True) is not first  # without the team: another statement

    Programme.objects.filter(name="Programme Rhône").update(name="Programme Loire")
    changed = filter_choices(team=True, shared=True)
    assert changed is not first
    assert [p.name for p in changed.programmes] == ["Programme Loire"]
    assert [p.name for p in first.programmes] == ["Programme Rhône"]  # what an earlier request holds
