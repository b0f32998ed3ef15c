"""A filter form's menus are written with string joins (programme.forms.StringSelect) and read exactly as
Django's own select templates write them — options, groups, selected values, escaping."""

from django import forms

from programme.forms import StringSelect, StringSelectMultiple, use_string_selects
from prospects.filters import ProspectFilter
from tests.factories import OrganisationFactory

CHOICES = [
    ("", "Tous"),
    ("a", "Lyon & <Rhône>"),
    ("Groupe « ESS »", [("b", "Coopérative l’Ouvrière"), ("c", 'Dit "C"')]),
    (3, "Trois"),
]


def test_the_string_built_select_writes_what_django_s_template_writes():
    for plain, fast, value in (
        (forms.Select, StringSelect, "b"),
        (forms.Select, StringSelect, None),
        (forms.SelectMultiple, StringSelectMultiple, ["a", "3"]),
    ):
        attrs = {"id": "id_x", "class": "js-x", "required": True, "disabled": False}
        expected = plain(choices=CHOICES).render("x", value, attrs=dict(attrs))
        assert fast(choices=CHOICES).render("x", value, attrs=dict(attrs)) == expected


def test_the_prospect_filters_render_as_before(world):
    OrganisationFactory(name="Zèbre & Cie")
    form = ProspectFilter({"stage": "contacted", "programme": world.programme.pk}).form
    use_string_selects(form)  # as render_filtered_list does
    swapped = {
        name: field.widget
        for name, field in form.fields.items()
        if isinstance(field.widget, (StringSelect, StringSelectMultiple))
    }
    assert len(swapped) >= 3  # the plain menus of the filters are the string-built ones
    for name, widget in swapped.items():
        fast = str(form[name])
        widget.__class__ = forms.SelectMultiple if isinstance(widget, StringSelectMultiple) else forms.Select
        assert fast == str(form[name]), name


def test_the_search_box_and_the_ordering_menu_render_as_before(world):
    for data in ({"q": "<a&\"b'", "o": "-updated"}, {"q": "", "o": "name,town"}, {}):
        form = ProspectFilter(data).form
        plain = {name: type(field.widget) for name, field in form.fields.items()}
        use_string_selects(form)  # as render_filtered_list does
        for name in ("q", "o"):
            assert type(form.fields[name].widget) is not plain[name]  # swapped for its string-built twin
            fast = str(form[name])
            form.fields[name].widget.__class__ = plain[name]
            assert fast == str(form[name]), (name, data)
