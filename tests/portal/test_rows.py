"""« Mon projet »'s lists written in Python (evaluation.portal.rows) are the markup the template's loops and
the `_status.html` badges wrote: both rendered here over every state a row can be in."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from evaluation.models import Indicator, Measurement, ProjectIndicator
from evaluation.portal import rows
from projects.models import Deliverable, Workshop

TODAY = date(2027, 3, 10)
TRICKY = 'R&D « <b>pilote</b> » l’"essai"'

DELIVERABLES = """{% load i18n formatting %}{% for d in deliverables %}
      <tr>
        <td>{{ d.title }}</td>
        <td data-label="{% translate 'Échéance' %}">{{ d.due_date|frdate }}</td>
        <td data-label="{% translate 'État' %}">{% include "portal/partials/_status.html" with kind="deliverable" obj=d %}</td>
        <td data-label="{% translate 'Dernière version' %}">{% if d.latest_number is not None %}v{{ d.latest_number }} · {{ d.latest_uploaded_at|frdate }}{% else %}<span class="muted">{% translate "aucune" %}</span>{% endif %}</td>
        <td><a class="button" href="{% url 'portal:deliverable' d.pk %}">{% if d.status == 'accepted' %}{% translate "Voir" %}{% elif d.latest_number is not None %}{% translate "Remplacer" %}{% else %}{% translate "Déposer" %}{% endif %}<span class="visually-hidden"> — {{ d.title }}</span></a></td>
      </tr>
    {% endfor %}"""

DEADLINES = """{% load i18n formatting %}{% for d in deadlines %}
      <li><time datetime="{{ d.date|date:'Y-m-d' }}">{{ d.date|frdate }}</time> · <span class="badge{% if d.late %} badge--warn{% endif %}">{{ d.kind }}{% if d.late %} · {% translate "en retard" %}{% endif %}</span> {{ d.title }}</li>
      {% endfor %}"""

WORKSHOPS = """{% load i18n formatting %}{% for w in recent_workshops %}<li><a href="{% url 'portal:workshop' w.pk %}">{{ w.title }}</a> <span class="muted">· {{ w.starts_at|frdate }} · {{ w.get_step_display }}</span>
      {% if w.minutes %}<br><span class="muted">{{ w.minutes|truncatechars:160 }}</span>{% else %}<br><span class="muted">{% translate "Compte-rendu à venir." %}</span>{% endif %}</li>{% endfor %}"""

INDICATORS = """{% load i18n formatting %}{% for row in indicator_rows %}
      <tr>
        <td>{{ row.pi.indicator.name }}{% if row.pi.indicator.unit %} <span class="muted">({{ row.pi.indicator.unit }})</span>{% endif %}</td>
        <td data-label="{% translate 'Périodicité' %}">{{ row.pi.indicator.get_periodicity_display }}</td>
        <td data-label="{% translate 'Dernière valeur' %}">{% if row.latest %}{% if row.latest.text_value %}{{ row.latest.text_value|truncatechars:40 }}{% else %}{% indicator_value row.latest.value row.pi.indicator %}{% endif %} · {% include "portal/partials/_status.html" with kind="measurement" obj=row.latest %}{% else %}<span class="muted">{% translate "aucune" %}</span>{% endif %}
          {% if row.returned %}<br><span class="badge badge--danger">{% blocktranslate count n=row.returned %}{{ n }} valeur renvoyée{% plural %}{{ n }} valeurs renvoyées{% endblocktranslate %}</span>{% endif %}</td>
        <td class="num" data-label="{% translate 'À saisir' %}">{{ row.to_report }}</td>
        <td><a class="button{% if row.to_report or row.returned %} button--primary{% endif %}" href="{% url 'portal:indicator' row.pi.pk %}">{% translate "Renseigner" %}<span class="visually-hidden"> — {{ row.pi.indicator.name }}</span></a></td>
      </tr>
    {% endfor %}"""


def _deliverables() -> list[Deliverable]:
    out = []
    for i, (status, due, number) in enumerate(
        [
            ("expected", date(2027, 3, 1), None),  # late
            ("expected", date(2027, 4, 1), None),
            ("submitted", date(2027, 3, 1), 2),
            ("accepted", date(2027, 1, 1), 1),
            ("returned", date(2027, 5, 1), 12),
            ("returned", date(2027, 2, 1), None),
        ]
    ):
        d = Deliverable(pk=i + 1, title=f"{TRICKY} {i}", status=status, due_date=due)
        d.latest_number = number
        d.latest_uploaded_at = timezone.make_aware(datetime(2027, 2, 28, 23, 30)) if number else None
        out.append(d)
    return out


def _indicator_rows() -> list[dict]:
    kinds = [("count", "emplois", "emploi"), ("amount", "", ""), ("percentage", "", ""), ("boolean", "", "")]
    out = []
    for i, (kind, unit, one) in enumerate(kinds * 2):
        indicator = Indicator(
            name=f"{TRICKY} {i}", unit=unit, unit_singular=one, type=kind, periodicity="quarterly"
        )
        pi = ProjectIndicator(pk=i + 1, indicator=indicator)
        status = ["validated", "returned", "submitted", "draft"][i % 4]
        latest = None
        if i != 3:
            latest = Measurement(
                status=status,
                value=Decimal(["1", "12500.5", "45.25", "1", "1234567"][i % 5]),
                text_value="x" * 50 + TRICKY if i == 5 else "",
                locked=i % 2 == 0,
            )
        out.append(
            {"pi": pi, "latest": latest, "returned": [0, 1, 2, 0][i % 4], "to_report": [3, 0, 0, 1234][i % 4]}
        )
    return out


def _workshops() -> list[Workshop]:
    return [
        Workshop(
            pk=i + 1,
            title=f"{TRICKY} {i}",
            starts_at=timezone.make_aware(datetime(2027, 1, 1 + i, 23, 30)),
            step=["needs", "test"][i % 2],
            minutes=["", "Court.", "m" * 170 + TRICKY][i % 3],
        )
        for i in range(4)
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_lists_are_the_templates_markup(language):
    deliverables, indicators, workshops = _deliverables(), _indicator_rows(), _workshops()
    deadlines = [
        {"kind": "Livrable", "date": date(2027, 3, 1), "title": TRICKY, "late": True},
        {"kind": "Atelier", "date": date(2027, 4, 1), "title": "Atelier", "late": False},
    ]
    context = {
        "deliverables": deliverables,
        "deadlines": deadlines,
        "recent_workshops": workshops,
        "indicator_rows": indicators,
        "today": TODAY,
    }
    with translation.override(language):
        expected = {
            name: Template(text).render(Context(context))
            for name, text in [
                ("deliverables", DELIVERABLES),
                ("deadlines", DEADLINES),
                ("workshops", WORKSHOPS),
                ("indicators", INDICATORS),
            ]
        }
        assert rows.deliverable_rows(deliverables, TODAY) == expected["deliverables"]
        assert rows.deadline_items(deadlines) == expected["deadlines"]
        assert rows.workshop_items(workshops) == expected["workshops"]
        assert rows.indicator_table_rows(indicators) == expected["indicators"]
    # What the rows must show, whatever the markup: escaped titles, the late badge, the verbs.
    html = rows.deliverable_rows(deliverables, TODAY)
    assert "<b>" not in html and "&lt;b&gt;pilote&lt;/b&gt;" in html
    assert html.count("en retard") == 1 or language == "en"
