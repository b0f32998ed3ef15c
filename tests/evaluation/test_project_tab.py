"""The project page's « Évaluation » tab: indicators with their figures, the protocol, the maturity, the
funder report button; and every evaluation page about a project leads back to it."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors
from evaluation.models import ProjectIndicator
from programme.formatting import fr_percent
from tests.evaluation.factories import (
    CriterionFactory,
    IndicatorFactory,
    ProjectIndicatorFactory,
    assess,
    even_scores,
    record,
)
from tests.projects.test_tabs import tab_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(world):
    """Project A's protocol: one question, one criterion, an indicator under it with a validated value,
    and an indicator attached to no criterion."""
    criterion = CriterionFactory(
        question__project=world.project_a, question__text="Le public est-il atteint ?"
    )
    linked = ProjectIndicatorFactory(
        project=world.project_a,
        criterion=criterion,
        indicator=IndicatorFactory(name="Personnes accueillies"),
        baseline_value=10,
        target_value=50,
    )
    record(world.staff, linked, value=30)  # a staff value: validated
    free = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(name="Bénévoles actifs")
    )
    return criterion, linked, free


def test_the_evaluation_tab_shows_indicators_protocol_and_maturity_inside_the_project_page(
    world, staff_client, protocol
):
    criterion, linked, free = protocol
    assess(world.staff, world.project_a, even_scores(2))
    url = reverse("evaluation:protocol", args=[world.project_a.pk])
    html = staff_client.get(url).content.decode()
    # Inside the project page: its head, its tab row with « Évaluation » current.
    assert "<h1>Projet A</h1>" in html
    assert tab_rows(html)[2] == "Évaluation"
    assert "<title>Évaluation · Projet A" in html
    # Indicators with the figures of their one definition.
    summary = selectors.indicator_summary(
        ProjectIndicator.objects.prefetch_related("measurements", "targets").get(pk=linked.pk),
        timezone.localdate(),
    )
    assert summary["progress"] is not None
    assert "Personnes accueillies" in html and "Bénévoles actifs" in html
    assert fr_percent(summary["progress"]) in html
    # The protocol: question → criterion → indicator; the indicator attached to nothing apart.
    question = html.index("Le public est-il atteint ?")
    assert question < html.index(criterion.text) < html.index("Personnes accueillies", question)
    assert html.index("Indicateurs de suivi") < html.rindex("Bénévoles actifs")
    # The maturity.
    assert "Maturité coopérative" in html and "Aucune auto-évaluation" not in html


def test_the_funder_report_button_orders_a_report_for_this_project(world, staff_client):
    html = staff_client.get(reverse("evaluation:protocol", args=[world.project_a.pk])).content.decode()
    link = re.search(r'<a class="button" href="([^"]+)">Rapport financeur</a>', html)
    assert link, "no « Rapport financeur » button"
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith(reverse("evaluation:report.create"))
    form = staff_client.get(href).content.decode()
    assert re.search(r'<option value="funder" selected>', form)
    # The project menu holds the project chosen (its title, then its lead structure).
    assert re.search(rf'<option value="{world.project_a.pk}" selected>Projet A · [^<]+</option>', form)


def test_an_empty_evaluation_tab_says_what_to_do(world, staff_client):
    html = staff_client.get(reverse("evaluation:protocol", args=[world.project_a.pk])).content.decode()
    assert "Aucun indicateur dans le protocole" in html and "Aucune question évaluative" in html


def test_partners_never_see_the_evaluation_tab(world, partner_a_client):
    assert partner_a_client.get(reverse("evaluation:protocol", args=[world.project_a.pk])).status_code == 404


def test_every_evaluation_page_about_a_project_links_back_to_it(world, staff_client, protocol):
    criterion, linked, _free = protocol
    project = world.project_a
    measurement = record(world.staff, linked, start=date(2026, 4, 1), end=date(2026, 6, 30), value=35)
    pages = [
        reverse("evaluation:project_indicator.detail", args=[linked.pk]),
        reverse("evaluation:project_indicator.edit", args=[linked.pk]),
        reverse("evaluation:project_indicator.create", args=[project.pk]),
        reverse("evaluation:question.create", args=[project.pk]),
        reverse("evaluation:question.edit", args=[criterion.question.pk]),
        reverse("evaluation:criterion.create", args=[criterion.question.pk]),
        reverse("evaluation:criterion.edit", args=[criterion.pk]),
        reverse("evaluation:maturity.create", args=[project.pk]) + "?moment=start",
        reverse("evaluation:measurement.create", args=[linked.pk]),
        reverse("evaluation:measurement.edit", args=[measurement.pk]),
    ]
    for url in pages:
        html = staff_client.get(url).content.decode()
        assert f'href="{project.get_absolute_url()}">Projet A</a>' in html, url
        assert f'href="{reverse("evaluation:protocol", args=[project.pk])}">Évaluation</a>' in html, url


def test_a_funder_report_links_back_to_its_project_for_the_team(world, staff_client):
    from evaluation.reports import services as report_services

    report = report_services.report_request(
        actor=world.staff, kind="funder", programme=world.programme, project=world.project_a, parameters={}
    )
    html = staff_client.get(reverse("evaluation:report.detail", args=[report.pk])).content.decode()
    assert f'href="{world.project_a.get_absolute_url()}">Projet A</a>' in html
