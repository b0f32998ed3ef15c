"""programme.pages.active_filters_html: a list's active filters written as the template wrote them, byte
for byte, in French and in English, every value escaped."""

import pytest
from django.template import Context, Engine
from django.utils import translation

from programme.pages import active_filters_html

# What templates/includes/_active_filters.html held (rendered with request.path as `path`).
TEMPLATE = (
    "{% load i18n %}{% if active_filters %}\n"
    '<ul class="active-filters" aria-label="{% translate \'Filtres actifs\' %}">\n'
    "  {% for f in active_filters %}\n"
    "  <li><span>{{ f.label }}\u202f: <strong>{{ f.value }}</strong></span>\n"
    '    <a href="?{{ f.remove_query }}" aria-label="{% blocktranslate with label=f.label %}Retirer le filtre '
    '{{ label }}{% endblocktranslate %}">×</a></li>\n'
    "  {% endfor %}\n"
    '  <li><a href="{{ path }}">{% translate "Tout effacer" %}</a></li>\n'
    "</ul>\n"
    "{% endif %}\n"
)

CASES = [
    [],
    [{"label": "Étape", "value": "Contacté", "remove_query": "q=a&o=name"}],
    [
        {"label": "Recherche", "value": "<b>l'Été & co</b>", "remove_query": "stage=x&q=%3Cb%3E"},
        {"label": "Suivi par", "value": 'Sam "le" chef', "remove_query": ""},
    ],
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("active", CASES)
def test_it_writes_what_the_template_wrote(language, active):
    engine = Engine.get_default()
    with translation.override(language):
        expected = engine.from_string(TEMPLATE).render(
            Context({"active_filters": active, "path": "/prospects/?a=<x>"})
        )
        assert active_filters_html(active, "/prospects/?a=<x>") == expected
