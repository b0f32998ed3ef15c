"""« Mon projet »'s lists written in Python (evaluation.portal.rows) and the thread's blank form rendered once
(projects.conversations.views): the markup the template engine wrote, byte for byte, in French and English,
for rows of every state (late, returned, locked, text values, escaped titles)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import timezone, translation

from evaluation.models import Indicator, Measurement, ProjectIndicator
from evaluation.portal import rows, selectors
from projects.conversations.forms import CommentForm
from projects.conversations.views import thread_context
from projects.models import Action, Deliverable

# The loops `templates/portal/project.html` had, as they were.
LOOPS = {
    "deadlines": """{% load i18n formatting %}{% for d in deadlines %}
      <li><time datetime="{{ d.date|date:'Y-m-d' }}">{{ d.date|frdate }}</time> · <span class="badge{% if d.late %} badge--warn{% endif %}">{{ d.kind }}{% if d.late %} · {% translate "en retard" %}{% endif %}</span> {{ d.title }}</li>
      {% endfor %}""",
    "members": """{% for m in members %}{{ m.organisation.name }} <span class="muted">({{ m.get_role_display }})</span>{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}""",
    "deliverables": """{% load i18n formatting %}{% for d in deliverables %}
      <tr>
        <td>{{ d.title }}</td>
        <td data-label="{% translate 'Échéance' %}">{{ d.due_date|frdate }}</td>
        <td data-label="{% translate 'État' %}">{% include "portal/partials/_status.html" with kind="deliverable" obj=d %}</td>
        <td data-label="{% translate 'Dernière version' %}">{% if d.latest_number is not None %}v{{ d.latest_number }} · {{ d.latest_uploaded_at|frdate }}{% else %}<span class="muted">{% translate "aucune" %}</span>{% endif %}</td>
        <td><a class="button" href="{% url 'portal:deliverable' d.pk %}">{% if d.status == 'accepted' %}{% translate "Voir" %}{% elif d.latest_number is not None %}{% translate "Remplacer" %}{% else %}{% translate "Déposer" %}{% endif %}<span class="visually-hidden"> — {{ d.title }}</span></a></td>
      </tr>
    {% endfor %}""",
    "indicators": """{% load i18n formatting %}{% for row in indicator_rows %}
      <tr>
        <td>{{ row.pi.indicator.name }}{% if row.pi.indicator.unit %} <span class="muted">({{ row.pi.indicator.unit }})</span>{% endif %}</td>
        <td data-label="{% translate 'Périodicité' %}">{{ row.pi.indicator.get_periodicity_display }}</td>
        <td data-label="{% translate 'Dernière valeur' %}">{% if row.latest %}{% if row.latest.text_value %}{{ row.latest.text_value|truncatechars:40 }}{% else %}{% indicator_value row.latest.value row.pi.indicator %}{% endif %} · {% include "portal/partials/_status.html" with kind="measurement" obj=row.latest %}{% else %}<span class="muted">{% translate "aucune" %}</span>{% endif %}
          {% if row.returned %}<br><span class="badge badge--danger">{% blocktranslate count n=row.returned %}{{ n }} valeur renvoyée{% plural %}{{ n }} valeurs renvoyées{% endblocktranslate %}</span>{% endif %}</td>
        <td data-label="{% translate 'Avancement' %}">{% if row.summary.progress is not None %}{{ row.summary.progress|pct }}{% else %}<span class="muted">{{ row.summary.progress_note }}</span>{% endif %}</td>
        <td class="num" data-label="{% translate 'À saisir' %}">{{ row.to_report }}</td>
        <td><a class="button{% if row.to_report or row.returned %} button--primary{% endif %}" href="{% url 'portal:indicator' row.pi.pk %}">{% translate "Renseigner" %}<span class="visually-hidden"> — {{ row.pi.indicator.name }}</span></a></td>
      </tr>
    {% endfor %}""",
    "open_actions": """{% load i18n formatting %}{% for a in open_actions %}
      <li>{{ a.title }} · <span class="muted">{% translate "échéance" %} {{ a.due_date|frdate }}</span> {% include "portal/partials/_status.html" with kind="action" obj=a %}
        <a href="{% url 'portal:action.done' a.pk %}">{% translate "Marquer comme faite" %}<span class="visually-hidden"> — {{ a.title }}</span></a></li>
      {% endfor %}""",
    "done_actions": """{% for a in done_actions %}<li>{{ a.title }} {% include "portal/partials/_status.html" with kind="action" obj=a %}</li>{% endfor %}""",
    "decisions": """{% for d in decisions %}<li><a href="{% url 'portal:committee' d.committee_id %}">{{ d.committee }}</a> — {{ d.text|linebreaksbr }}</li>{% endfor %}""",
    "workshops": """{% load i18n formatting %}{% for w in recent_workshops %}<li><a href="{% url 'portal:workshop' w.pk %}">{{ w.title }}</a> <span class="muted">· {{ w.starts_at|frdate }} · {{ w.get_step_display }}</span>
      {% if w.minutes %}<br><span class="muted">{{ w.minutes|truncatechars:160 }}</span>{% else %}<br><span class="muted">{% translate "Compte-rendu à venir." %}</span>{% endif %}</li>{% endfor %}""",
}


def _written(context):
    return rows.page_lists(context)


def _every_state(side):
    """Rows of every state the badges tell apart, with titles to escape."""
    project, org, person = side.project, side.organisation, side.person
    today = timezone.localdate()
    for status, days in (
        ("expected", -9),
        ("expected", 5),
        ("returned", -3),
        ("accepted", -30),
        ("submitted", -2),
    ):
        Deliverable.objects.create(
            project=project,
            title=f"Livrable <{status}> & « {days} »",
            due_date=today + timedelta(days=days),
            owner_organisation=org,
            status=status,
        )
    for status, days in (("open", -4), ("in_progress", 3), ("done", -4), ("cancelled", -4)):
        Action.objects.create(
            project=project,
            title=f"Action <{status}> '{days}'",
            owner_person=person,
            due_date=today + timedelta(days=days),
            status=status,
        )
    kinds = [
        ("count", "personnes", "quarterly"),
        ("percentage", "", "monthly"),
        ("text", "", "yearly"),
        ("amount", "€", "per_phase"),
    ]
    for i, (kind, unit, periodicity) in enumerate(kinds):
        indicator = Indicator.objects.create(
            code=f"rows-{i}", name=f"Indicateur <{kind}>", type=kind, unit=unit, periodicity=periodicity
        )
        # A target on two of them: their progress is written, the others say why there is none.
        target = Decimal("10000") if i in (0, 3) else None
        pi = ProjectIndicator.objects.create(
            project=project, indicator=indicator, reporter="partner", target_value=target
        )
        for j, status in enumerate(("validated", "returned", "returned", "submitted")[: i + 1]):
            start = today.replace(day=1) - timedelta(days=40 * (j + 1))
            Measurement.objects.create(
                project_indicator=pi,
                period_start=start,
                period_end=start + timedelta(days=20),
                status=status,
                return_comment="motif" if status == "returned" else "",
                value=None if kind == "text" else Decimal("1234.5") * (j + 1),
                text_value="Une réponse bien trop longue pour tenir " * 3 if kind == "text" else "",
                locked=(i == 1 and status == "validated"),
            )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_lists_are_the_markup_the_template_wrote(world, sides, language):
    side = sides["A"]
    _every_state(side)
    django = engines["django"]
    with translation.override(language):
        context = selectors.project_page(user=world.partner_a, project=side.project)
        written = _written(context)
        for name, loop in LOOPS.items():
            assert str(written[name]) == django.from_string(loop).render(context), name
    # Something of each state was written (the comparison above is not of empty lists).
    assert "badge--warn" in written["deliverables"] and "badge--danger" in written["deliverables"]
    assert "&lt;" in written["open_actions"] and "badge--ok" in written["done_actions"]
    assert (
        "badge--danger" in written["indicators"] and '</span> <span class="badge">' in written["indicators"]
    )
    if language == "fr":  # a progress towards the target, and why another has none
        assert ">12,3\xa0%</td>" in written["indicators"]
        assert '<span class="muted">aucune mesure validée</span>' in written["indicators"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("team", [True, False])
def test_the_blank_thread_form_is_the_template_s_with_a_fresh_token(world, language, team):
    user = world.staff if team else world.partner_a
    django = engines["django"]
    with translation.override(language):
        first = thread_context(user=user, project=world.project_a, target=None, post_url="/x/")["thread"]
        second = thread_context(user=user, project=world.project_a, target=None, post_url="/x/")["thread"]
        form = CommentForm(team=team)
        token = form.fields["submission_token"].initial
        expected = django.from_string('{% include "includes/_form.html" %}').render({"form": form})
    assert first["form_fields"] != second["form_fields"]  # one-time tokens, never shared by two pages
    fresh = str(first["form_fields"])
    start = fresh.index('name="submission_token" value="') + len('name="submission_token" value="')
    assert fresh.replace(fresh[start : start + 32], token) == expected
    assert ("comment-internal" in fresh) is team  # the internal-note box on the team's side only


def test_the_thread_read_with_the_page_is_the_thread_s_own(world, sides, partner_a_client):
    """« Mon projet » reads its thread with the rest of the page: the same messages, authors and dates as
    the thread read on its own (the HTMX answer to a post), never the team's internal notes."""
    from django.urls import reverse

    from projects.conversations.services import comment_post

    project = sides["A"].project
    comment_post(actor=world.staff, project=project, target=None, body="Bonjour <b>\nsuite", internal=False)
    comment_post(actor=world.staff, project=project, target=None, body="Note de l’équipe", internal=True)
    comment_post(actor=world.partner_a, project=project, target=None, body="Réponse & merci", internal=False)
    page = partner_a_client.get(reverse("portal:home")).content.decode()
    thread = partner_a_client.post(
        reverse("portal:comment.post", args=["project", project.pk]), {"body": ""}, HTTP_HX_REQUEST="true"
    ).content.decode()

    def messages(html):
        return html[html.index('<ol class="thread-list">') : html.index("</ol>", html.index("thread-list"))]

    assert messages(page) == messages(thread)
    assert f"<strong>{world.staff.get_full_name()}</strong>" in messages(page)
    assert "Note de l’équipe" not in page and "Bonjour &lt;b&gt;<br>suite" in page
